"""The writes a low role may not make, sent through the Worker to the real Label Studio.

A project of its own (created here as the admin, straight at Label Studio) holds tasks,
annotations by the annotator and by the reviewer, a prediction, a draft, Data Manager tabs, a
local-files import and export storage, a webhook, an ML backend (a small fake one on
127.0.0.1), an export snapshot and a file upload. The owner puts it in the manager's workspace, with the
reviewer and the annotator as members and `annotators_can_view_own_data` on, through the
Worker's administration API, so the reviewer and the annotator may view its data.

As the reviewer, and as the annotator, every write of the catalog that their role may not
use is sent through the Worker: every Data Manager action id, tab resets and deletes, task
and annotation deletes, imports, storage, webhook and ML backend writes, project updates
and deletes. Label Studio's own state (tasks with their data, annotations and predictions,
drafts, tabs, storages, webhooks, ML backends, exports, file uploads, the project's
settings) is read straight from Label Studio before and after each one: nothing may
change. The manager of the project then sends the same writes, which must succeed and
change what they change: the Worker does not simply refuse everything.
"""
from __future__ import annotations

import http.server
import json
import threading

import pytest
import requests

from stack import LABEL_CONFIG

ALL = {"selectedItems": {"all": True, "excluded": []}}


class FakeML(http.server.BaseHTTPRequestHandler):
    """An ML backend that answers Label Studio's calls (health, setup, predict, train,
    versions) on 127.0.0.1, with no model."""

    def _answer(self):
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?")[0].rstrip("/")
        body = {
            "/health": {"status": "UP", "model_class": "Fake"},
            "/setup": {"model_version": "fake-1"},
            "/predict": {"results": []},
            "/versions": {"versions": ["fake-1"]},
        }.get(path, {"status": "ok"})
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


class Hostile:
    """The project, its objects, and Label Studio's state read directly."""

    def __init__(self, stack, ml_url: str):
        self.stack = stack
        self.ls = stack.ls.url
        self.admin = {"Authorization": f"Token {stack.ls.admin_token}"}
        self.ml_url = ml_url
        self.ids: dict[str, int] = {}

    def direct(self, method: str, path: str, who: str | None = None, **kw) -> requests.Response:
        headers = self.admin if who is None else {"Authorization": f"Token {self.stack.users[who].token}"}
        r = requests.request(method, self.ls + path, headers=headers, timeout=60, **kw)
        assert r.status_code < 400, (method, path, r.status_code, r.text[:300])
        return r

    def build(self) -> None:
        """Creates the project and every kind of object a write can touch."""
        d = self.direct
        p = d("POST", "/api/projects/", json={"title": "hostile", "label_config": LABEL_CONFIG}).json()["id"]
        self.ids["project"] = p
        d("POST", f"/api/projects/{p}/import", json=[{"text": f"hostile task {i}"} for i in range(3)])
        tasks = sorted(t["id"] for t in d("GET", f"/api/tasks/?project={p}&page_size=100").json()["tasks"])
        self.ids.update(t1=tasks[0], t2=tasks[1], t3=tasks[2])
        result = [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["yes"]}}]
        self.ids["ann_annotation"] = d("POST", f"/api/tasks/{tasks[0]}/annotations/", who="annotator",
                                       json={"result": result}).json()["id"]
        self.ids["rev_annotation"] = d("POST", f"/api/tasks/{tasks[1]}/annotations/", who="reviewer",
                                       json={"result": result}).json()["id"]
        self.ids["prediction"] = d("POST", "/api/predictions/", json={
            "task": tasks[0], "result": result, "score": 0.9, "model_version": "v1"}).json()["id"]
        self.ids["draft"] = d("POST", f"/api/tasks/{tasks[2]}/drafts", who="reviewer",
                              json={"result": result, "lead_time": 1}).json()["id"]
        self.ids["view"] = d("POST", "/api/dm/views/", json={"project": p, "data": {"title": "Default"}}).json()["id"]
        self.ids["view2"] = d("POST", "/api/dm/views/", json={"project": p, "data": {"title": "Second"}}).json()["id"]
        files = self.stack.ls.data_dir / "files" / f"hostile-{p}"
        files.mkdir(parents=True, exist_ok=True)
        (files / "a.txt").write_text("a")
        self.storage_path = str(files)
        self.ids["storage"] = d("POST", "/api/storages/localfiles/", json={
            "project": p, "path": str(files), "title": "in", "use_blob_urls": True}).json()["id"]
        self.ids["export_storage"] = d("POST", "/api/storages/export/localfiles", json={
            "project": p, "path": str(files), "title": "out"}).json()["id"]
        self.ids["webhook"] = d("POST", "/api/webhooks/", json={
            "project": p, "url": "http://127.0.0.1:9/hook", "is_active": False}).json()["id"]
        self.ids["ml"] = d("POST", "/api/ml/", json={"project": p, "url": self.ml_url, "title": "fake"}).json()["id"]
        self.ids["export"] = d("POST", f"/api/projects/{p}/exports/", json={"title": "snapshot"}).json()["id"]
        up = d("POST", f"/api/projects/{p}/import?commit_to_project=false",
               files={"file": ("more.json", json.dumps([{"text": "uploaded"}]), "application/json")}).json()
        self.ids["upload"] = up["file_upload_ids"][0]

    def state(self) -> dict:
        """Label Studio's own state of the project, read directly as the admin."""
        p = self.ids["project"]
        d = self.direct
        tasks = d("GET", f"/api/tasks/?project={p}&fields=all&page_size=1000").json()["tasks"]
        keep = ("title", "description", "label_config", "expert_instruction", "show_instruction",
                "maximum_annotations", "model_version", "pinned_at", "color", "sampling")
        project = d("GET", f"/api/projects/{p}/").json()

        def rows(path: str, fields: tuple[str, ...]) -> list:
            answer = d("GET", path).json()
            items = answer["results"] if isinstance(answer, dict) and "results" in answer else answer
            return sorted(tuple(json.dumps(i.get(f), sort_keys=True) for f in fields) for i in items)

        return {
            "project": {k: project.get(k) for k in keep},
            "tasks": sorted(
                (t["id"], json.dumps(t["data"], sort_keys=True),
                 sorted((a["id"], a["completed_by"], json.dumps(a["result"], sort_keys=True)) for a in t["annotations"]),
                 sorted((x["id"], x["task"], x.get("score"), json.dumps(x["result"], sort_keys=True))
                        for x in t["predictions"]))
                for t in tasks),
            "drafts": sorted((t["id"], rows(f"/api/tasks/{t['id']}/drafts", ("id", "user", "result"))) for t in tasks),
            "views": rows(f"/api/dm/views/?project={p}", ("id", "data", "order")),
            "storages": rows(f"/api/storages/localfiles/?project={p}", ("id", "title", "path")),
            "export_storages": rows(f"/api/storages/export/localfiles?project={p}", ("id", "title", "path")),
            "webhooks": rows(f"/api/webhooks/?project={p}", ("id", "url", "is_active", "actions")),
            "ml": rows(f"/api/ml/?project={p}", ("id", "url", "title", "is_interactive")),
            "exports": rows(f"/api/projects/{p}/exports/", ("id", "title", "status")),
            "uploads": rows(f"/api/projects/{p}/file-uploads?all=true", ("id", "file")),
        }

    def catalog(self) -> list[tuple[str, str, str, object, str]]:
        """Every write the suite sends: (label, method, path, json body, action)."""
        i = self.ids
        p = i["project"]
        result = [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["no"]}}]
        dm = {
            "retrieve_tasks_predictions": {},
            "predictions_to_annotations": {"model_version": "v1"},
            "cache_labels": {"source": "annotations", "control_tag": "label", "with_counters": "Yes"},
            "add_data_field": {"value_name": "extra", "value_type": "String", "value": "x"},
            "propagate_annotations": {"source_annotation_id": i["ann_annotation"]},
            "rename_labels": {"control_tag": "label", "old_label_name": "yes", "new_label_name": "maybe"},
        }
        out = [(f"data manager action {k}", "POST", f"/api/dm/actions/?id={k}&project={p}", {**ALL, **v},
                "project.update") for k, v in dm.items()]
        out += [
            ("update the project", "PATCH", f"/api/projects/{p}/", {"title": "hostile renamed"}, "project.update"),
            ("change the labeling config", "PATCH", f"/api/projects/{p}/",
             {"label_config": LABEL_CONFIG.replace('"no"', '"nope"')}, "project.update"),
            ("reset the summary", "POST", f"/api/projects/{p}/summary/reset/", None, "project.update"),
            ("update a task", "PATCH", f"/api/tasks/{i['t1']}/", {"data": {"text": "overwritten"}}, "project.update"),
            ("update a prediction", "PATCH", f"/api/predictions/{i['prediction']}/", {"score": 0.1}, "project.update"),
            ("add a prediction", "POST", "/api/predictions/",
             {"task": i["t2"], "result": result, "model_version": "v2"}, "project.import"),
            ("import tasks", "POST", f"/api/projects/{p}/import", [{"text": "smuggled"}], "project.import"),
            ("create a task", "POST", "/api/tasks/", {"project": p, "data": {"text": "smuggled"}}, "project.import"),
            ("create a task in the project", "POST", f"/api/projects/{p}/tasks/", {"data": {"text": "smuggled"}},
             "project.import"),
            ("re-import an upload", "POST", f"/api/projects/{p}/reimport", {"file_upload_ids": [i["upload"]]},
             "project.import"),
            ("connect a storage", "POST", "/api/storages/localfiles/",
             {"project": p, "path": self.storage_path, "title": "smuggled"}, "project.import"),
            ("change a storage", "PATCH", f"/api/storages/localfiles/{i['storage']}",
             {"title": "renamed", "path": self.storage_path}, "project.import"),
            ("rewrite a storage through validate", "POST", "/api/storages/localfiles/validate",
             {"id": i["storage"], "project": p, "path": self.storage_path, "title": "validated"}, "project.import"),
            ("sync a storage", "POST", f"/api/storages/localfiles/{i['storage']}/sync", None, "project.import"),
            ("change an export storage", "PATCH", f"/api/storages/export/localfiles/{i['export_storage']}",
             {"title": "renamed", "path": self.storage_path}, "project.export"),
            ("sync an export storage", "POST", f"/api/storages/export/localfiles/{i['export_storage']}/sync", None,
             "project.export"),
            ("create a webhook", "POST", "/api/webhooks/", {"project": p, "url": "http://127.0.0.1:9/other"},
             "project.update"),
            ("change a webhook", "PATCH", f"/api/webhooks/{i['webhook']}/", {"url": "http://127.0.0.1:9/changed"},
             "project.update"),
            ("add an ML backend", "POST", "/api/ml/", {"project": p, "url": self.ml_url, "title": "second"},
             "project.update"),
            ("change an ML backend", "PATCH", f"/api/ml/{i['ml']}", {"title": "renamed", "url": self.ml_url, "project": p},
             "project.update"),
            ("train an ML backend", "POST", f"/api/ml/{i['ml']}/train", None, "project.update"),
            ("test an ML backend", "POST", f"/api/ml/{i['ml']}/predict/test?random=true", None, "project.update"),
            ("create an export", "POST", f"/api/projects/{p}/exports/", {"title": "leak"}, "project.export"),
            ("convert an export", "POST", f"/api/projects/{p}/exports/{i['export']}/convert",
             {"export_type": "CSV"}, "project.export"),
            ("rename labels everywhere", "POST", "/api/labels/bulk",
             {"project": p, "old_label": "yes", "new_label": "maybe"}, "project.update"),
            ("delete an export", "DELETE", f"/api/projects/{p}/exports/{i['export']}", None, "project.export"),
            ("delete the uploads", "DELETE", f"/api/projects/{p}/file-uploads", {"file_upload_ids": [i["upload"]]},
             "project.import"),
            ("delete a prediction", "DELETE", f"/api/predictions/{i['prediction']}/", None, "project.update"),
            ("delete predictions of a model version", "DELETE", f"/api/projects/{p}/model-versions/",
             {"model_version": "v2"}, "project.update"),
            ("data manager action delete_tasks_predictions", "POST",
             f"/api/dm/actions/?id=delete_tasks_predictions&project={p}", ALL, "project.update"),
            ("data manager action delete_tasks_annotations", "POST",
             f"/api/dm/actions/?id=delete_tasks_annotations&project={p}", ALL, "project.update"),
            ("delete a tab", "DELETE", f"/api/dm/views/{i['view2']}/", None, "project.update"),
            ("drop all tabs", "DELETE", f"/api/dm/views/reset/?project={p}", None, "project.update"),
            ("delete a webhook", "DELETE", f"/api/webhooks/{i['webhook']}/", None, "project.update"),
            ("delete an ML backend", "DELETE", f"/api/ml/{i['ml']}", None, "project.update"),
            ("delete a storage", "DELETE", f"/api/storages/localfiles/{i['storage']}", None, "project.import"),
            ("delete an export storage", "DELETE", f"/api/storages/export/localfiles/{i['export_storage']}", None,
             "project.export"),
            ("remove duplicated tasks", "POST", f"/api/dm/actions/?id=remove_duplicates&project={p}", ALL,
             "project.update"),
            ("delete a task", "DELETE", f"/api/tasks/{i['t3']}/", None, "project.update"),
            ("delete the selected tasks", "POST", f"/api/dm/actions/?id=delete_tasks&project={p}", ALL,
             "project.update"),
            ("delete every task", "DELETE", f"/api/projects/{p}/tasks/", None, "project.update"),
            ("delete the project", "DELETE", f"/api/projects/{p}/", None, "project.delete"),
        ]
        return out

    def annotator_only(self) -> list[tuple[str, str, str, object, str]]:
        """Writes on the reviewer's annotation: a reviewer may change annotations, an annotator
        only their own."""
        i = self.ids
        result = [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["no"]}}]
        return [
            ("change another's annotation", "PATCH", f"/api/annotations/{i['rev_annotation']}/", {"result": result},
             "annotation.update"),
            ("turn another's annotation into a draft", "POST", f"/api/annotations/{i['rev_annotation']}/convert-to-draft",
             None, "annotation.update"),
            ("change another's draft", "PATCH", f"/api/drafts/{i['draft']}/", {"result": result}, "annotation.update"),
            ("delete another's annotation", "DELETE", f"/api/annotations/{i['rev_annotation']}/", None,
             "annotation.update"),
            ("delete another's draft", "DELETE", f"/api/drafts/{i['draft']}/", None, "annotation.update"),
            ("annotate in another's name", "POST", f"/api/tasks/{i['t3']}/annotations/",
             {"result": result, "completed_by": self.stack.users["reviewer"].id}, "project.label"),
        ]


@pytest.fixture(scope="module")
def hostile(stack):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeML)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    h = Hostile(stack, f"http://127.0.0.1:{server.server_address[1]}")
    try:
        h.build()
        # Label Studio's new project joins the store (bootstrap), then the owner puts it in the
        # manager's workspace, with the reviewer and the annotator as members, own data on.
        stack.bootstrap()
        p = h.ids["project"]
        stack.as_owner("PATCH", f"/api/projects/{p}/",
                       json={"workspace": stack.workspaces["Medical"], "annotators_can_view_own_data": True})
        for who in ["reviewer", "annotator"]:
            stack.as_owner("POST", f"/api/projects/{p}/members/", json={"user": stack.users[who].id})
        yield h
    finally:
        server.shutdown()


def send(h: Hostile, who: str, method: str, path: str, body) -> requests.Response:
    kw = {} if body is None else {"json": body}
    return h.stack.via_worker(who, method, path, **kw)


@pytest.mark.parametrize("who", ["reviewer", "annotator"])
def test_low_roles_change_nothing(hostile, who):
    h = hostile
    # Both may view this project's data: the refusals below are about writing.
    r = send(h, who, "GET", f"/api/tasks/?project={h.ids['project']}", None)
    assert r.status_code == 200, r.text
    writes = h.catalog() + (h.annotator_only() if who == "annotator" else [])
    assert len(writes) >= 48
    before = h.state()
    for label, method, path, body, action in writes:
        r = send(h, who, method, path, body)
        assert r.status_code == 403, f"{who}: {label}: {r.status_code} {r.text[:300]}"
        decision = r.json()
        assert decision["allow"] is False, (label, decision)
        assert decision["reason"] in {"role_lacks_permission", "out_of_scope"}, (label, decision)
        stamp = r.headers.get("x-labelgate-decision", "")
        assert stamp.split()[1:2] == [action], (label, decision, stamp)
        after = h.state()
        assert after == before, f"{who}: {label} changed Label Studio's state"
    # What they may do still works: the reviewer pins, the annotator arranges a tab.
    if who == "annotator":
        r = send(h, who, "PATCH", f"/api/dm/views/{h.ids['view']}/?project={h.ids['project']}",
                 {"project": h.ids["project"], "data": {"title": "Default", "filters": {"conjunction": "and", "items": []}}})
    else:
        r = send(h, who, "PATCH", f"/api/projects/{h.ids['project']}/", {"pinned_at": "2026-02-03T04:05:06Z"})
    assert r.status_code < 400, r.text


def test_the_manager_makes_the_same_writes(hostile):
    """After the low roles, the project's manager sends every write: each is forwarded and
    served, and the ones that change data change it."""
    h = hostile
    p = h.ids["project"]
    tasks_before = len(h.state()["tasks"])
    seen = []
    for label, method, path, body, action in h.catalog():
        before = h.state() if action != "project.delete" else None
        r = send(h, "manager", method, path, body)
        assert r.status_code < 400, f"manager: {label}: {r.status_code} {r.text[:300]}"
        if before is not None:
            seen.append((label, before != h.state()))
    changed = dict(seen)
    for label in ["delete a tab", "update the project", "update a task", "import tasks", "connect a storage", "change a webhook",
                  "add an ML backend", "create an export", "delete a prediction", "drop all tabs",
                  "delete a webhook", "delete an ML backend", "delete a storage",
                  "data manager action add_data_field", "data manager action delete_tasks_annotations"]:
        assert changed[label], f"the manager's `{label}` changed nothing"
    assert tasks_before > 0
    assert requests.get(f"{h.ls}/api/projects/{p}/", headers=h.admin, timeout=30).status_code == 404, \
        "the manager deleted the project"
