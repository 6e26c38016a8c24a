#!/usr/bin/env bash
# Benchmarks the policy core with criterion and prints a table of medians and ratios.
# Usage: bash scripts/bench-core.sh   (about 2 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p labelgate-tests --bench core "$@" 2>&1 | grep -E '^(large snapshot|visible projects)' || true
python3 scripts/bench_summary.py
