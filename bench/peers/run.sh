#!/usr/bin/env bash
# LabelGate vs Cedar vs Casbin: runs the native criterion benches once and the JavaScript
# benchmark (LabelGate's npm package vs @cedar-policy/cedar-wasm in Node) once, then prints
# the medians and ratios and writes ratios.svg. Usage: bash bench/peers/run.sh
# The JavaScript part needs the npm package built (bash scripts/build-wasm.sh).
set -euo pipefail
cd "$(dirname "$0")"
python3 cedar/gen.py
cargo bench --bench peers -- --noplot 2>&1 | grep -E '^\[|time:|^[a-z_]+/' || true
[ -f ../../wasm/pkg/node/labelgate_bg.wasm ] || bash ../../scripts/build-wasm.sh
(cd js && { [ -d node_modules/@cedar-policy ] || npm ci --no-audit --no-fund; } && node bench.mjs)
python3 report.py
