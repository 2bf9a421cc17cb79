#!/usr/bin/env bash
# Instructions per request of the embedded mode: ENDPOINT=introspect (the default: one opaque
# token, JSON answers), ENDPOINT=token (client_credentials, a token each appended to the event
# store; KIND=opaque, the default, or es256 for RFC 9068 JWTs) or ENDPOINT=userinfo (GET with a
# user's access token from the code flow; KIND=opaque or jwt; needs `npm ci` in bench/):
# embedded.sh [warm-up] [counted]; LOG_LEVEL as set (default info); IDP_ROOT=<checkout> measures
# another build (these scripts drive it). DPOP=1 (token, userinfo): every request with a fresh
# DPoP proof of one key, and at userinfo a token bound to it (RFC 9449).
# Needs valgrind and `npx tsc -b apps/embedded`.
# Start-up under valgrind takes a few minutes. See README.md.
set -euo pipefail
ROOT=${IDP_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
HERE=$(cd "$(dirname "$0")" && pwd)
ENDPOINT=${ENDPOINT:-introspect}
source "$HERE/lib.sh"
WARM=${1:-2000} N=${2:-4000}
CLIENT=svc-opaque SECRET=svc-opaque-secret-0123456789abcdef
KIND=${KIND:-opaque}
WORK=$(mktemp -d)
if [ "$ENDPOINT" = introspect ]; then
  cat >"$WORK/seed.json" <<JSON
{"clients":[{"client_id":"$CLIENT","client_secret":"$SECRET","grant_types":["client_credentials"],
"response_types":[],"redirect_uris":[],"token_endpoint_auth_method":"client_secret_basic",
"access_token_format":"opaque","scope":"reports:read"}],"users":[]}
JSON
else # the suite's clients and user (bench/lib/targets.mjs)
  "$NODE" "$HERE/credentials.mjs" seed >"$WORK/seed.json"
fi
PORT=$((7600 + RANDOM % 300))
export PORT ADMIN_PORT=$((PORT + 300)) DATA_DIR="$WORK/data" SEED_FILE="$WORK/seed.json"
export ISSUER="http://127.0.0.1:$PORT" LOG_LEVEL=${LOG_LEVEL:-info} LOG_FORMAT=json
for endpoint in TOKEN INTROSPECT REVOKE REGISTER USERINFO AUTHORIZE; do
  export "RATE_LIMIT_$endpoint=1000000" # on, out of reach (bench/lib/rate-limits.mjs)
done
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/cg" \
  "$NODE" --predictable "$ROOT/apps/embedded/dist/main.js" >"$WORK/out" 2>"$WORK/err" &
PID=$!
trap 'kill "$PID" 2>/dev/null || true' EXIT # a failed step must not leave the server running
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null && break; sleep 1; done
if [ "$ENDPOINT" = introspect ]; then
  TOKEN=$(curl -s -u "$CLIENT:$SECRET" -d grant_type=client_credentials "http://127.0.0.1:$PORT/token" |
    sed 's/.*"access_token":"\([^"]*\)".*/\1/')
else
  if [ "${DPOP:-0}" = 1 ]; then
    "$NODE" "$HERE/credentials.mjs" key "$WORK/dpop.pem"
    export DPOP_KEY="$WORK/dpop.pem"
  fi
  [ "$ENDPOINT" = userinfo ] && TOKEN_KIND=userinfo-$KIND || TOKEN_KIND=$KIND
  read -r TOKEN BASIC < <("$NODE" "$HERE/credentials.mjs" token "$TOKEN_KIND" "http://127.0.0.1:$PORT")
  CLIENT=${BASIC%%:*} SECRET=${BASIC#*:}
fi
export LOAD_ENDPOINT=$ENDPOINT
"$NODE" "$HERE/load.cjs" "$PORT" "$WARM" "$TOKEN" "$CLIENT:$SECRET"
echo -n "embedded /$ENDPOINT KIND=$KIND DPOP=${DPOP:-0} LOG_LEVEL=$LOG_LEVEL root=$ROOT "
count_between "$PID" "$WORK/cg" "$N" "$NODE" "$HERE/load.cjs" "$PORT" "$N" "$TOKEN" "$CLIENT:$SECRET"
rm -rf "$WORK"
