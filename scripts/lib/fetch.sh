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

# Installs Debian packages with apt-get, as root (under CI=true also through passwordless sudo, as CI
# runners offer it), waiting up to 10 minutes for another apt-get or dpkg to let go of its lock.
# Usage: fetch_apt_install "why they are needed" package...; on failure it calls fetch_failed.
fetch_apt_install() {
  local why="$1"
  shift
  local log="/tmp/segstream-$fetch_name.log" lock_wait_s=600
  command -v apt-get >/dev/null 2>&1 || fetch_failed "missing $*, and no apt-get here to install them"
  local as_root=()
  if [ "$(id -u)" != 0 ]; then
    if fetch_under_ci && sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      fetch_failed "missing $*; install with: sudo apt-get install $*"
    fi
  fi
  # DPkg::Lock::Timeout makes apt-get wait for the dpkg lock instead of failing at once. Some apt
  # versions do not wait on the package lists lock `update` takes, so `update` also retries on that.
  local apt_get=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=$lock_wait_s")
  local deadline=$((SECONDS + lock_wait_s)) updated=false
  echo "$fetch_name: apt-get install $* ($why)"
  until "${apt_get[@]}" update -qq >"$log" 2>&1 && updated=true; do
    grep -q "Could not get lock" "$log" && [ "$SECONDS" -lt "$deadline" ] || break
    echo "$fetch_name: another apt-get holds the package lists lock; retrying in 10 s"
    sleep 10
  done
  if [ "$updated" != true ] || ! "${apt_get[@]}" install -y -qq --no-install-recommends "$@" >>"$log" 2>&1; then
    fetch_failed "apt-get install $* failed: $(grep '^E:' "$log" | head -n 3 | tr '\n' ' ')(see $log)"
  fi
}

# Under `set -e`, a command that fails unexpectedly takes the same way out, naming itself.
if [[ $- == *e* ]]; then
  trap 'fetch_failed "failed at line $LINENO: $BASH_COMMAND"' ERR
fi
