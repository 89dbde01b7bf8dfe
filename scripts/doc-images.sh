#!/usr/bin/env bash
# Regenerates the pictures in docs/images from segstream's own output (so they may be committed):
#   vtest-selfie-overlay.png    selfie model on a 288x288 crop of vtest.avi (opencv-doc), frame 50
#   vtest-selfie-fullframe.png  selfie model on the whole vtest.avi frame 50, for comparison
#   synthetic-fcn-overlay.png   demo on synthetic scenes with models/fcn-default, four overlays side by
#                               side (with --oracle, i.e. the ground truth, while that model is missing)
# Pictures are palette-quantised (256 colours, no dithering) to stay small. Needs ffmpeg.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$here/out/doc-images"
images="$here/docs/images"
mkdir -p "$images"

small_png() { # SOURCE DEST [FILTERS]: quantised copy
  ffmpeg -hide_banner -loglevel error -y -i "$1" \
    -vf "${3:+$3,}split[a][b];[a]palettegen=max_colors=256[p];[b][p]paletteuse=dither=none" -frames:v 1 "$2"
  echo "doc-images: $2 ($(stat -c %s "$2") bytes)"
}

SEGSTREAM_VIDEO_DEMO_OUT="$work" SEGSTREAM_VIDEO_DEMO_FRAMES=51 "$here/scripts/video-demo.sh" "" --animation none >/dev/null
small_png "$work/crop/overlays/video-000050.png" "$images/vtest-selfie-overlay.png"
small_png "$work/full/overlays/video-000050.png" "$images/vtest-selfie-fullframe.png"

synthetic=(--model "$here/models/fcn-default")
if [ ! -f "$here/models/fcn-default/segstream-model.properties" ] && ! ls "$here"/models/fcn-default/*/segstream-model.properties >/dev/null 2>&1; then
  echo "doc-images: models/fcn-default missing: the synthetic picture shows the ground truth (--oracle)"
  synthetic=(--oracle)
fi
rm -rf "$work/synthetic"
"$here/bin/segstream" demo "${synthetic[@]}" --frames 8 --streams 1 --overlays 4 -o "$work/synthetic" >/dev/null
small_png "$work/synthetic/overlays/cam-0-%06d.png" "$images/synthetic-fcn-overlay.png" \
  "scale=256:256:flags=neighbor,tile=4x1:padding=4:color=white"
