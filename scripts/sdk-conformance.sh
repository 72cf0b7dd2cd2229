#!/usr/bin/env bash
# Runs the iii SDK's own integration suite (sdk/packages/node/iii/tests at tag iii/v0.22.1 of the
# public iii repository), unmodified, against this project's embedded engine, one file at a time,
# and prints a pass/fail table. The suite is not part of this repository: pass the path of an
# extracted `sdk/` folder whose packages/node/iii has its dev dependencies installed
# (see README, "SDK conformance").
#
#   scripts/sdk-conformance.sh /path/to/iii/sdk [test-file-filter]
set -uo pipefail
sdk_dir=$(cd "${1:?usage: $0 /path/to/iii/sdk [filter]}" && pwd)
filter=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
suite="$sdk_dir/packages/node/iii"

npm --prefix "$root" run build --silent || exit 1
cli="$root/dist/src/engine/cli.js"
run_dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$run_dir"; }
trap cleanup EXIT

# Each engine runs in its own directory, so each has its own ./data database: two engines on one
# database file would hand out the same change-log sequence numbers (the fixtures give the bridge
# backend in-memory state, which the embedded engine, storing per engine rather than per worker,
# does not read from the adapter config).
start_engine() { # name config
  mkdir -p "$run_dir/$1"
  (cd "$run_dir/$1" && exec node "$cli" --config "$2" >"$run_dir/$1.log" 2>&1) &
  pids+=($!)
}
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

start_engine main "$sdk_dir/fixtures/config-test.yaml"
start_engine bridge-backend "$sdk_dir/fixtures/config-bridge-backend.yaml"
wait_port 49199 || { echo "main engine did not start"; cat "$run_dir/main.log"; exit 1; }
wait_port 49198 && start_engine bridge "$sdk_dir/fixtures/config-bridge.yaml"
wait_port 49197 || true

printf '| file | result |\n|---|---|\n'
pass=0; fail=0
for file in "$suite"/tests/*.test.ts; do
  name=$(basename "$file")
  [[ -n "$filter" && "$name" != *"$filter"* ]] && continue
  if (cd "$suite" && III_URL=ws://localhost:49199 III_HTTP_URL=http://localhost:3199 \
        timeout 300 npx vitest run "tests/$name" >"$run_dir/$name.out" 2>&1); then
    printf '| %s | pass |\n' "$name"; pass=$((pass + 1))
  else
    summary=$(grep -E 'Tests +[0-9]' "$run_dir/$name.out" | tail -1 | sed 's/^ *//')
    printf '| %s | FAIL (%s) |\n' "$name" "${summary:-see log}"; fail=$((fail + 1))
    [[ -n "${VERBOSE:-}" ]] && tail -40 "$run_dir/$name.out"
  fi
done
echo
echo "$pass passed, $fail failed"
