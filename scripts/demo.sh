#!/usr/bin/env bash
# The LabelGate demo, on 127.0.0.1:
#  - the edge authorizer: the Worker in workerd (Miniflare) on :8787 with its store (a
#    Durable Object, SQLite), in front of a real Label Studio on :8080 (installed into
#    .cache/label-studio-venv on first use, about 2 minutes): users signed up, projects and
#    tasks made, the store bootstrapped from Label Studio and the roles given through the
#    administration API; it prints curl commands to try, role administration included;
#  - the browser: the demo page on :8788, a Label Studio-like project list deciding with the
#    npm package on the signed-in member's slice (demo/serve.mjs serves slices and decides
#    changes; its first start builds the native slicer).
# Ctrl-C stops all. Ports: PORT (page), LABELGATE_PORT (Worker), LABELGATE_LS_PORT.
# LABELGATE_UPSTREAM=demo puts the Worker in front of a small demo origin instead (:8081,
# LABELGATE_ORIGIN_PORT), deciding on the demo snapshot in local KV.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bash scripts/build-wasm.sh
bash scripts/build-worker.sh

if [ "${LABELGATE_UPSTREAM:-label-studio}" = "demo" ]; then
  node edge-worker/dev.mjs &
else
  python=$(bash scripts/setup-label-studio.sh)
  "$python" tests/labelstudio/stack.py --port "${LABELGATE_LS_PORT:-8080}" --worker-port "${LABELGATE_PORT:-8787}" &
fi
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
sleep 2
say "the demo page: open http://127.0.0.1:${PORT:-8788}/ (Ctrl-C stops the page and the Worker)"
node demo/serve.mjs --port "${PORT:-8788}"
