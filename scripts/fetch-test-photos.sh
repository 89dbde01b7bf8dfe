#!/usr/bin/env bash
# Makes sure the real material the selfie and video tests use is on this machine: photos and a video
# from Debian's opencv-doc package (/usr/share/doc/opencv-doc/examples/data: messi5.jpg,
# basketball1.png, vtest.avi), and ffmpeg, which decodes the video.
# Installs the packages that are missing with apt-get, as root (under CI=true also through
# passwordless sudo, as CI runners offer it), waiting up to 10 minutes for another apt-get or dpkg to
# let go of its lock. When it cannot, it says why and exits 0 (the tests that need them are skipped),
# or 1 under CI=true (scripts/lib/fetch.sh). Nothing here is ever committed.
set -euo pipefail
source "$(dirname "$0")/lib/fetch.sh"
photos=/usr/share/doc/opencv-doc/examples/data
needed=(messi5.jpg basketball1.png vtest.avi)
log=/tmp/segstream-fetch-test-photos.log
lock_wait_s=600

have_all() {
  for photo in "${needed[@]}"; do
    [ -f "$photos/$photo" ] || return 1
  done
}

packages=()
have_all || packages+=(opencv-doc)
command -v ffmpeg >/dev/null 2>&1 || packages+=(ffmpeg)
if [ "${#packages[@]}" = 0 ]; then
  exit 0
fi
command -v apt-get >/dev/null 2>&1 || fetch_failed "missing ${packages[*]}, and no apt-get here to install them"
as_root=()
if [ "$(id -u)" != 0 ]; then
  if fetch_under_ci && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    fetch_failed "missing ${packages[*]}; install with: sudo apt-get install ${packages[*]}"
  fi
fi
# DPkg::Lock::Timeout makes apt-get wait for the dpkg lock instead of failing at once. Some apt
# versions do not wait on the package lists lock `update` takes, so `update` also retries on that.
apt_get=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=$lock_wait_s")
update_waiting_for_the_lock() {
  local deadline=$((SECONDS + lock_wait_s))
  until "${apt_get[@]}" update -qq >"$log" 2>&1; do
    grep -q "Could not get lock" "$log" && [ "$SECONDS" -lt "$deadline" ] || return 1
    echo "fetch-test-photos: another apt-get holds the package lists lock; retrying in 10 s"
    sleep 10
  done
}
echo "fetch-test-photos: apt-get install ${packages[*]} (example photos and video; ffmpeg decodes the video)"
if ! update_waiting_for_the_lock \
    || ! "${apt_get[@]}" install -y -qq --no-install-recommends "${packages[@]}" >>"$log" 2>&1; then
  fetch_failed "apt-get install ${packages[*]} failed: $(grep '^E:' "$log" | head -n 3 | tr '\n' ' ')(see $log)"
fi
have_all || fetch_failed "opencv-doc installed but ${needed[*]} not all in $photos"
command -v ffmpeg >/dev/null 2>&1 || fetch_failed "ffmpeg installed but still not on the PATH"
