#!/usr/bin/env bash
# Makes sure the real photos the selfie tests use are on this machine: they come with Debian's
# opencv-doc package (/usr/share/doc/opencv-doc/examples/data: messi5.jpg, basketball1.png, ...).
# Installs the package when missing and this runs as root with apt-get; otherwise it explains and
# exits 0, and the tests that need the photos are skipped. Photos are never committed.
set -euo pipefail
photos=/usr/share/doc/opencv-doc/examples/data
needed=(messi5.jpg basketball1.png)

have_all() {
  for photo in "${needed[@]}"; do
    [ -f "$photos/$photo" ] || return 1
  done
}

if have_all; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "fetch-test-photos: photos missing in $photos; install them with: sudo apt-get install opencv-doc"
  echo "fetch-test-photos: tests that need them will be skipped"
  exit 0
fi
echo "fetch-test-photos: apt-get install opencv-doc (for its example photos)"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends opencv-doc; } \
    >/tmp/segstream-fetch-test-photos.log 2>&1; then
  echo "fetch-test-photos: apt-get failed (see /tmp/segstream-fetch-test-photos.log); tests that need photos will be skipped"
  exit 0
fi
have_all || echo "fetch-test-photos: opencv-doc installed but ${needed[*]} not all in $photos; tests will skip"
