# Sourced by the scripts that install one Debian package when a test needs it
# (chromium.sh, nginx.sh). The caller defines log() and err() first.
#
#   apt_install_package <package> <what to say when we cannot>
#
# Installs the package when we are root and have apt-get; never upgrades or
# removes anything. Returns 1, having said why, when it cannot.

_apt_install_quietly() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" >"$2" 2>&1
}

apt_install_package() {
  local package="$1" otherwise="$2"
  if [[ "$(id -u)" != 0 ]]; then
    err "not root: install it yourself (e.g. 'sudo apt-get install -y $package') and rerun; $otherwise"
    return 1
  fi
  if ! command -v apt-get >/dev/null; then
    err "no apt-get on this machine: install $package by hand; $otherwise"
    return 1
  fi
  local out
  out="$(mktemp)"
  # shellcheck disable=SC2064 # expand now: $out is local
  trap "rm -f '$out'" RETURN
  if ! _apt_install_quietly "$package" "$out"; then
    # Usually stale or missing package lists (fresh container): refresh once and retry.
    log "install failed; running apt-get update and retrying"
    if ! DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$out" 2>&1 ||
      ! _apt_install_quietly "$package" "$out"; then
      err "could not install $package with apt-get; last 30 lines:"
      tail -n 30 "$out" >&2
      return 1
    fi
  fi
}
