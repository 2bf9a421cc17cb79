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
# shellcheck source=lib/apt.sh
source "$(dirname "$0")/lib/apt.sh"

version() {
  # --version needs no display and starts no browser; a broken install fails here.
  timeout 30 "$CHROMIUM_BIN" --version 2>/dev/null
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
  apt_install_package chromium "the browser e2e tests need it" || return 1
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
