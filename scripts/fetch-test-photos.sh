#!/usr/bin/env bash
# Makes sure the real material the selfie and video tests use is on this machine: photos and a video
# from Debian's opencv-doc package (/usr/share/doc/opencv-doc/examples/data: messi5.jpg,
# basketball1.png, vtest.avi), and ffmpeg, which decodes the video.
# Installs the packages that are missing when this runs as root with apt-get; otherwise it explains
# and exits 0, and the tests that need them are skipped. Nothing here is ever committed.
set -euo pipefail
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
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "fetch-test-photos: missing ${packages[*]}; install with: sudo apt-get install ${packages[*]}"
  echo "fetch-test-photos: tests that need them will be skipped"
  exit 0
fi
echo "fetch-test-photos: apt-get install ${packages[*]} (example photos and video; ffmpeg decodes the video)"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"; } \
    >/tmp/segstream-fetch-test-photos.log 2>&1; then
  echo "fetch-test-photos: apt-get failed (see /tmp/segstream-fetch-test-photos.log); tests that need ${packages[*]} will be skipped"
  exit 0
fi
have_all || echo "fetch-test-photos: opencv-doc installed but ${needed[*]} not all in $photos; tests will skip"
command -v ffmpeg >/dev/null 2>&1 || echo "fetch-test-photos: ffmpeg still not on the PATH; video tests will skip"
