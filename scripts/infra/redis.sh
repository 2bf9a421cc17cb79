#!/usr/bin/env bash
# Make sure a Redis answers on 127.0.0.1:6379; if not, start the machine's
# redis-server as a daemon (no persistence: it is a cache for dev/CI).
# Never stops or reconfigures a running Redis.
#
#   scripts/infra/redis.sh ensure
#
# Env: REDIS_PORT (6379), REDIS_START_TIMEOUT (30 s).
set -euo pipefail

REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_START_TIMEOUT="${REDIS_START_TIMEOUT:-30}"
REDIS_DIR=/var/lib/redis
REDIS_LOG=/var/log/redis/ci.log

log() { printf '[redis] %s\n' "$*"; }
err() { printf '[redis] ERROR: %s\n' "$*" >&2; }

ping_ok() {
  [[ "$(timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
}

cmd_ensure() {
  if ping_ok; then
    log "PONG on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  log "no PONG on 127.0.0.1:$REDIS_PORT; starting redis-server"
  mkdir -p "$REDIS_DIR" "$(dirname "$REDIS_LOG")"
  # (redis-server refuses to start if its --dir or log folder is missing.)
  # -::1 makes the IPv6 bind optional (no error where IPv6 is off).
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" \
    --save "" --appendonly no --dir "$REDIS_DIR" --logfile "$REDIS_LOG" ||
    log "redis-server returned $? (checking PONG anyway)"
  local i
  for ((i = 0; i < REDIS_START_TIMEOUT * 4; i++)); do
    ping_ok && { log "PONG on 127.0.0.1:$REDIS_PORT"; return 0; }
    sleep 0.25
  done
  err "Redis not answering after ${REDIS_START_TIMEOUT}s"
  [[ -f "$REDIS_LOG" ]] && { err "last 30 lines of $REDIS_LOG:"; tail -n 30 "$REDIS_LOG" >&2; }
  return 1
}

case "${1:-}" in
  ensure) cmd_ensure ;;
  *) echo "usage: $0 ensure" >&2; exit 2 ;;
esac
