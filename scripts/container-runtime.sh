#!/usr/bin/env bash
# Prepares a container runtime for the container tests (ContainerBrokerPipelineTest, ProcessorImageIT)
# and records what it prepared in target/container-runtime.properties, which the tests read.
#
# Where a Docker engine already answers (DOCKER_HOST, or /var/run/docker.sock), it is used as it is.
# Otherwise, as root on Debian, it installs podman with runc (the build machines' cgroup setup makes
# crun fail with "cgroups in hybrid mode not supported"), writes a containers.conf drop-in, and starts
# podman's Docker-compatible API on target/podman/podman.sock for Testcontainers. The drop-in goes to
# /etc/containers/containers.conf.d because podman, podman-compose and the API service must all see
# the same settings, also when a person runs them by hand; a drop-in leaves the machine's own
# containers.conf alone.
# No image registry is reachable on the build machines, so it also builds, once (skipped while the
# image exists and its inputs are unchanged):
#   localhost/segstream-base:bookworm   Debian bookworm minbase + openjdk-17-jre-headless (debootstrap)
#   localhost/segstream-kafka:VERSION   Apache Kafka's jars from Maven Central on that base
# Under CI=true any failure exits non-zero with the reason; elsewhere it says why and exits 0, and the
# container tests skip with that reason (scripts/lib/fetch.sh).
# The build runs it with its Maven, offline flag and local repository; by hand: scripts/container-runtime.sh
# Usage: scripts/container-runtime.sh [maven home] [offline: true|false] [local repository]
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/fetch.sh
root=$PWD
state=target/container-runtime.properties
log=/tmp/segstream-container-runtime.log
socket_dir=$root/target/podman
# A unix socket path has at most 107 bytes; a deep checkout gets one under /tmp named after it.
[ "${#socket_dir}" -gt 90 ] && socket_dir=/tmp/segstream-podman-$(echo "$root" | sha256sum | cut -c1-12)
socket=$socket_dir/podman.sock
base_image=localhost/segstream-base:bookworm
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' pom.xml | head -n 1)
kafka_image=localhost/segstream-kafka:$kafka_version
mkdir -p target
: >"$log"

say() { echo "container-runtime: $*"; }

# Records the reason the tests will give, then fails the build under CI=true and goes on elsewhere
# (scripts/lib/fetch.sh, as for the other test material).
give_up() {
  printf 'unavailable=%s\n' "$1" >"$state"
  fetch_failed "$1 (log: $log)"
}

docker_api_answers() { # $1: unix socket path
  curl -sf --max-time 5 --unix-socket "$1" http://d/_ping >/dev/null 2>&1
}

# A Docker engine the user already has wins: nothing to install or start.
existing_engine() {
  if [ -n "${DOCKER_HOST:-}" ]; then
    case "$DOCKER_HOST" in
      unix://*) docker_api_answers "${DOCKER_HOST#unix://}" && echo "$DOCKER_HOST" ;;
      *) echo "$DOCKER_HOST" ;;
    esac
    return
  fi
  docker_api_answers /var/run/docker.sock && echo unix:///var/run/docker.sock
}

install_podman() {
  local packages=()
  for tool in podman:podman runc:runc debootstrap:debootstrap newuidmap:uidmap slirp4netns:slirp4netns \
      fuse-overlayfs:fuse-overlayfs podman-compose:podman-compose curl:curl; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || packages+=("${tool#*:}")
  done
  # Containers on one network find each other by name (kafka:9092) through CNI's dnsname plugin.
  [ -x /usr/lib/cni/dnsname ] || packages+=(golang-github-containernetworking-plugin-dnsname)
  [ "${#packages[@]}" = 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    give_up "missing ${packages[*]} and not root with apt-get: install them (or Docker) and rerun"
  fi
  say "apt-get install ${packages[*]}"
  # Another apt-get (a parallel build, the machine's own updates) may hold the dpkg lock: wait for it.
  if ! { apt-get -o DPkg::Lock::Timeout=600 update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
           --no-install-recommends "${packages[@]}"; } >>"$log" 2>&1; then
    give_up "apt-get install ${packages[*]} failed (see $log)"
  fi
}

configure_podman() {
  [ "$(id -u)" = 0 ] || return 0
  # Podman's default nofile limit (1048576) is above these machines' hard limit: stay under it.
  local hard limit=1024
  hard=$(ulimit -Hn)
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$limit" ]; then limit=$hard; fi
  mkdir -p /etc/containers/containers.conf.d
  cat >/etc/containers/containers.conf.d/50-segstream.conf <<EOF
# Written by segstream's scripts/container-runtime.sh.
[containers]
default_ulimits = ["nofile=$limit:$limit", "nproc=$limit:$limit"]
[engine]
runtime = "runc"
EOF
}

start_service() {
  docker_api_answers "$socket" && return 0
  mkdir -p "$socket_dir"
  rm -f "$socket"
  # Stops by itself after an hour without API calls, so no build leaves it running for ever.
  nohup podman system service --time=3600 "unix://$socket" >"$socket_dir/service.log" 2>&1 &
  echo $! >"$socket_dir/service.pid"
  for _ in $(seq 1 60); do
    docker_api_answers "$socket" && return 0
    sleep 0.5
  done
  give_up "podman system service did not answer on $socket (see $socket_dir/service.log)"
}

# The label holds a hash of the image's inputs, so an unchanged image is not rebuilt.
image_is_current() { # $1 image, $2 inputs hash
  [ "$(podman image inspect --format '{{index .Labels "io.segstream.inputs"}}' "$1" 2>/dev/null)" = "$2" ]
}

build_base_image() {
  podman image exists "$base_image" && return 0
  local rootfs
  rootfs=$(mktemp -d /var/tmp/segstream-base.XXXXXX)
  say "debootstrap bookworm minbase + openjdk-17-jre-headless into $rootfs (about a minute or two)"
  if ! debootstrap --variant=minbase --include=openjdk-17-jre-headless,passwd bookworm "$rootfs" >>"$log" 2>&1; then
    rm -rf "$rootfs"
    give_up "debootstrap failed (see $log)"
  fi
  # Package caches, lists, docs and translations are not needed at run time: 480 MB becomes 300 MB.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*
  if ! tar -C "$rootfs" -c . | podman import --change 'CMD ["/bin/bash"]' - "$base_image" >>"$log" 2>&1; then
    rm -rf "$rootfs"
    give_up "podman import of the base image failed (see $log)"
  fi
  rm -rf "$rootfs"
}

build_kafka_image() {
  local inputs
  inputs=$(cat docker/kafka/Dockerfile docker/kafka/run docker/kafka/kafka-topics.sh docker/kafka/pom.xml <(echo "$kafka_version") \
    <(podman image inspect --format '{{.Id}}' "$base_image") | sha256sum | cut -c1-16)
  image_is_current "$kafka_image" "$inputs" && return 0
  say "building $kafka_image from Maven Central's Kafka $kafka_version jars"
  local mvn_cmd=./mvnw args=(-B -q)
  [ -n "${1:-}" ] && [ -x "$1/bin/mvn" ] && mvn_cmd="$1/bin/mvn"
  [ "${2:-false}" = true ] && args+=(-o)
  [ -n "${3:-}" ] && args+=("-Dmaven.repo.local=$3")
  local previous
  previous=$(podman image inspect --format '{{.Id}}' "$kafka_image" 2>/dev/null || true)
  rm -rf docker/kafka/libs
  if ! "$mvn_cmd" "${args[@]}" -f docker/kafka/pom.xml "-Dkafka.version=$kafka_version" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DoutputDirectory=libs -DincludeScope=runtime >>"$log" 2>&1; then
    give_up "could not fetch Kafka $kafka_version's jars (see $log)"
  fi
  if ! podman build --build-arg "BASE=$base_image" --label "io.segstream.inputs=$inputs" \
      -t "$kafka_image" docker/kafka >>"$log" 2>&1; then
    give_up "podman build of $kafka_image failed (see $log)"
  fi
  rm -rf docker/kafka/libs
  [ -n "$previous" ] && podman rmi "$previous" >/dev/null 2>&1
  return 0
}

started=$(date +%s)
engine=$(existing_engine)
if [ -n "$engine" ]; then
  say "using the Docker engine at $engine"
  printf 'docker.host=%s\n' "$engine" >"$state"
  exit 0
fi
install_podman
configure_podman
podman info >>"$log" 2>&1 || give_up "podman does not work here (podman info failed; see $log)"
start_service
build_base_image
build_kafka_image "$@"
{
  printf 'docker.host=unix://%s\n' "$socket"
  printf 'base.image=%s\n' "$base_image"
  printf 'kafka.image=%s\n' "$kafka_image"
} >"$state"
say "podman ready on $socket with $base_image and $kafka_image ($(($(date +%s) - started)) s)"
