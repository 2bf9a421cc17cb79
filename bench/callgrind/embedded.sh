#!/usr/bin/env bash
# Instructions per /introspect of the embedded mode (one opaque token, JSON answers):
# embedded.sh [warm-up] [counted]; LOG_LEVEL as set (default info). Needs valgrind and
# `npx tsc -b apps/embedded`. Start-up under valgrind takes a few minutes. See README.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$(dirname "$0")/lib.sh"
WARM=${1:-2000} N=${2:-4000}
CLIENT=svc-opaque SECRET=svc-opaque-secret-0123456789abcdef
WORK=$(mktemp -d)
cat >"$WORK/seed.json" <<JSON
{"clients":[{"client_id":"$CLIENT","client_secret":"$SECRET","grant_types":["client_credentials"],
"response_types":[],"redirect_uris":[],"token_endpoint_auth_method":"client_secret_basic",
"access_token_format":"opaque","scope":"reports:read"}],"users":[]}
JSON
PORT=$((7600 + RANDOM % 300))
export PORT ADMIN_PORT=$((PORT + 300)) DATA_DIR="$WORK/data" SEED_FILE="$WORK/seed.json"
export ISSUER="http://127.0.0.1:$PORT" LOG_LEVEL=${LOG_LEVEL:-info} LOG_FORMAT=json
for endpoint in TOKEN INTROSPECT REVOKE REGISTER USERINFO AUTHORIZE; do
  export "RATE_LIMIT_$endpoint=1000000" # on, out of reach (bench/lib/rate-limits.mjs)
done
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/cg" \
  "$NODE" --predictable "$ROOT/apps/embedded/dist/main.js" >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null && break; sleep 1; done
TOKEN=$(curl -s -u "$CLIENT:$SECRET" -d grant_type=client_credentials "http://127.0.0.1:$PORT/token" |
  sed 's/.*"access_token":"\([^"]*\)".*/\1/')
"$NODE" "$ROOT/bench/callgrind/load.cjs" "$PORT" "$WARM" "$TOKEN" "$CLIENT:$SECRET"
echo -n "embedded LOG_LEVEL=$LOG_LEVEL "
count_between "$PID" "$WORK/cg" "$N" "$NODE" "$ROOT/bench/callgrind/load.cjs" "$PORT" "$N" "$TOKEN" "$CLIENT:$SECRET"
rm -rf "$WORK"
