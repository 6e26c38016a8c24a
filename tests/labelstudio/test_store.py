"""The facts live at the edge: roles, workspaces and members administered through the Worker,
from its store, in step with Label Studio (issue 12's scenario, with Label Studio's SDK).

The stack's owner gave every role through the API (stack.py: no snapshot file anywhere). Here:
an administrator creates a workspace and adds the manager; the manager creates a project in it
(the store records it from Label Studio's answer) and at once imports and exports; the
administrator deactivates the annotator, whose very next request is refused; an
administrator's own role, the owner's, a non-empty workspace's deletion and a sandbox's members
are refused, and refused writes change nothing."""
from __future__ import annotations

import json

from stack import LABEL_CONFIG


def members(stack) -> dict[int, str]:
    page = stack.as_owner("GET", "/api/labelgate/members?page_size=1000").json()
    return {m["user_id"]: m["role"] for m in page["results"]}


def test_the_owner_gave_every_role_through_the_api(stack):
    roles = members(stack)
    u = {k: v.id for k, v in stack.users.items()}
    assert [roles[u[k]] for k in ["owner", "administrator", "manager", "reviewer", "annotator", "pending", "gone"]] \
        == ["OW", "AD", "MA", "RE", "AN", "NO", "DI"]
    # Label Studio Community holds no roles: its own members list (its users, their activity,
    # its pages) gets each member's role from the store.
    page = stack.as_owner("GET", f"/api/organizations/{stack.org}/memberships?page=1&page_size=2").json()
    assert page["count"] >= 7 and len(page["results"]) == 2 and page["next"].startswith(stack.worker.url)
    assert all("last_activity" in m["user"] and m["role"] for m in page["results"]), page
    gone = stack.as_owner("GET", f"/api/organizations/{stack.org}/memberships/{u['gone']}/")
    assert gone.json()["role"] == "DI", gone.text
    r = stack.via_worker("reviewer", "GET", f"/api/organizations/{stack.org}/memberships")
    assert r.status_code == 403 and r.json()["reason"] == "role_lacks_permission"


def test_a_new_workspace_a_new_project_and_at_once_import_and_export(stack):
    org = stack.org
    u = {k: v.id for k, v in stack.users.items()}
    r = stack.via_worker("administrator", "POST", "/api/workspaces/", json={"title": "Radiology"})
    assert r.status_code == 201, r.text
    ws = r.json()["id"]
    assert r.headers["x-labelgate-revision"].startswith(f"{org}.")
    r = stack.via_worker("administrator", "POST", f"/api/workspaces/{ws}/memberships/", json={"user": u["manager"]})
    assert r.status_code == 201, r.text
    # The manager creates a project in it; Label Studio makes it, the store records it.
    r = stack.via_worker("manager", "POST", "/api/projects/",
                         json={"title": "radiology", "label_config": LABEL_CONFIG, "workspace": ws})
    assert r.status_code == 201, r.text
    project = r.json()["id"]
    assert r.headers["x-labelgate-revision"].startswith(f"{org}.")
    maya = stack.sdk("manager")
    out = maya.projects.import_tasks(id=project, request=[{"text": "first task"}, {"text": "second task"}])
    assert out.task_count == 2
    exported = json.loads(b"".join(maya.projects.exports.download_sync(project, export_type="JSON", download_all_tasks=True)))
    assert sorted(t["data"]["text"] for t in exported) == ["first task", "second task"]
    # Nobody else reaches it yet: not the reviewer, not the annotator.
    r = stack.via_worker("reviewer", "GET", f"/api/projects/{project}/")
    assert r.status_code == 403 and r.json()["reason"] in {"unknown_resource", "out_of_scope"}
    # A project without a workspace goes to the creator's sandbox, made on first use.
    r = stack.via_worker("manager", "POST", "/api/projects/", json={"title": "scratch", "label_config": LABEL_CONFIG})
    assert r.status_code == 201, r.text
    scratch = r.json()["id"]
    assert stack.via_worker("manager", "GET", f"/api/projects/{scratch}/").status_code == 200
    r = stack.via_worker("administrator", "GET", f"/api/projects/{scratch}/")
    assert r.status_code == 403, "nobody reaches another's sandbox"
    # Deleting a non-empty workspace is refused; a deleted project leaves the store.
    r = stack.via_worker("administrator", "DELETE", f"/api/workspaces/{ws}/")
    assert r.status_code == 403 and r.json()["reason"] == "workspace_not_empty", r.text
    r = stack.via_worker("manager", "DELETE", f"/api/projects/{project}/")
    assert r.status_code == 204, r.text
    assert stack.direct_status(f"/api/projects/{project}/") == 404
    r = stack.via_worker("administrator", "DELETE", f"/api/workspaces/{ws}/")
    assert r.status_code == 200, r.text


def test_deactivated_means_refused_at_the_very_next_request(stack):
    org = stack.org
    ann = stack.users["annotator"].id
    p = stack.projects["triage"]
    assert stack.via_worker("annotator", "GET", f"/api/projects/{p}/").status_code == 200
    try:
        r = stack.via_worker("administrator", "PATCH", f"/api/organizations/{org}/memberships",
                             json={"user_id": ann, "role": "DI"})
        assert r.status_code == 200, r.text
        r = stack.via_worker("annotator", "GET", f"/api/projects/{p}/")
        assert r.status_code == 403 and r.json()["reason"] == "deactivated", r.text
        assert members(stack)[ann] == "DI"
    finally:
        stack.as_owner("PATCH", f"/api/organizations/{org}/memberships", json={"user_id": ann, "role": "AN"})
    assert stack.via_worker("annotator", "GET", f"/api/projects/{p}/").status_code == 200


def test_what_owner_protection_and_workspaces_refuse_changes_nothing(stack):
    org = stack.org
    u = {k: v.id for k, v in stack.users.items()}
    before = stack.export()
    for who, body, reason in [
        ("administrator", {"user_id": u["administrator"], "role": "OW"}, "owner_protected"),
        ("administrator", {"user_id": u["administrator"], "role": "MA"}, "owner_protected"),
        ("administrator", {"user_id": u["owner"], "role": "AN"}, "owner_protected"),
        ("administrator", {"user_id": u["reviewer"], "role": "OW"}, "owner_protected"),
        ("manager", {"user_id": u["annotator"], "role": "RE"}, "role_lacks_permission"),
        ("reviewer", {"user_id": u["reviewer"], "role": "AD"}, "role_lacks_permission"),
    ]:
        r = stack.via_worker(who, "POST", f"/api/organizations/{org}/memberships", json=body)
        assert r.status_code == 403 and r.json()["reason"] == reason, (who, body, r.text)
    r = stack.via_worker("administrator", "DELETE", f"/api/organizations/{org}/memberships/{u['owner']}/")
    assert r.status_code == 403 and r.json()["reason"] == "owner_protected"
    r = stack.via_worker("administrator", "DELETE", f"/api/workspaces/{stack.workspaces['Medical']}/")
    assert r.status_code == 403 and r.json()["reason"] == "workspace_not_empty"
    # The manager's sandbox: its own projects only, never members.
    sandbox = next(w["id"] for w in stack.via_worker("manager", "GET", "/api/workspaces/").json() if w["is_personal"])
    r = stack.via_worker("manager", "POST", f"/api/workspaces/{sandbox}/memberships/", json={"user": u["reviewer"]})
    assert r.status_code == 403 and r.json()["reason"] == "sandbox_private", r.text
    r = stack.via_worker("administrator", "POST", f"/api/workspaces/{sandbox}/memberships/", json={"user": u["reviewer"]})
    assert r.status_code == 403, r.text
    after = stack.export()
    assert after == before, "a refused write changed the store"
