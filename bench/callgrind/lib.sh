# Shared by measure.sh and embedded.sh: runs a server under callgrind with instrumentation off,
# then counts only the requests between `callgrind_control -i on` and `-i off`.
NODE="$ROOT/node_modules/node/bin/node"
# usage: count_between <pid> <out-prefix> <n> <command...>; prints instructions per request
count_between() {
  local pid=$1 out=$2 n=$3
  shift 3
  callgrind_control -i on "$pid" >/dev/null 2>&1
  "$@"
  callgrind_control -i off "$pid" >/dev/null 2>&1
  callgrind_control -d "$pid" >/dev/null 2>&1
  sleep 1
  kill "$pid"
  wait "$pid" 2>/dev/null || true # killed: its status is not ours
  local total
  total=$(grep -h '^totals:' "$out".* | awk '{ s += $2 } END { print s }')
  echo "instructions=$total per_request=$((total / n))"
}
