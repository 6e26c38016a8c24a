#!/usr/bin/env bash
# Installs Label Studio Community (PyPI `label-studio`, pinned) and the test's Python packages
# into a project-local virtual environment, .cache/label-studio-venv (gitignored). Idempotent:
# skips the install when the venv already holds the pinned version. The venv also brings
# Label Studio's own Python SDK (`label-studio-sdk`) and pytest (tests/labelstudio/requirements.txt).
# Prints the venv's python on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

LABEL_STUDIO_VERSION=1.23.2
venv=.cache/label-studio-venv
req=tests/labelstudio/requirements.txt

if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv"
  python3 -m venv "$venv"
fi
# Read the installed version from its metadata: a bare `label-studio --version` starts a server.
installed=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("label-studio"))' 2>/dev/null || true)
if [ "$installed" != "$LABEL_STUDIO_VERSION" ]; then
  say "installing label-studio==$LABEL_STUDIO_VERSION into $venv (about 3 minutes, about 1 GB)"
  start=$(date +%s)
  "$venv/bin/pip" install -q --disable-pip-version-check "label-studio==$LABEL_STUDIO_VERSION" -r "$req"
  say "label-studio installed in $(( $(date +%s) - start )) s"
elif ! cmp -s "$req" "$venv/.labelgate-requirements" 2>/dev/null; then
  say "installing $req into $venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
fi
cp "$req" "$venv/.labelgate-requirements"
echo "$PWD/$venv/bin/python"
