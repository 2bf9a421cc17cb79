#!/usr/bin/env bash
# Instructions per write request of the embedded mode, three kinds in one process (start-up under
# valgrind is the slow part): client_credentials /token with an opaque token (cc-opaque), with a
# JWT ES256 access token (cc-es256), and a refresh-token rotation (web-opaque: a new opaque access
# token, refresh token and ES256-or-RS256 ID token each). Each kind: a warm-up with instrumentation
# off, then the counted requests between `callgrind_control -i on` and `-i off`, then a dump.
# write-path.sh [warm-up] [counted] [kinds...]; IDP_ROOT=<checkout> measures another build with these
# scripts (for before/after); LOG_LEVEL as set (default info). Needs valgrind and `npx tsc -b`.
# --fair-sched=yes: without it the thread pool that signs ES256 starves and the RPC times out.
set -euo pipefail
ROOT=${IDP_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
HERE=$(cd "$(dirname "$0")" && pwd)
NODE="$ROOT/node_modules/node/bin/node"
WARM=${1:-1000} N=${2:-2000}
shift $(($# < 2 ? $# : 2))
KINDS=("${@:-opaque es256 refresh}")
read -r -a KINDS <<<"${KINDS[*]}"
WORK=$(mktemp -d)
secret() { echo "$1-secret-0123456789abcdefghij"; }
cat >"$WORK/seed.json" <<JSON
{"clients":[
 {"client_id":"cc-opaque","client_secret":"$(secret cc-opaque)","grant_types":["client_credentials"],
  "response_types":[],"redirect_uris":[],"token_endpoint_auth_method":"client_secret_basic",
  "access_token_format":"opaque","scope":"api:read"},
 {"client_id":"cc-es256","client_secret":"$(secret cc-es256)","grant_types":["client_credentials"],
  "response_types":[],"redirect_uris":[],"token_endpoint_auth_method":"client_secret_basic",
  "access_token_format":"jwt","access_token_signed_response_alg":"ES256","scope":"api:read"},
 {"client_id":"web-opaque","client_secret":"$(secret web-opaque)",
  "grant_types":["authorization_code","refresh_token"],"response_types":["code"],
  "redirect_uris":["https://rp.bench.test/cb"],"token_endpoint_auth_method":"client_secret_basic",
  "scope":"openid profile email offline_access","access_token_format":"opaque","skip_consent":true}],
 "users":[{"sub":"bench-user-0001","username":"bench","password":"bench-password-long-enough",
  "claims":{"name":"Bench User","email":"bench@example.test","email_verified":true}}]}
JSON
PORT=$((7600 + RANDOM % 300))
export PORT ADMIN_PORT=$((PORT + 300)) DATA_DIR="$WORK/data" SEED_FILE="$WORK/seed.json"
export ISSUER="http://127.0.0.1:$PORT" LOG_LEVEL=${LOG_LEVEL:-info} LOG_FORMAT=json
# The four sign-ins that start the refresh chains: their password checks are slow under valgrind.
export PASSWORD_CHECK_QUEUE_TIMEOUT_MS=60000
for endpoint in TOKEN INTROSPECT REVOKE REGISTER USERINFO AUTHORIZE; do
  export "RATE_LIMIT_$endpoint=1000000" # on, out of reach (bench/lib/rate-limits.mjs)
done
valgrind --tool=callgrind --fair-sched=yes --instr-atstart=no --callgrind-out-file="$WORK/cg" \
  "$NODE" --predictable "$ROOT/apps/embedded/dist/main.js" >"$WORK/out" 2>"$WORK/err" &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 900); do curl -sf "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null && break; sleep 1; done
dumps=0
for kind in "${KINDS[@]}"; do
  WARM_UP=1 "$NODE" "$HERE/write-load.mjs" "$ISSUER" "$kind" "$WARM" "$WORK/chains"
  callgrind_control -i on "$PID" >/dev/null 2>&1
  "$NODE" "$HERE/write-load.mjs" "$ISSUER" "$kind" "$N" "$WORK/chains"
  callgrind_control -i off "$PID" >/dev/null 2>&1
  callgrind_control -d "$PID" >/dev/null 2>&1
  dumps=$((dumps + 1))
  for _ in $(seq 1 60); do [ -s "$WORK/cg.$dumps" ] && break; sleep 1; done
  total=$(grep -h '^totals:' "$WORK/cg.$dumps" | awk '{ s += $2 } END { print s }')
  echo "embedded $kind LOG_LEVEL=$LOG_LEVEL root=$ROOT instructions=$total per_request=$((total / N))"
  if [ -n "${KEEP_DUMPS:-}" ]; then cp "$WORK/cg.$dumps" "$KEEP_DUMPS.$kind"; fi
done
