#!/usr/bin/env bash
# Tests the edge authorizer: builds it (scripts/build-worker.sh), runs its Rust unit tests and
# lints for wasm32, then the Node suites of tests/worker/, which start the built Worker in
# workerd through Miniflare in front of a recording origin (127.0.0.1 only): every identity
# path, every route-table row, the hostile requests, the KV snapshot, the vector suite, and
# `wrangler deploy --dry-run`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

bash scripts/build-worker.sh

say "edge-worker unit tests (native) and clippy for wasm32"
cargo test -q -p edge-worker 2>&1 | tee target/test-worker-cargo.log | grep -E "^test result|FAILED|panicked" || true
grep -q "test result: FAILED" target/test-worker-cargo.log && exit 1
cargo clippy -q -p edge-worker --target wasm32-unknown-unknown -- -D warnings
cargo clippy -q -p edge-worker --target wasm32-unknown-unknown --features test-endpoints -- -D warnings

say "node --test tests/worker/ (workerd through Miniflare)"
log=target/test-worker-node.log
set +e
node --test --test-timeout=600000 tests/worker/ 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
unit=$(grep -Eo 'test result: ok\. [0-9]+ passed' target/test-worker-cargo.log | awk '{s+=$4} END {print s+0}')
pass=$(grep -E '^# pass' "$log" | awk '{print $3}')
fail=$(grep -E '^# fail' "$log" | awk '{print $3}')
echo "worker: ${unit} rust unit tests passed; node: ${pass:-0} passed, ${fail:-0} failed"
exit "$status"
