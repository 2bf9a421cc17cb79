#!/usr/bin/env bash
# Make sure the machine's PostgreSQL (127.0.0.1:5432, trust auth, user
# postgres) is up and the app databases exist. Never stops or reconfigures it.
#
#   scripts/infra/postgres.sh ensure [db ...]     # default dbs: idp_test idp
#
# Env: PG_HOST (127.0.0.1), PG_PORT (5432), PG_USER (postgres),
# PG_START_TIMEOUT (60 s).
set -euo pipefail

PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
PG_START_TIMEOUT="${PG_START_TIMEOUT:-60}"

log() { printf '[postgres] %s\n' "$*"; }
err() { printf '[postgres] ERROR: %s\n' "$*" >&2; }

ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }

psql_admin() {
  psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres "$@"
}

start_cluster() {
  # Debian cluster layout: /etc/postgresql/<version>/main. There is no
  # systemd here, hence --skip-systemctl-redirect.
  local version
  version="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$version" ]] || { err "no cluster under /etc/postgresql"; return 1; }
  log "not accepting connections; starting cluster $version/main"
  # A non-zero exit can mean "already starting"; readiness below decides.
  pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
    log "pg_ctlcluster returned $? (checking readiness anyway)"
  local i
  for ((i = 0; i < PG_START_TIMEOUT * 2; i++)); do
    ready && { log "ready on $PG_HOST:$PG_PORT"; return 0; }
    sleep 0.5
  done
  err "PostgreSQL not ready after ${PG_START_TIMEOUT}s"
  local logf="/var/log/postgresql/postgresql-$version-main.log"
  [[ -f "$logf" ]] && { err "last 30 lines of $logf:"; tail -n 30 "$logf" >&2; }
  return 1
}

db_exists() {
  # Name passed as a psql variable (:'db') so any quoting is safe.
  [[ "$(psql_admin -tA -v db="$1" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")" == 1 ]]
}

create_dbs() {
  local db out
  for db in "$@"; do
    if db_exists "$db"; then
      log "database $db exists"
    # CREATE DATABASE cannot run inside DO/transactions, hence check-then-create;
    # a concurrent creator may win the race, so re-check on failure.
    elif out="$(psql_admin -v db="$db" <<<'CREATE DATABASE :"db";' 2>&1)"; then
      log "created database $db"
    elif db_exists "$db"; then
      log "database $db exists (created concurrently)"
    else
      err "could not create database $db: $out"
      return 1
    fi
  done
}

cmd_ensure() {
  if ready; then
    log "accepting connections on $PG_HOST:$PG_PORT"
  else
    start_cluster
  fi
  if [[ $# -eq 0 ]]; then
    set -- idp_test idp
  fi
  create_dbs "$@"
}

case "${1:-}" in
  ensure) shift; cmd_ensure "$@" ;;
  *) echo "usage: $0 ensure [database ...]" >&2; exit 2 ;;
esac
