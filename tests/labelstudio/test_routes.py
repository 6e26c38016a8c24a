"""Every route of the installed Label Studio is classified by the Worker's route table.

Label Studio's own URL resolver (Django, in the test venv) gives every pattern as method x
path (ls_routes.py); the route table classifies each (edge-worker's classify_routes example):
public, an action, served by the Worker, or denied on purpose with a one-line reason. A
Label Studio upgrade that adds a route fails here until someone classifies it. The whole
classification is written to target/labelstudio-routes.tsv for review.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def classified() -> list[dict]:
    routes = subprocess.run([sys.executable, str(HERE / "ls_routes.py")], capture_output=True, text=True,
                            check=True, timeout=600).stdout
    out = subprocess.run(["cargo", "run", "-q", "--release", "-p", "edge-worker", "--example", "classify_routes"],
                         input=routes, cwd=ROOT, capture_output=True, text=True, check=True, timeout=1800).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_every_route_of_label_studio_is_classified():
    rows = classified()
    table = "\n".join(f"{r['method']}\t{r['path']}\t{r['view']}\t{r['class']}" for r in rows)
    (ROOT / "target").mkdir(exist_ok=True)
    (ROOT / "target" / "labelstudio-routes.tsv").write_text("method\tpath\tview\tclass\n" + table + "\n")
    assert len(rows) > 1000, "the walk found too few routes to be Label Studio's"
    missing = sorted({f"{r['method']} {r['path']} ({r['view']})" for r in rows
                      if r["class"] == "unclassified" or r["class"].startswith("ambiguous")})
    assert missing == [], "routes of Label Studio the table does not classify:\n" + "\n".join(missing)

    by = {(r["method"], r["view"].rsplit(".", 1)[-1], r["path"]): r["class"] for r in rows}

    def cls(method: str, view: str) -> set[str]:
        return {c for (m, v, _), c in by.items() if m == method and v == view}

    # The family that let a reviewer delete every task: each write decided as what it does.
    assert cls("POST", "ProjectActionsAPI") == {"data manager action: decided by its id"}
    assert cls("DELETE", "ViewAPI") == {"action project.update"}
    assert cls("DELETE", "TaskAPI") == {"action project.update"}
    assert cls("DELETE", "ProjectTaskListAPI") == {"action project.update"}
    assert cls("DELETE", "AnnotationAPI") == {"action annotation.update (subject: the object's author)"}
    assert cls("POST", "MLBackendTrainAPI") == {"action project.update"}
    assert cls("POST", "S3ImportStorageSyncAPI") == {"action project.import"}
    assert cls("PATCH", "UserAPI") == {"action org.api_access (own account only)"}
    # No write shares a classification with "any member may".
    for (method, view, path), c in by.items():
        if method in {"POST", "PUT", "PATCH", "DELETE"} and c == "action org.api_access":
            assert view in {"UserResetTokenAPI", "UserHotkeysAPI", "ProductTourAPI", "LSAPITokenView",
                            "LSAPITokenRotateView", "LabelConfigValidateAPI"}, (method, path, view)
