#!/usr/bin/env bash
# LabelGate vs Cedar (two encodings), Rego (regorus) and Casbin: runs the native criterion
# benches once, sizes regorus as wasm (size.sh), runs the JavaScript benchmark (LabelGate's
# npm package vs @cedar-policy/cedar-wasm in Node) once, then prints the medians and ratios
# and writes ratios.svg. Usage: bash bench/peers/run.sh
# The JavaScript part and the sizes need the npm package built (bash scripts/build-wasm.sh).
set -euo pipefail
cd "$(dirname "$0")"
python3 cedar/gen.py
mkdir -p target
cargo bench --bench peers -- --noplot > target/peers-bench.log 2>&1 ||
  { tail -40 target/peers-bench.log; exit 1; }
grep -E '^\[|time:|^[a-z_]+/' target/peers-bench.log
[ -f ../../wasm/pkg/node/labelgate_bg.wasm ] || bash ../../scripts/build-wasm.sh
(cd js && { [ -d node_modules/@cedar-policy ] || npm ci --no-audit --no-fund; })
bash size.sh
# Node 20's V8 sometimes dies in its deoptimizer ("unreachable code") while warming up the
# cedar-wasm loops; a fresh process then runs through, so try up to three times.
(cd js && for try in 1 2 3; do
  node bench.mjs && break
  [ "$try" = 3 ] && exit 1
  echo "node bench.mjs died (see README, JavaScript); trying again" >&2
done)
python3 report.py
