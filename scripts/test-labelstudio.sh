#!/usr/bin/env bash
# The Worker in front of a real Label Studio, end to end (127.0.0.1 only): installs Label
# Studio Community 1.23.2 into .cache/label-studio-venv (scripts/setup-label-studio.sh, skipped
# when there), builds the Worker (scripts/build-worker.sh), then runs tests/labelstudio/ with
# pytest: Label Studio started with a project-local data dir, users signed up through its
# invite link, projects and tasks, a snapshot giving them Enterprise roles, the Worker in
# workerd in front of it, and Label Studio's own SDK driving it as each user.
# Then test_load.py: 20,000 mixed requests from 8 clients checked against the native core,
# Label Studio killed and restarted mid-run, the activity log counted (about 6 minutes;
# LABELGATE_LOAD_REQUESTS=N to change the count, LABELGATE_LOAD=0 to skip it).
# LABELGATE_LS_FRESH=1 starts Label Studio from an empty data dir (~45 s instead of ~7 s).
# LABELGATE_NO_BUILD=1 skips the Worker build. Extra arguments go to pytest (e.g. -k lists).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

export PYTHONDONTWRITEBYTECODE=1
python=$(bash scripts/setup-label-studio.sh)
if [ "${LABELGATE_NO_BUILD:-0}" != "1" ]; then
  bash scripts/build-worker.sh
fi
say "pytest tests/labelstudio/ (Label Studio $("$python" -c 'import importlib.metadata as m; print(m.version("label-studio"))'), SDK $("$python" -c 'import importlib.metadata as m; print(m.version("label-studio-sdk"))'))"
mkdir -p target
log=target/test-labelstudio.log
set +e
(cd tests/labelstudio && "$python" -m pytest -p no:cacheprovider -q -rA -s . "$@") 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
summary=$(grep -E '^[0-9]+ (passed|failed)|^=+ .*(passed|failed)' "$log" | tail -n 1)
echo "labelstudio: ${summary:-no summary}"
exit "$status"
