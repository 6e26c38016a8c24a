"""The stack of the Label Studio tests (stack.py), started once per session.

Data dir: .cache/label-studio-test-data, reused across runs (Label Studio starts in ~7 s
instead of ~60 s; each run signs up new users and creates new projects, and the older ones
are outside the snapshot). LABELGATE_LS_FRESH=1 starts from an empty data dir.
"""
from __future__ import annotations

import json
import os
import shutil

import pytest

from stack import DATA_DIR, TIMES, running_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    if os.environ.get("LABELGATE_LS_FRESH") == "1" and DATA_DIR.exists():
        shutil.rmtree(DATA_DIR)
    try:
        with running_stack(DATA_DIR, tmp_path_factory.mktemp("labelgate")) as s:
            yield s
    finally:
        print(f"\nlabelgate timings: {json.dumps(TIMES)}")
