#!/usr/bin/env bash
# regorus as a wasm32-unknown-unknown module (rego-wasm/: the interpreter behind a three-call
# C ABI), checked on the vector suite in Node, then sized beside LabelGate's and Cedar's wasm.
# Usage: bash bench/peers/size.sh. Needs the root's npm packages (wasm-opt from binaryen), as
# bash scripts/build-wasm.sh installs them. Writes target/rego-wasm/sizes.json.
set -euo pipefail
cd "$(dirname "$0")"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
cargo build --release --target wasm32-unknown-unknown --manifest-path rego-wasm/Cargo.toml \
  --target-dir target
out=target/rego-wasm
mkdir -p "$out"
wasm=target/wasm32-unknown-unknown/release/rego_wasm.wasm
opt=../../node_modules/.bin/wasm-opt
[ -x "$opt" ] || { echo "size.sh: $opt is missing (bash scripts/build-wasm.sh installs it)" >&2; exit 1; }
"$opt" -Oz --strip-debug --strip-producers "$wasm" -o "$out/rego_wasm.opt.wasm"
cargo test --release --test rego_cost -- --ignored rego_wasm_fixture >/dev/null
node rego-wasm/check.mjs "$out/rego_wasm.opt.wasm"
python3 - "$wasm" "$out/rego_wasm.opt.wasm" <<'PY'
import gzip, json, os, sys
def size(path):
    if not os.path.exists(path):
        return None
    data = open(path, "rb").read()
    return {"raw": len(data), "gzip": len(gzip.compress(data, 9, mtime=0))}
rows = {
    "regorus interpreter (cargo, opt-level z)": size(sys.argv[1]),
    "regorus interpreter (+ wasm-opt -Oz)": size(sys.argv[2]),
    "LabelGate labelgate_bg.wasm (npm package, node)": size("../../wasm/pkg/node/labelgate_bg.wasm"),
    "Cedar cedar_wasm_bg.wasm (@cedar-policy/cedar-wasm, node)":
        size("js/node_modules/@cedar-policy/cedar-wasm/nodejs/cedar_wasm_bg.wasm"),
}
print(f"{'module (wasm only, no JS glue)':58} {'bytes':>10} {'gzip -9':>10}")
for name, s in rows.items():
    print(f"{name:58} {s['raw'] if s else '-':>10} {s['gzip'] if s else '-':>10}")
json.dump(rows, open("target/rego-wasm/sizes.json", "w"), indent=1)
PY
