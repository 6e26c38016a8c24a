#!/usr/bin/env bash
# Builds the npm package of the policy (wasm/pkg): wasm-bindgen for the web (ESM with
# init), bundlers and Node, optimized with wasm-opt, with TypeScript declarations.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_target wasm32-unknown-unknown
ensure_wasm_bindgen
ensure_npm

# The release profile strips custom sections, the target_features one included, so wasm-opt
# is told the features rustc enables by default for wasm32-unknown-unknown (Rust >= 1.82).
WASM_OPT=(node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers
  --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-reference-types)

say "building labelgate-wasm for wasm32-unknown-unknown"
cargo build -q -p labelgate-wasm --target wasm32-unknown-unknown --profile wasm-release
raw=target/wasm32-unknown-unknown/wasm-release/labelgate_wasm.wasm
pkg=wasm/pkg
rm -rf "$pkg"
for target in web bundler nodejs; do
  out="$pkg/$target"
  wasm-bindgen --target "$target" --out-dir "$out" --out-name labelgate "$raw"
  "${WASM_OPT[@]}" "$out/labelgate_bg.wasm" -o "$out/labelgate_bg.wasm"
done
mv "$pkg/nodejs" "$pkg/node"
# The raw wasm exports of the web target are typed `any`: they are externrefs, say `unknown`.
sed -i -E "s/\\bany\\b/unknown/g" "$pkg/web/labelgate.d.ts"
# wasm-bindgen prints a typed Option parameter as required: mark the optional ones.
for dts in "$pkg"/*/labelgate.d.ts; do
  sed -i -E 's/matrix: Matrix \| string\)/matrix?: Matrix | string)/; s/resource: Resource( \| undefined)?\)/resource?: Resource)/' "$dts"
  grep -q 'matrix?: Matrix | string): Policy' "$dts" && grep -q 'resource?: Resource): Action' "$dts" \
    || { echo "$dts: optional parameters not found" >&2; exit 1; }
done
echo '{"type": "module"}' > "$pkg/web/package.json"
echo '{"type": "module"}' > "$pkg/bundler/package.json"
echo '{"type": "commonjs"}' > "$pkg/node/package.json"
cp wasm/npm/package.json wasm/npm/README.md "$pkg/"
# The plain policy module for wasmtime and any other runtime (docs/MODULE.md).
say "building the policy module (labelgate-module)"
cargo build -q -p labelgate-module --target wasm32-unknown-unknown --profile wasm-release
mkdir -p target/labelgate
"${WASM_OPT[@]}" \
  target/wasm32-unknown-unknown/wasm-release/labelgate_module.wasm -o target/labelgate/labelgate_policy.wasm
say "target/labelgate/labelgate_policy.wasm: $(wc -c < target/labelgate/labelgate_policy.wasm | tr -d ' ') bytes, $(gzip_size target/labelgate/labelgate_policy.wasm) gzip"

size=$(wc -c < "$pkg/web/labelgate_bg.wasm" | tr -d ' ')
gz=$(gzip_size "$pkg/web/labelgate_bg.wasm")
printf '{"wasm_bytes": %s, "wasm_gzip_bytes": %s}\n' "$size" "$gz" > "$pkg/sizes.json"
say "wasm/pkg built: labelgate_bg.wasm is $size bytes, $gz bytes gzip (budget 61440)"
