#!/usr/bin/env bash
# Make sure an nginx binary is on the PATH for test/e2e/deploy/one-origin.e2e.spec.ts,
# which runs the shipped edge route table (deploy/compose/edge.conf) in front of the
# distributed stack. Installs Debian's `nginx` package when it is missing and we can
# (root + apt-get); never upgrades or removes one. If apt started the package's own
# service, it is stopped again (the test runs `nginx -g 'daemon off;'` with its own
# config and prefix).
#
#   scripts/infra/nginx.sh ensure
#
# Env: NGINX_BIN (nginx on the PATH, else /usr/sbin/nginx).
set -euo pipefail

NGINX_BIN="${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}"

log() { printf '[nginx] %s\n' "$*"; }
err() { printf '[nginx] ERROR: %s\n' "$*" >&2; }
# shellcheck source=lib/apt.sh
source "$(dirname "$0")/lib/apt.sh"

version() {
  "$NGINX_BIN" -v 2>&1
}

cmd_ensure() {
  if [[ -x "$NGINX_BIN" ]]; then
    local v
    if v="$(version)"; then
      log "$v at $NGINX_BIN"
      return 0
    fi
    err "$NGINX_BIN exists but '$NGINX_BIN -v' failed"
    return 1
  fi
  log "$NGINX_BIN is missing; installing the 'nginx' package"
  apt_install_package nginx "without it the one-origin e2e test skips" || return 1
  NGINX_BIN=/usr/sbin/nginx
  # Debian starts a freshly installed service unless policy-rc.d forbids it (containers
  # usually do); we only need the binary, not a server on port 80.
  if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
    systemctl disable --now nginx >/dev/null 2>&1 || true
  elif command -v invoke-rc.d >/dev/null; then
    invoke-rc.d nginx stop >/dev/null 2>&1 || true
  fi
  local v
  if ! v="$(version)"; then
    err "installed, but '$NGINX_BIN -v' failed"
    return 1
  fi
  log "installed $v at $NGINX_BIN"
}

case "${1:-}" in
  ensure) cmd_ensure ;;
  *) echo "usage: $0 ensure" >&2; exit 2 ;;
esac
