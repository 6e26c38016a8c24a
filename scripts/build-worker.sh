#!/usr/bin/env bash
# Builds the edge authorizer (edge-worker/) with worker-build, offline: wasm-bindgen,
# wasm-opt (npm binaryen) and esbuild (npm) come from this machine, so nothing is
# downloaded. Two bundles of the one crate, each with the UI assets in assets/:
#   edge-worker/build/       production (no feature): what wrangler.toml deploys; its gzip size
#                            is checked against the budget and goes to
#                            target/labelgate-bench/worker-size.json;
#   edge-worker/build-test/  with the feature test-endpoints (src/testing.rs's
#                            /__labelgate/... endpoints, the store's fault hook): what the
#                            Worker tests run (tests/worker/harness.mjs).
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

# build OUT_DIR [CARGO_ARGS...]: one bundle into edge-worker/OUT_DIR (worker-build's
# --out-dir; cargo's arguments after the crate's path).
build() {
  local out=$1
  shift
  say "building edge-worker/$out with worker-build (profile wasm-release, offline${*:+, $*})"
  (cd edge-worker && worker-build --profile wasm-release --out-dir "$out" . "$@" 2>&1 | grep -vE '^\s*$' | tail -n 4)
  for f in index.js index_bg.wasm; do
    [ -s "edge-worker/$out/$f" ] || { echo "worker-build produced no edge-worker/$out/$f" >&2; exit 1; }
  done
}
# gzip_total DIR: the gzip size of a bundle (wasm + js).
gzip_total() {
  echo $(($(gzip_size "$1/index_bg.wasm") + $(gzip_size "$1/index.js")))
}

build build
build build-test --features test-endpoints

build=edge-worker/build
wasm=$(wc -c < "$build/index_bg.wasm" | tr -d ' ')
js=$(wc -c < "$build/index.js" | tr -d ' ')
wasm_gz=$(gzip_size "$build/index_bg.wasm")
js_gz=$(gzip_size "$build/index.js")
total_gz=$((wasm_gz + js_gz))
test_gz=$(gzip_total edge-worker/build-test)
mkdir -p target/labelgate-bench
printf '{"wasm_bytes": %s, "js_bytes": %s, "wasm_gzip_bytes": %s, "js_gzip_bytes": %s, "bundle_gzip_bytes": %s, "budget_gzip_bytes": 409600, "test_bundle_gzip_bytes": %s}\n' \
  "$wasm" "$js" "$wasm_gz" "$js_gz" "$total_gz" "$test_gz" > target/labelgate-bench/worker-size.json
say "edge-worker built: index_bg.wasm $wasm bytes + index.js $js bytes; bundle $total_gz bytes gzip (budget 409600); the test bundle $test_gz bytes gzip"
if [ "$total_gz" -gt 409600 ]; then
  echo "the Worker bundle is over its 400 KB gzip budget" >&2
  exit 1
fi

# The web UI's static assets (binding ASSETS, wrangler.toml [assets]): LabelGate's UI script,
# style and activity log page (edge-worker/ui/) and the browser package (wasm/pkg/web, built
# by scripts/build-wasm.sh when missing). Served at /__labelgate/ui/..., outside the bundle.
[ -s wasm/pkg/web/labelgate_bg.wasm ] || bash scripts/build-wasm.sh
# The same files in both bundles' directories.
for dir in edge-worker/build edge-worker/build-test; do
  assets=$dir/assets/__labelgate/ui
  rm -rf "$dir/assets"
  mkdir -p "$assets/pkg"
  cp edge-worker/ui/*.js edge-worker/ui/*.html "$assets/"
  cp wasm/pkg/web/labelgate.js wasm/pkg/web/labelgate_bg.wasm "$assets/pkg/"
done
say "UI assets: $(find "$build/assets" -type f | wc -l) files, $(du -sk "$build/assets" | cut -f1) KB"
