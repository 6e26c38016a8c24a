"""Label Studio's own SDK, pointed at the LabelGate Worker in front of a real Label Studio,
drives it as each user, given their roles through the Worker's administration API (see
stack.py). Refusals are 403 with the decision;
Label Studio's state is then read directly (not through the Worker) to prove that nothing
refused reached it."""
from __future__ import annotations

import json
import time

import pytest
from label_studio_sdk.core.api_error import ApiError

PIN = "2026-01-02T03:04:05Z"


def refused(call, reason: str, status: int = 403) -> dict:
    """Runs `call` (an SDK call) and checks the Worker refused it with `reason`."""
    with pytest.raises(ApiError) as e:
        result = call()
        if hasattr(result, "__iter__") and not isinstance(result, (dict, list, str, bytes)):
            b"".join(result)  # a streamed download raises when it is read
    err = e.value
    assert err.status_code == status, err
    body = err.body if isinstance(err.body, dict) else json.loads(err.body)
    assert body["allow"] is False, body
    assert body["reason"] == reason, body
    assert set(body) == {"allow", "reason", "message", "policy"}, body
    return body


def task_count(stack, project: int) -> int:
    return stack.direct(f"/api/projects/{project}/")["task_number"]


def ids(pager) -> list[int]:
    return sorted(p.id for p in pager)


def test_manager_imports_and_exports(stack):
    p = stack.projects["triage"]
    before = task_count(stack, p)
    maya = stack.sdk("manager")
    out = maya.projects.import_tasks(id=p, request=[{"text": "imported by the manager"}])
    assert out.task_count == 1
    assert task_count(stack, p) == before + 1
    exported = json.loads(b"".join(maya.projects.exports.download_sync(p, export_type="JSON", download_all_tasks=True)))
    assert len(exported) == before + 1
    assert any(t["data"]["text"] == "imported by the manager" for t in exported)
    # The manager's reach is the Medical workspace: the Archive project is not in their facts
    # at all (a member's slice never says what exists outside it).
    refused(lambda: maya.projects.exports.download_sync(stack.projects["archive"], export_type="JSON"),
            "unknown_resource")


def test_annotator_export_and_import_are_refused(stack):
    p = stack.projects["triage"]
    before = task_count(stack, p)
    ann = stack.sdk("annotator")
    refused(lambda: ann.projects.exports.download_sync(p, export_type="JSON"), "role_lacks_permission")
    refused(lambda: ann.projects.import_tasks(id=p, request=[{"text": "smuggled"}]), "role_lacks_permission")
    # Nothing reached Label Studio.
    assert task_count(stack, p) == before
    tasks = stack.direct(f"/api/tasks/?project={p}&page_size=100")
    assert not any(t["data"].get("text") == "smuggled" for t in tasks["tasks"])


def test_reviewer_pins_and_annotator_cannot(stack):
    p = stack.projects["triage"]
    assert stack.direct(f"/api/projects/{p}/")["pinned_at"] is None
    rita = stack.sdk("reviewer")
    rita.projects.update(id=p, pinned_at=PIN)
    pinned = stack.direct(f"/api/projects/{p}/")["pinned_at"]
    assert pinned is not None and pinned.startswith("2026-01-02T03:04:05")
    ann = stack.sdk("annotator")
    refused(lambda: ann.projects.update(id=p, pinned_at="2030-01-01T00:00:00Z"), "role_lacks_permission")
    refused(lambda: ann.projects.update(id=p, pinned_at=None), "role_lacks_permission")
    # A body that changes more than pinned_at is an update, which a reviewer may not make.
    refused(lambda: rita.projects.update(id=p, pinned_at=PIN, title="renamed"), "role_lacks_permission")
    after = stack.direct(f"/api/projects/{p}/")
    assert after["pinned_at"] == pinned
    assert not after["title"].startswith("renamed")


@pytest.mark.parametrize("who,reason", [("gone", "deactivated"), ("pending", "not_activated")])
def test_inactive_members_get_nothing(stack, who, reason):
    p = stack.projects["triage"]
    before = task_count(stack, p)
    sdk = stack.sdk(who)
    refused(lambda: sdk.projects.list(), reason)
    refused(lambda: sdk.projects.get(id=p), reason)
    refused(lambda: sdk.projects.exports.download_sync(p, export_type="JSON"), reason)
    refused(lambda: sdk.projects.import_tasks(id=p, request=[{"text": "from an inactive member"}]), reason)
    refused(lambda: sdk.tasks.list(project=p), reason)
    r = stack.via_worker(who, "GET", "/api/current-user/whoami")
    assert r.status_code == 403 and r.json()["reason"] == reason
    assert task_count(stack, p) == before


def test_no_identity_and_forged_tokens(stack):
    r = stack.via_worker(None, "GET", "/api/projects/")
    assert r.status_code == 401
    r = stack.via_worker(None, "GET", "/api/projects/", headers={"Authorization": "Token not-a-real-token"})
    assert r.status_code == 401
    assert stack.via_worker(None, "GET", "/health").json() == {"status": "UP"}


EXPECTED = {
    "owner": ["triage", "mri", "archive"],
    "administrator": ["triage", "mri", "archive"],
    "manager": ["triage", "mri"],
    "reviewer": ["triage"],
    "annotator": ["triage"],
}


def reach(stack, who: str) -> list[int]:
    """The projects `who` reaches: the stack's own, and for the owner and the administrator
    every project the store adopted from Label Studio (earlier runs' too) outside the other
    members' sandboxes."""
    want = {stack.projects[n] for n in EXPECTED[who]}
    if who in ("owner", "administrator"):
        org = stack.export()["organizations"][0]
        sandboxes = {w["id"] for w in org["workspaces"] if w.get("sandbox_of") not in (None, stack.users[who].id)}
        want |= {p["id"] for p in org["projects"] if p["workspace"] not in sandboxes}
    return sorted(want)


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_lists_show_only_what_each_member_reaches(stack, who):
    want = reach(stack, who)
    assert ids(stack.sdk(who).projects.list()) == want
    # The counts list, every page of it (Label Studio serves at most 100 a page).
    seen, url = [], "/api/projects/counts/?page_size=100"
    while url:
        r = stack.via_worker(who, "GET", url)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["count"] == len(want)
        seen += [x["id"] for x in body["results"]]
        url = body["next"][len(stack.worker.url):] if body["next"] else None
    assert sorted(seen) == want
    # The member's own `ids` filter narrows within their reach, never beyond it.
    everything = ",".join(str(v) for v in stack.projects.values())
    r = stack.via_worker(who, "GET", f"/api/projects/?ids={everything}")
    mine = sorted(set(want) & set(stack.projects.values()))
    assert sorted(x["id"] for x in r.json()["results"]) == mine


def test_list_pagination_is_coherent(stack):
    want = sorted(stack.projects.values())
    seen = []
    ids = ",".join(str(v) for v in want)
    url = f"/api/projects/?page_size=1&ordering=id&ids={ids}"
    pages = 0
    while url:
        r = stack.via_worker("owner", "GET", url)
        assert r.status_code == 200, r.text
        page = r.json()
        assert page["count"] == 3
        assert len(page["results"]) == 1
        seen += [x["id"] for x in page["results"]]
        nxt = page["next"]
        if nxt is not None:
            assert nxt.startswith(stack.worker.url + "/api/projects/"), nxt
            url = nxt[len(stack.worker.url):]
        else:
            url = None
        pages += 1
    assert pages == 3 and sorted(seen) == want
    # The manager's pages hold their reach only, whatever else Label Studio holds.
    r = stack.via_worker("manager", "GET", "/api/projects/?page_size=1")
    assert r.json()["count"] == len(reach(stack, "manager"))
    assert stack.direct("/api/projects/?page_size=1")["count"] >= 3
    # Nothing in reach: the Worker answers the empty page itself.
    r = stack.via_worker("annotator", "GET", f"/api/projects/?ids={stack.projects['archive']}")
    assert r.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_signup_needs_a_valid_invite_token(stack):
    """`disable_signup_without_link` is on in the store: Label Studio's own signup form,
    through the Worker, is refused without the organization's invite token (and reaches
    nothing), and goes through with it; the new member is pending until given a role."""
    import requests

    users_before = stack.direct("/api/users/?page_size=1000")
    count_before = len(users_before) if isinstance(users_before, list) else users_before["count"]
    s = requests.Session()
    w = stack.worker.url
    r = s.get(w + "/user/signup/", timeout=30)
    assert r.status_code == 403 and r.json()["reason"] == "setting_disabled", r.text[:200]
    r = s.get(w + f"/user/signup/?token={stack.invite_token}", timeout=30)
    assert r.status_code == 200, r.status_code
    csrf = s.cookies.get("csrftoken")
    assert csrf
    email = f"newcomer-{stack.projects['triage']}@labelgate.test"
    form = {"email": email, "password": "newcomer-pw-12", "csrfmiddlewaretoken": csrf}
    for path in ["/user/signup/", "/user/signup/?token=not-the-invite"]:
        r = s.post(w + path, data=form, allow_redirects=False, timeout=30)
        assert r.status_code == 403 and r.json()["reason"] == "setting_disabled", (path, r.status_code, r.text[:200])
    after = stack.direct("/api/users/?page_size=1000")
    assert (len(after) if isinstance(after, list) else after["count"]) == count_before
    r = s.post(w + f"/user/signup/?token={stack.invite_token}", data=form, allow_redirects=False, timeout=30)
    assert r.status_code == 302, (r.status_code, r.text[:300])
    after = stack.direct("/api/users/?page_size=1000")
    listed = after if isinstance(after, list) else after["results"]
    assert any(u["email"] == email for u in listed)
    # The Worker recorded the newcomer in the store as a pending member: refused until an
    # administrator gives them a role, listed as `NO` meanwhile.
    token = requests.get(stack.ls.url + "/api/current-user/token", cookies=s.cookies, timeout=30).json()["token"]
    newcomer = requests.get(stack.ls.url + "/api/current-user/whoami", cookies=s.cookies, timeout=30).json()["id"]
    r = requests.get(w + "/api/projects/", headers={"Authorization": f"Token {token}"}, timeout=30)
    assert r.status_code == 403 and r.json()["reason"] == "not_activated", r.text
    m = stack.as_owner("GET", f"/api/organizations/{stack.org}/memberships/{newcomer}/").json()
    assert (m["user_id"], m["role"]) == (newcomer, "NO"), m
    r = stack.via_worker("administrator", "POST", f"/api/organizations/{stack.org}/memberships",
                         json={"user_id": newcomer, "role": "AN"})
    assert r.status_code == 200, r.text
    r = requests.get(w + "/api/projects/", headers={"Authorization": f"Token {token}"}, timeout=30)
    assert r.status_code == 200 and r.json()["count"] == 0, r.text


def test_activity_log_records_every_decision(stack):
    """The Worker's activity log (D1), served by the Worker: the owner reads the refusals and
    allows above; the manager may not read it; a member removed from the organization shows
    as Deleted User."""
    import copy
    import time

    ann = stack.users["annotator"].id
    p = stack.projects["triage"]
    stack.via_worker("annotator", "GET", f"/api/projects/{p}/export")
    stack.via_worker("annotator", "POST", f"/api/projects/{p}/import", json=[{"text": "x"}])
    stack.via_worker("annotator", "PATCH", f"/api/projects/{p}/", json={"pinned_at": "2031-01-01T00:00:00Z"})
    stack.via_worker("manager", "POST", f"/api/projects/{p}/import", json=[{"text": "logged import"}])
    stack.via_worker("pending", "GET", "/api/projects/")
    want = {("project.export", False), ("project.import", False), ("project.pin", False)}
    for _ in range(50):
        r = stack.via_worker("owner", "GET", f"/api/activity-logs/?user={ann}&allow=false&page_size=1000")
        assert r.status_code == 200, r.text
        got = {(x["action"], x["allow"]) for x in r.json()["results"]}
        if want <= got:
            break
        time.sleep(0.1)
    assert want <= got, got
    ours = {f"/api/projects/{p}/export", f"/api/projects/{p}/import", f"/api/projects/{p}/"}
    for rec in r.json()["results"]:
        assert rec["user"]["id"] == ann and rec["allow"] is False and rec["organization"] == stack.org
        if rec["path"] in ours:
            assert rec["reason"] == "role_lacks_permission", rec
    r = stack.via_worker("owner", "GET", f"/api/activity-logs/?user={stack.users['manager'].id}&action=project.import&allow=true")
    assert r.json()["count"] >= 1
    r = stack.via_worker("manager", "GET", "/api/activity-logs/")
    assert r.status_code == 403 and r.json()["reason"] == "role_lacks_permission"
    # Label Studio Community has no /api/activity-logs/: the Worker answered, not the origin.
    assert stack.direct_status("/api/activity-logs/") == 404
    # The pending member is removed from the organization: their records stay, as Deleted User.
    pending = stack.users["pending"].id
    try:
        stack.as_owner("DELETE", f"/api/organizations/{stack.org}/memberships/{pending}/")
        r = stack.via_worker("owner", "GET", f"/api/activity-logs/?user={pending}")
        results = r.json()["results"]
        assert results and all(x["user"] == {"id": pending, "email": None, "name": "Deleted User"} for x in results), results
    finally:
        stack.bootstrap()  # adopts them again, as pending


def test_workspaces_are_served_from_the_store(stack):
    """Community has no workspaces (it answers 404): the Worker answers from the store, each
    member the workspaces they may see, and refuses the inactive before anything is asked."""
    assert stack.direct_status("/api/workspaces/") == 404
    names = lambda who: sorted(w["title"] for w in stack.via_worker(who, "GET", "/api/workspaces/").json())  # noqa: E731
    assert {"Medical", "Archive"} <= set(names("manager"))
    assert {"Medical", "Archive", "Default"} <= set(names("administrator"))
    assert names("reviewer") == [] and names("annotator") == []
    r = stack.via_worker("gone", "GET", "/api/workspaces/")
    assert r.status_code == 403 and r.json()["reason"] == "deactivated"


def test_a_member_of_two_organizations_uses_the_sdk_unchanged(stack):
    """A second, real Label Studio organization (Community has no API to make one: Django's ORM,
    in the server's own database) with the reviewer as an annotator and a project of its own.
    Label Studio's SDK, which cannot send `X-LabelGate-Org`, works on either organization's
    objects: the Worker acts in the organization of the project the route names."""
    import lsserver
    import requests

    rev = stack.users["reviewer"]
    made = json.loads(lsserver.django_shell(stack.ls, f"""
import copy
import json
from organizations.models import Organization
from projects.models import Project
from users.models import User
import secrets
owner = User.objects.create(email=f'second-owner-{{secrets.token_hex(4)}}@labelgate.test')
rev = User.objects.get(id={rev.id})
org = Organization.create_organization(created_by=owner, title='LabelGate second organization', legacy_api_tokens_enabled=True)
org.add_user(rev)
p = Project.objects.create(title='second-org project', organization=org, created_by=owner)
rev.active_organization = org
rev.save(update_fields=['active_organization'])
print(json.dumps({{'org': org.id, 'project': p.id, 'owner': owner.id}}))
"""))
    u = {k: v.id for k, v in stack.users.items()}
    lines = [
        {"org": {"id": made["org"], "owner": made["owner"], "name": "Second"}},
        {"member": {"user": made["owner"], "role": "owner", "status": "active"}},
        {"member": {"user": u["reviewer"], "role": "annotator", "status": "active"}},
        {"workspace": {"id": 900101, "name": "Second", "members": []}},
        {"project": {"id": made["project"], "title": "Second", "workspace": 900101, "created_by": made["owner"],
                     "members": [u["reviewer"]]}},
    ]
    r = requests.post(f"{stack.worker.url}/api/labelgate/import?org={made['org']}",
                      data="\n".join(json.dumps(x) for x in lines),
                      headers={"X-LabelGate-Admin-Token": lsserver.ADMIN_TOKEN}, timeout=60)
    assert r.status_code == 200, r.text
    try:
        rita = stack.sdk("reviewer")
        # Label Studio serves the reviewer's active organization: the second one.
        assert rita.projects.get(id=made["project"]).title == "second-org project"
        # In the second organization the reviewer is an annotator: no export there.
        refused(lambda: rita.projects.exports.download_sync(made["project"], export_type="JSON"), "role_lacks_permission")
        # In the first, a reviewer: the decision is the first organization's (Label Studio itself
        # then answers 404, as the reviewer's active organization is the second).
        r = stack.via_worker("reviewer", "PATCH", f"/api/projects/{stack.projects['triage']}/",
                             json={"pinned_at": PIN})
        assert r.status_code == 404, r.text
        r = stack.via_worker("annotator", "GET", f"/api/projects/{made['project']}/")
        assert r.status_code == 403 and r.json()["reason"] in {"not_member", "unknown_resource"}, r.text
        # An organization-level route needs the organization named.
        with pytest.raises(ApiError) as e:
            list(rita.projects.list())
        assert e.value.status_code == 400
        r = stack.via_worker("reviewer", "GET", "/api/projects/", headers={"X-LabelGate-Org": str(made["org"])})
        assert r.status_code == 200 and [p["id"] for p in r.json()["results"]] == [made["project"]], r.text
        r = stack.via_worker("reviewer", "GET", f"/api/projects/{made['project']}/", headers={"X-LabelGate-Org": str(stack.org)})
        assert r.status_code == 403 and r.json()["reason"] == "unknown_resource", r.text
    finally:
        # The reviewer belongs to one organization again, so the later tests see the stack as
        # before.
        stack.leave_second_org(made["org"], made["owner"], lines, ["reviewer"], probe="reviewer")
