#!/usr/bin/env bash
# Unpacks Apicurio Registry (the Quarkus distribution Apicurio publishes on Maven Central as
# io.apicurio:apicurio-registry-app:<version>:zip:all) into target/apicurio, for the tests that run
# segstream against a real schema registry (ApicurioRegistry in src/test). When it cannot, it says why
# and exits 0 (those tests are then skipped), or 1 under CI=true (scripts/lib/fetch.sh). The build runs
# it with its own Maven, offline flag and local repository; by hand: scripts/fetch-apicurio.sh
# Usage: scripts/fetch-apicurio.sh [maven home] [offline: true|false] [local repository]
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/fetch.sh
version=3.0.9
dir=target/apicurio
runner="$dir/apicurio-registry-app-$version-runner.jar"
[ -f "$runner" ] && exit 0

mvn_cmd=./mvnw
if [ -n "${1:-}" ] && [ -x "$1/bin/mvn" ]; then
  mvn_cmd="$1/bin/mvn"
fi
args=(-B -q)
[ "${2:-false}" = true ] && args+=(-o)
repo="${3:-$HOME/.m2/repository}"
args+=("-Dmaven.repo.local=$repo")
zip="$repo/io/apicurio/apicurio-registry-app/$version/apicurio-registry-app-$version-all.zip"
log=/tmp/segstream-fetch-apicurio.log
echo "fetch-apicurio: unpacking io.apicurio:apicurio-registry-app:$version:zip:all (about 110 MB) into $dir"
# The 3.x dependency plugin refuses this artifact: it reads its pom, whose parent
# (io.apicurio:apicurio-registry) is not on Maven Central. 2.8's get -Dtransitive=false fetches the
# zip alone.
if { [ -f "$zip" ] || "$mvn_cmd" "${args[@]}" org.apache.maven.plugins:maven-dependency-plugin:2.8:get \
      "-Dartifact=io.apicurio:apicurio-registry-app:$version:zip:all" -Dtransitive=false >"$log" 2>&1; } \
    && mkdir -p "$dir" && (cd "$dir" && jar xf "$zip") >>"$log" 2>&1 && [ -f "$runner" ]; then
  exit 0
fi
rm -rf "$dir"
fetch_failed "could not fetch or unpack io.apicurio:apicurio-registry-app:$version:zip:all: $(grep -m 3 -v '^\s*$' "$log" | tr '\n' ' ')(see $log)"
