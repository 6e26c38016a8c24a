#!/usr/bin/env bash
# Installs what the browser tests (tests/browser/) need, idempotently: Debian's Chromium at
# /usr/bin/chromium, only when it is missing. The npm packages (playwright-core) come from the
# root package.json and are installed by the other scripts (ensure_npm), not here.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

if [ -x /usr/bin/chromium ]; then
  say "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
say "installing chromium (apt-get)"
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
say "chromium installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
