#!/usr/bin/env bash
# Builds the edge authorizer (edge-worker/) with worker-build, offline: wasm-bindgen,
# wasm-opt (npm binaryen) and esbuild (npm) come from this machine, so nothing is
# downloaded. Output: edge-worker/build/{index.js,index_bg.wasm}; the gzip size of the bundle
# goes to target/labelgate-bench/worker-size.json.
# Installs what it needs (Rust target, worker-build, wasm-bindgen-cli, pinned npm packages),
# and skips whatever is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

WORKER_BUILD_VERSION=0.8.7

ensure_target wasm32-unknown-unknown
ensure_wasm_bindgen
if [ "$(worker-build --version 2>/dev/null)" != "$WORKER_BUILD_VERSION" ]; then
  say "installing worker-build $WORKER_BUILD_VERSION (about 9 minutes)"
  cargo install --locked worker-build --version "$WORKER_BUILD_VERSION" --force
fi
# The pinned npm packages, installed with `npm ci` only when one is missing or at another
# version (lib.sh's ensure_npm compares lockfiles that never match, so it reinstalls always).
npm_pinned_ok() {
  node -e '
    const fs = require("fs");
    const want = JSON.parse(fs.readFileSync("package.json", "utf8")).devDependencies;
    for (const [name, version] of Object.entries(want)) {
      let got = null;
      try { got = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version; } catch {}
      if (got !== version) process.exit(1);
    }'
}
if ! npm_pinned_ok; then
  say "installing pinned npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

root=$PWD
esbuild="$root/node_modules/@esbuild/$(node -p 'process.platform + "-" + process.arch')/bin/esbuild"
[ -x "$esbuild" ] || esbuild="$root/node_modules/.bin/esbuild"
export WASM_BINDGEN_BIN
WASM_BINDGEN_BIN=$(command -v wasm-bindgen)
export WASM_OPT_BIN="$root/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$esbuild"

say "building edge-worker with worker-build (profile wasm-release, offline)"
(cd edge-worker && worker-build --profile wasm-release 2>&1 | grep -vE '^\s*$' | tail -n 4)

build=edge-worker/build
for f in index.js index_bg.wasm; do
  [ -s "$build/$f" ] || { echo "worker-build produced no $build/$f" >&2; exit 1; }
done
wasm=$(wc -c < "$build/index_bg.wasm" | tr -d ' ')
js=$(wc -c < "$build/index.js" | tr -d ' ')
wasm_gz=$(gzip_size "$build/index_bg.wasm")
js_gz=$(gzip_size "$build/index.js")
total_gz=$((wasm_gz + js_gz))
mkdir -p target/labelgate-bench
printf '{"wasm_bytes": %s, "js_bytes": %s, "wasm_gzip_bytes": %s, "js_gzip_bytes": %s, "bundle_gzip_bytes": %s, "budget_gzip_bytes": 409600}\n' \
  "$wasm" "$js" "$wasm_gz" "$js_gz" "$total_gz" > target/labelgate-bench/worker-size.json
say "edge-worker built: index_bg.wasm $wasm bytes + index.js $js bytes; bundle $total_gz bytes gzip (budget 409600)"
if [ "$total_gz" -gt 409600 ]; then
  echo "the Worker bundle is over its 400 KB gzip budget" >&2
  exit 1
fi

# The web UI's static assets (binding ASSETS, wrangler.toml [assets]): LabelGate's UI script,
# style and activity log page (edge-worker/ui/) and the browser package (wasm/pkg/web, built
# by scripts/build-wasm.sh when missing). Served at /__labelgate/ui/..., outside the bundle.
[ -s wasm/pkg/web/labelgate_bg.wasm ] || bash scripts/build-wasm.sh
assets=$build/assets/__labelgate/ui
rm -rf "$build/assets"
mkdir -p "$assets/pkg"
cp edge-worker/ui/*.js edge-worker/ui/*.html "$assets/"
cp wasm/pkg/web/labelgate.js wasm/pkg/web/labelgate_bg.wasm "$assets/pkg/"
say "UI assets: $(find "$build/assets" -type f | wc -l) files, $(du -sk "$build/assets" | cut -f1) KB"
