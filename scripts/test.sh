#!/usr/bin/env bash
# Runs every LabelGate test: formatting, lints, the no-std build of the core, the vector
# suite, the reference-model differential and the rest of the workspace's tests.
# Installs what it needs (Rust targets and components) idempotently.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_component rustfmt
ensure_component clippy
ensure_target x86_64-unknown-none

say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings
say "policy-core for a target with no std at all (x86_64-unknown-none)"
cargo build -p policy-core --target x86_64-unknown-none --quiet
say "the generated cell vectors are up to date"
cp tests/vectors/cells.json target/cells.before.json
cargo run -q -p labelgate-tests --bin gen_vectors >/dev/null
if ! cmp -s target/cells.before.json tests/vectors/cells.json; then
  echo "tests/vectors/cells.json is stale: commit the regenerated file" >&2
  exit 1
fi

say "cargo test --workspace"
log=target/test-cargo.log
set +e
cargo test --workspace 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo 'test result: [a-z]+\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
echo "rust: ${passed} passed, ${failed} failed"
exit "$status"
