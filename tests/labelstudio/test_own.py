""""Can view own" means own (issue 15), on the real Label Studio through the Worker.

A project of six tasks with two annotators, the own-data setting on. The owner assigns tasks
1-2 to the first annotator and 3-4 to the second through the Worker's assignment API; the
first also annotates task 5. Each annotator then sees exactly their own tasks (assigned, or
annotated by them) through the SDK and through the Data Manager's API (a view, its pages and
`total`), and is refused the other's tasks by id, with their annotations; with the setting
off each is refused the list; a reviewer and a manager still see every task.
"""
from __future__ import annotations

import time

import pytest
import requests

import stack as stack_mod


@pytest.fixture(scope="module")
def own(stack):
    org, u = stack.org, {k: v.id for k, v in stack.users.items()}
    # A second annotator: signed up through the invite link, adopted pending, given a role.
    invite = requests.get(stack.ls.url + "/api/invite", headers={"Authorization": f"Token {stack.ls.admin_token}"},
                          timeout=30).json()
    second = stack_mod.signup(stack.ls.url, invite["invite_url"], f"annotator2-{int(time.time() * 1000):x}@labelgate.test")
    stack.bootstrap()
    stack.as_owner("POST", f"/api/organizations/{org}/memberships", json={"user_id": second.id, "role": "AN"})
    p = stack.as_owner("POST", "/api/projects/", json={
        "title": f"own-{second.id}", "label_config": stack_mod.LABEL_CONFIG,
        "workspace": stack.workspaces["Medical"]}).json()["id"]
    stack.as_owner("POST", f"/api/projects/{p}/import", json=[{"text": f"own task {i}"} for i in range(6)])
    tasks = sorted(t["id"] for t in stack.direct(f"/api/tasks/?project={p}&page_size=100")["tasks"])
    assert len(tasks) == 6
    for user in [u["annotator"], second.id, u["reviewer"]]:
        stack.as_owner("POST", f"/api/projects/{p}/members/", json={"user": user})
    stack.as_owner("PATCH", f"/api/projects/{p}/", json={"annotators_can_view_own_data": True})
    for user, mine in [(u["annotator"], tasks[0:2]), (second.id, tasks[2:4])]:
        stack.as_owner("POST", f"/api/projects/{p}/tasks/assignees", json={
            "type": "AN", "users": [user], "selectedItems": {"all": False, "included": mine}})
    # The first annotator labels task 5 (labeling is theirs to do): it becomes their own too.
    r = stack.via_worker("annotator", "POST", f"/api/tasks/{tasks[4]}/annotations/",
                         json={"result": [], "lead_time": 1.0})
    assert r.status_code == 201, r.text
    view = stack.as_owner("POST", "/api/dm/views/", json={"project": p, "data": {"filters": {
        "conjunction": "and", "items": []}, "ordering": ["-tasks:id"]}}).json()["id"]
    headers = {"Authorization": f"Token {second.token}"}
    return {"project": p, "tasks": tasks, "second": second, "second_headers": headers, "view": view,
            "mine": {"annotator": [tasks[0], tasks[1], tasks[4]], "second": tasks[2:4]}}


def as_second(stack, own, method, path, **kw):
    return requests.request(method, stack.worker.url + path, headers=own["second_headers"], timeout=60, **kw)


def listed(r) -> list[int]:
    assert r.status_code == 200, r.text
    body = r.json()
    ids = sorted(t["id"] for t in body["tasks"])
    assert body["total"] == len(ids), body["total"]
    return ids


def test_each_annotator_sees_exactly_their_own_tasks(stack, own):
    p = own["project"]
    sdk = stack.sdk("annotator")
    assert sorted(t.id for t in sdk.tasks.list(project=p)) == own["mine"]["annotator"]
    assert listed(stack.via_worker("annotator", "GET", f"/api/tasks/?project={p}")) == own["mine"]["annotator"]
    assert listed(as_second(stack, own, "GET", f"/api/tasks/?project={p}")) == own["mine"]["second"]
    # The Data Manager's way: a view, its ordering kept, pages of one.
    r = stack.via_worker("annotator", "GET", f"/api/tasks?view={own['view']}&page=1&page_size=30")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [t["id"] for t in body["tasks"]] == sorted(own["mine"]["annotator"], reverse=True), body
    seen = []
    for page in (1, 2, 3):
        r = stack.via_worker("annotator", "GET", f"/api/tasks?view={own['view']}&page={page}&page_size=1")
        assert r.json()["total"] == 3
        seen += [t["id"] for t in r.json()["tasks"]]
    assert sorted(seen) == own["mine"]["annotator"]


def test_another_annotators_task_is_refused_by_id(stack, own):
    t = own["tasks"]
    for path in [f"/api/tasks/{t[2]}/", f"/api/tasks/{t[2]}/annotations/", f"/api/predictions/?task={t[2]}"]:
        r = stack.via_worker("annotator", "GET", path)
        assert r.status_code == 403 and r.json()["reason"] == "out_of_scope", (path, r.text)
    r = as_second(stack, own, "GET", f"/api/tasks/{t[0]}/")
    assert r.status_code == 403 and r.json()["reason"] == "out_of_scope", r.text
    # Their own, by id: forwarded.
    assert stack.via_worker("annotator", "GET", f"/api/tasks/{t[4]}/").status_code == 200
    assert as_second(stack, own, "GET", f"/api/tasks/{t[3]}/").status_code == 200
    # Label Studio's unfiltered list of a project's tasks is not served to them.
    r = stack.via_worker("annotator", "GET", f"/api/projects/{own['project']}/tasks/")
    assert r.status_code == 403 and "/api/tasks/?project=" in r.json()["message"], r.text


def test_reviewer_and_manager_still_see_everything_in_reach(stack, own):
    p = own["project"]
    assert listed(stack.via_worker("reviewer", "GET", f"/api/tasks/?project={p}&page_size=100")) == own["tasks"]
    assert listed(stack.via_worker("manager", "GET", f"/api/tasks/?project={p}&page_size=100")) == own["tasks"]
    assert stack.via_worker("reviewer", "GET", f"/api/tasks/{own['tasks'][2]}/").status_code == 200


def test_with_the_setting_off_the_task_list_is_refused(stack, own):
    p = own["project"]
    stack.as_owner("PATCH", f"/api/projects/{p}/", json={"annotators_can_view_own_data": False})
    try:
        for r in [stack.via_worker("annotator", "GET", f"/api/tasks/?project={p}"),
                  as_second(stack, own, "GET", f"/api/tasks/?project={p}")]:
            assert r.status_code == 403, r.text
        r = stack.via_worker("annotator", "GET", f"/api/tasks/{own['tasks'][0]}/")
        assert r.status_code == 403, r.text
    finally:
        stack.as_owner("PATCH", f"/api/projects/{p}/", json={"annotators_can_view_own_data": True})


def test_a_view_of_another_project_does_not_open_it(stack, own):
    """Label Studio's task list takes the project of the view it names, whatever `project`
    says: the Worker reads the view's project too, and the two must agree."""
    other = stack.projects["archive"]
    view = stack.as_owner("POST", "/api/dm/views/", json={"project": other, "data": {}}).json()["id"]
    for who in ["annotator", "reviewer"]:
        r = stack.via_worker(who, "GET", f"/api/tasks/?project={own['project']}&view={view}")
        assert r.status_code in (400, 403), (who, r.status_code, r.text[:300])
        assert "tasks" not in r.json()
