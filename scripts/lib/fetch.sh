# Sourced by scripts/fetch-*.sh: what a fetch does when it cannot get its material.
# Outside CI it says why and exits 0: the build goes on and the tests that need the material skip,
# each with its reason. Under CI=true it exits 1, so the build step fails with the reason instead of
# going green with skipped tests (the tests would fail too: src/test/.../testing/Material.java).

fetch_name="$(basename "$0" .sh)"

fetch_under_ci() {
  local ci="${CI:-}"
  [ "${ci,,}" = true ]
}

fetch_failed() {
  echo "$fetch_name: $*" >&2
  if fetch_under_ci; then
    echo "$fetch_name: CI=true: failing the build, since the tests that need this would fail" >&2
    exit 1
  fi
  echo "$fetch_name: going on; the tests that need it will be skipped, saying why" >&2
  exit 0
}

# Under `set -e`, a command that fails unexpectedly takes the same way out, naming itself.
if [[ $- == *e* ]]; then
  trap 'fetch_failed "failed at line $LINENO: $BASH_COMMAND"' ERR
fi
