#!/usr/bin/env bash
# Bring up everything the services and integration tests need:
# Redis, PostgreSQL (+ databases idp_test, idp) and the local Kafka broker.
# Kafka (the slow one) starts in the background while Redis/PG are checked.
# Exits non-zero, naming the failed part(s), if anything is not up.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Kafka output goes to a temp file and is replayed after, so lines don't mix.
kafka_out="$(mktemp)"
trap 'rm -f "$kafka_out"' EXIT
"$DIR/kafka.sh" start >"$kafka_out" 2>&1 &
kafka_pid=$!

failed=()
"$DIR/redis.sh" ensure || failed+=(redis)
"$DIR/postgres.sh" ensure || failed+=(postgres)

kafka_rc=0
wait "$kafka_pid" || kafka_rc=$?
cat "$kafka_out"
((kafka_rc == 0)) || failed+=(kafka)

if ((${#failed[@]})); then
  echo "[up] FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "[up] redis, postgres, kafka are up"
