#!/usr/bin/env bash
# Makes sure the tools the live view and monitoring tests drive are on this machine: Chromium (the
# headless browser that loads the live view) and Prometheus (which scrapes `run`'s /metrics and
# answers the Grafana dashboard's queries). Installs the missing Debian packages with apt-get like
# scripts/fetch-test-photos.sh (scripts/lib/fetch.sh): outside CI a failure says why and the build goes
# on (the tests skip, saying why); under CI=true it fails the build step.
set -euo pipefail
source "$(dirname "$0")/lib/fetch.sh"

packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v prometheus >/dev/null 2>&1 || packages+=(prometheus)
if [ "${#packages[@]}" = 0 ]; then
  exit 0
fi
fetch_apt_install "the live view's browser test and the Prometheus dashboard test" "${packages[@]}"
for tool in chromium prometheus; do
  command -v "$tool" >/dev/null 2>&1 || fetch_failed "$tool installed but still not on the PATH"
done
