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
fetch_apt_install "example photos and video; ffmpeg decodes the video" "${packages[@]}"
have_all || fetch_failed "opencv-doc installed but ${needed[*]} not all in $photos"
command -v ffmpeg >/dev/null 2>&1 || fetch_failed "ffmpeg installed but still not on the PATH"
