#!/usr/bin/env bash
# LabelGate vs Cedar vs Casbin, native: runs the criterion benches once, then prints the
# medians and ratios and writes ratios.svg. Usage: bash bench/peers/run.sh
set -euo pipefail
cd "$(dirname "$0")"
python3 cedar/gen.py
cargo bench --bench peers -- --noplot 2>&1 | grep -E '^\[|time:|^[a-z_]+/' || true
python3 report.py
