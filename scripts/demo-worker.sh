#!/usr/bin/env bash
# The edge authorizer demo: builds the Worker, then runs it in workerd (Miniflare) on
# 127.0.0.1:8787 with the demo snapshot in local KV, in front of the recording demo origin on
# 127.0.0.1:8081 (or of ORIGIN_URL if set), and prints example curl commands. Ctrl-C stops both.
# Ports: LABELGATE_PORT, LABELGATE_ORIGIN_PORT. Skip the build with LABELGATE_NO_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${LABELGATE_NO_BUILD:-0}" != "1" ]; then
  bash scripts/build-worker.sh
fi
exec node edge-worker/dev.mjs
