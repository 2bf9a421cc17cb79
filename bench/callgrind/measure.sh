#!/usr/bin/env bash
# Instructions per request of one harness variant: measure.sh <variant> [warm-up] [counted]
# (variants in harness.cjs). Needs valgrind and `npx tsc -b`. See README.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$(dirname "$0")/lib.sh"
VARIANT=$1 WARM=${2:-3000} N=${3:-5000}
PORT=$((7100 + RANDOM % 500))
WORK=$(mktemp -d)
export LOG_LEVEL=${LOG_LEVEL:-info} LOG_FORMAT=json
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/cg" \
  "$NODE" --predictable "$ROOT/bench/callgrind/harness.cjs" "$VARIANT" "$PORT" >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 1 120); do grep -q ready "$WORK/err" 2>/dev/null && break; sleep 1; done
"$NODE" "$ROOT/bench/callgrind/load.cjs" "$PORT" "$WARM"
echo -n "$VARIANT "
count_between "$PID" "$WORK/cg" "$N" "$NODE" "$ROOT/bench/callgrind/load.cjs" "$PORT" "$N"
rm -rf "$WORK"
