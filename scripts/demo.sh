#!/usr/bin/env bash
# The LabelGate demo, both halves on 127.0.0.1:
#  - the edge authorizer: the Worker in workerd (Miniflare) on :8787 with the demo snapshot in
#    local KV, in front of a demo origin on :8081; it prints curl commands to try;
#  - the browser: the demo page on :8788, a Label Studio-like project list deciding with the
#    npm package.
# Ctrl-C stops both. Ports: PORT (page), LABELGATE_PORT, LABELGATE_ORIGIN_PORT (Worker).
# LABELGATE_UPSTREAM=label-studio puts the Worker in front of a real Label Studio instead of
# the demo origin (installed into .cache/label-studio-venv on first use, about 2 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bash scripts/build-wasm.sh
bash scripts/build-worker.sh

if [ "${LABELGATE_UPSTREAM:-}" = "label-studio" ]; then
  python=$(bash scripts/setup-label-studio.sh)
  "$python" tests/labelstudio/stack.py --worker-port "${LABELGATE_PORT:-8787}" &
else
  node edge-worker/dev.mjs &
fi
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
sleep 2
say "the demo page: open http://127.0.0.1:${PORT:-8788}/ (Ctrl-C stops the page and the Worker)"
node demo/serve.mjs --port "${PORT:-8788}"
