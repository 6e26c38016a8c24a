#!/usr/bin/env bash
# Runs every LabelGate test. Installs what it needs, idempotently (Rust targets and
# components, the pinned wasm-bindgen CLI, the pinned npm packages, Debian's Chromium).
#   1. formatting, lints (native and wasm32), the no-std build of the core
#   2. the Rust tests: vector suite, reference-model differential, loading, JSON twins,
#      hostile wasm modules, cross-host (native, wasmtime, Node) vectors and differentials
#   3. the agreement of LabelGate with the same policy written in Cedar (two encodings, whole
#      and sliced), Rego (regorus, interpreter and VM) and Casbin (bench/peers: the vectors
#      and random requests, 0 disagreements);
#   4. the npm package in Node; the edge Worker in workerd (Miniflare) in front of a
#      recording origin; the Worker in front of a real Label Studio driven by its own Python
#      SDK, with a load test that kills and restarts Label Studio (5,000 requests here;
#      LABELGATE_LOAD_REQUESTS=20000 for the full run); the demo page in headless Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_component rustfmt
ensure_component clippy
ensure_target x86_64-unknown-none
ensure_target wasm32-unknown-unknown

say "cargo fmt --check"
cargo fmt --all -- --check
say "no two modules of a crate import each other"
python3 scripts/check-cycles.py policy-core/src edge-worker/src
say "cargo clippy (warnings are errors), native and wasm32"
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy -p labelgate-wasm -p labelgate-module -p edge-worker --target wasm32-unknown-unknown --quiet -- -D warnings
# The Worker's test bundle too (src/testing.rs and the fault hook, feature test-endpoints).
cargo clippy -p edge-worker --all-targets --features test-endpoints --quiet -- -D warnings
cargo clippy -p edge-worker --target wasm32-unknown-unknown --features test-endpoints --quiet -- -D warnings
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
run peers cargo test --release --manifest-path bench/peers/Cargo.toml
run node node --test tests/node/
run worker node --test --test-timeout=600000 tests/worker/
run labelstudio env LABELGATE_LOAD_REQUESTS="${LABELGATE_LOAD_REQUESTS:-5000}" LABELGATE_NO_BUILD=1 \
  bash scripts/test-labelstudio.sh
bash scripts/setup-browser.sh
run browser node --test tests/browser/

# sum PATTERN FIELD FILE...: the sum of field FIELD of the matches of PATTERN (0 if none).
sum() {
  local pattern=$1 field=$2; shift 2
  { grep -hEo "$pattern" "$@" 2>/dev/null || true; } | awk -v f="$field" '{s+=$f} END {print s+0}'
}
passed=$(( $(sum 'test result: [a-z]+\. [0-9]+ passed' 4 "$logs/rust.log" "$logs/peers.log") \
  + $(sum '^# pass [0-9]+' 3 "$logs/node.log" "$logs/worker.log" "$logs/browser.log") \
  + $(sum '^labelstudio: [0-9]+ passed' 2 "$logs/labelstudio.log") ))
failed=$(( $(sum '[0-9]+ failed;' 1 "$logs/rust.log" "$logs/peers.log") \
  + $(sum '^# fail [0-9]+' 3 "$logs/node.log" "$logs/worker.log" "$logs/browser.log") \
  + $(sum '[0-9]+ failed' 1 "$logs/labelstudio.log") ))
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "labelgate: ${passed} passed, ${failed} failed"
exit "$status"
