#!/usr/bin/env bash
# Make sure a Chromium for the browser end-to-end tests is at /usr/bin/chromium
# (test/e2e/browser/*.e2e.spec.ts launch it through playwright-core; no
# browser is downloaded by npm). Installs the distribution's package when it
# is missing and we can (root + apt-get); never upgrades or removes one.
#
#   scripts/infra/chromium.sh ensure
#
# Env: CHROMIUM_BIN (/usr/bin/chromium).
set -euo pipefail

CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"

log() { printf '[chromium] %s\n' "$*"; }
err() { printf '[chromium] ERROR: %s\n' "$*" >&2; }

version() {
  # --version needs no display and starts no browser; a broken install fails here.
  timeout 30 "$CHROMIUM_BIN" --version 2>/dev/null
}

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
    >"$1" 2>&1
}

cmd_ensure() {
  if [[ -x "$CHROMIUM_BIN" ]]; then
    local v
    if v="$(version)"; then
      log "$v at $CHROMIUM_BIN"
      return 0
    fi
    err "$CHROMIUM_BIN exists but '$CHROMIUM_BIN --version' failed"
    return 1
  fi
  log "$CHROMIUM_BIN is missing; installing the 'chromium' package"
  if [[ "$(id -u)" != 0 ]]; then
    err "not root: install it yourself (e.g. 'sudo apt-get install -y chromium') and rerun"
    return 1
  fi
  if ! command -v apt-get >/dev/null; then
    err "no apt-get on this machine: install Chromium at $CHROMIUM_BIN by hand"
    return 1
  fi
  local out
  out="$(mktemp)"
  trap 'rm -f "$out"' RETURN
  if ! apt_install "$out"; then
    # Usually stale or missing package lists (fresh container): refresh once and retry.
    log "install failed; running apt-get update and retrying"
    if ! DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$out" 2>&1 || ! apt_install "$out"; then
      err "could not install chromium with apt-get; last 30 lines:"
      tail -n 30 "$out" >&2
      return 1
    fi
  fi
  if [[ ! -x "$CHROMIUM_BIN" ]]; then
    err "the chromium package installed, but $CHROMIUM_BIN is still missing"
    return 1
  fi
  local v
  if ! v="$(version)"; then
    err "installed, but '$CHROMIUM_BIN --version' failed"
    return 1
  fi
  log "installed $v at $CHROMIUM_BIN"
}

case "${1:-}" in
  ensure) cmd_ensure ;;
  *) echo "usage: $0 ensure" >&2; exit 2 ;;
esac
