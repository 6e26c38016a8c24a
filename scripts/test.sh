#!/usr/bin/env bash
# Runs every LabelGate test. Installs what it needs, idempotently (Rust targets and
# components, the pinned wasm-bindgen CLI, the pinned npm packages, Debian's Chromium).
#   1. formatting, lints (native and wasm32), the no-std build of the core
#   2. the Rust tests: vector suite, reference-model differential, loading, JSON twins,
#      hostile wasm modules, cross-host (native, wasmtime, Node) vectors and differentials
#   3. the npm package in Node; the edge Worker in workerd (Miniflare) in front of a
#      recording origin; the demo page in headless Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_component rustfmt
ensure_component clippy
ensure_target x86_64-unknown-none
ensure_target wasm32-unknown-unknown

say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy (warnings are errors), native and wasm32"
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy -p labelgate-wasm -p labelgate-module -p edge-worker --target wasm32-unknown-unknown --quiet -- -D warnings
say "policy-core for a target with no std at all (x86_64-unknown-none)"
cargo build -p policy-core --target x86_64-unknown-none --quiet

say "building the npm package and the policy module"
bash scripts/build-wasm.sh
say "building the Worker"
bash scripts/build-worker.sh

say "the generated cell vectors are up to date"
cp tests/vectors/cells.json target/cells.before.json
cargo run --release -q -p labelgate-tests --bin gen_vectors >/dev/null
if ! cmp -s target/cells.before.json tests/vectors/cells.json; then
  echo "tests/vectors/cells.json is stale: commit the regenerated file" >&2
  exit 1
fi

logs=target/test-logs
mkdir -p "$logs"
status=0
run() { # run NAME COMMAND...: tee the output to a log, remember a failure, go on
  local name=$1; shift
  say "$name"
  set +e
  "$@" 2>&1 | tee "$logs/$name.log"
  local s=${PIPESTATUS[0]}
  set -e
  [ "$s" -eq 0 ] || { echo "$name failed (exit $s)" >&2; status=1; }
}

run rust cargo test --workspace --release
run node node --test tests/node/
run worker node --test --test-timeout=600000 tests/worker/
bash scripts/setup-browser.sh
run browser node --test tests/browser/

passed=0; failed=0
for f in "$logs"/rust.log; do
  passed=$((passed + $(grep -Eo 'test result: [a-z]+\. [0-9]+ passed' "$f" | awk '{s+=$4} END {print s+0}')))
  failed=$((failed + $(grep -Eo '[0-9]+ failed;' "$f" | awk '{s+=$1} END {print s+0}')))
done
for f in "$logs"/node.log "$logs"/worker.log "$logs"/browser.log; do
  passed=$((passed + $(grep -E '^# pass [0-9]+' "$f" | awk '{s+=$3} END {print s+0}')))
  failed=$((failed + $(grep -E '^# fail [0-9]+' "$f" | awk '{s+=$3} END {print s+0}')))
done
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "labelgate: ${passed} passed, ${failed} failed"
exit "$status"
