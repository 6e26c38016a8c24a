#!/usr/bin/env bash
# The LabelGate demo: builds the npm package and serves the demo page (a Label Studio-like
# project list deciding with the policy in the browser) on http://127.0.0.1:8788/.
# Stop it with Ctrl-C. Set PORT to use another port.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bash scripts/build-wasm.sh
say "what each member of the demo organization may do (native core):"
cargo run -q -p policy-core --example demo | head -12
say "the demo page: open http://127.0.0.1:${PORT:-8788}/ (Ctrl-C to stop)"
exec node demo/serve.mjs --port "${PORT:-8788}"
