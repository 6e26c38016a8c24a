#!/usr/bin/env bash
# The LabelGate demo: what each member of the embedded demo organization may do.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q -p policy-core --example demo
