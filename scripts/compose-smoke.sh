#!/usr/bin/env bash
# Smoke test of docker/compose.yaml with podman-compose: Kafka, Apicurio Registry, the processor and the
# demo producer come up, masks flow (the processor's segstream_frames_total{outcome="segmented"} grows
# past FRAMES, read from the host on :8080/metrics), then everything goes down again.
# Where no image registry can be reached it runs on local images: the Debian base and Kafka test image
# from scripts/container-runtime.sh, and Apicurio from the distribution on Maven Central that the
# tests use (scripts/fetch-apicurio.sh). With Docker and registry access, the same check is
#   ./mvnw -B -DskipTests package && docker compose -f docker/compose.yaml up --build
# Not part of `./mvnw verify` (about 3-5 minutes on 2 cores). Usage: scripts/compose-smoke.sh [FRAMES]
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-50}
started=$(date +%s)
say() { echo "compose-smoke: $*"; }

scripts/container-runtime.sh
grep -q '^docker.host=' target/container-runtime.properties || { say "no container runtime"; exit 1; }
if [ ! -f target/segstream.jar ] || [ ! -f target/segstream-runtime.jar ] || [ ! -d target/lib-run ]; then
  say "packaging (the images copy the build's outputs)"
  ./mvnw -B -q -DskipTests package
fi
scripts/fetch-apicurio.sh
[ -d target/apicurio ] || { say "Apicurio distribution missing (see scripts/fetch-apicurio.sh)"; exit 1; }

base=$(sed -n 's/^base.image=//p' target/container-runtime.properties)
export KAFKA_IMAGE=$(sed -n 's/^kafka.image=//p' target/container-runtime.properties)
export REGISTRY_IMAGE=localhost/segstream-apicurio:3.0.9
export SEGSTREAM_BASE=${base:-eclipse-temurin:17-jre}
if [ -n "$base" ] && ! podman image exists "$REGISTRY_IMAGE"; then
  say "building $REGISTRY_IMAGE from target/apicurio"
  podman build -q -f docker/apicurio/Dockerfile --build-arg "BASE=$base" -t "$REGISTRY_IMAGE" target/apicurio
fi

# Debian's podman-compose ignores the file's `name:`, so the project is named here; docker format keeps
# the HEALTHCHECK (OCI images drop it).
export BUILDAH_FORMAT=docker
compose=(podman-compose -p segstream -f docker/compose.yaml)
trap '"${compose[@]}" down >/dev/null 2>&1 || true' EXIT
await() { # $1 seconds, $2 description, rest: the check
  local deadline=$(($(date +%s) + $1)) what=$2
  shift 2
  until "$@"; do
    if [ "$(date +%s)" -gt "$deadline" ]; then
      say "timed out waiting for $what"
      podman logs --tail 30 segstream_segstream_1 2>&1 || true
      exit 1
    fi
    sleep 2
  done
}
kafka_answers() { podman exec segstream_kafka_1 /opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:9092 --list >/dev/null 2>&1; }
registry_answers() { curl -sf --max-time 5 http://127.0.0.1:8081/apis/ccompat/v7/subjects >/dev/null; }
ready() { curl -sf --max-time 5 http://127.0.0.1:8080/readyz >/dev/null; }
segmented() {
  curl -sf --max-time 5 http://127.0.0.1:8080/metrics \
    | sed -n 's/^segstream_frames_total{.*outcome="segmented".*} \([0-9.E]*\)$/\1/p' | head -n 1
}
enough_masks() { awk -v n="$(segmented)" -v want="$frames" 'BEGIN { exit !(n + 0 >= want) }'; }
"${compose[@]}" build segstream producer >/tmp/segstream-compose-build.log 2>&1
# Debian's podman-compose starts services in order but does not wait for depends_on's conditions
# (health checks need systemd here), so the script waits for each before starting the next.
"${compose[@]}" up -d kafka registry >/tmp/segstream-compose-up.log 2>&1
await 300 "Kafka" kafka_answers
await 300 "Apicurio Registry on 127.0.0.1:8081" registry_answers
"${compose[@]}" up -d --no-deps segstream >>/tmp/segstream-compose-up.log 2>&1
await 300 "the processor's /readyz on 127.0.0.1:8080" ready
"${compose[@]}" up -d --no-deps producer >>/tmp/segstream-compose-up.log 2>&1
say "Kafka, registry and processor ready; producer started"
await 300 "$frames masks" enough_masks

say "services: $(podman ps --format '{{.Names}}' | grep -c '^segstream_') running"
say "frames segmented: $(segmented)"
say "registry subjects: $(curl -sf --max-time 5 http://127.0.0.1:8081/apis/ccompat/v7/subjects || echo '(none)')"
say "processor memory: $(podman exec segstream_segstream_1 grep -E 'VmRSS|VmHWM' /proc/1/status | tr -s ' \t\n' ' ')"
say "processor health: $(podman inspect --format '{{.State.Health.Status}}' segstream_segstream_1 2>/dev/null || echo n/a)"
"${compose[@]}" down >/tmp/segstream-compose-down.log 2>&1
trap - EXIT
say "down; ok in $(($(date +%s) - started)) s"
