"""The holes of issue 18, each reproduced against the real Label Studio through the Worker,
with Label Studio's own state (read directly, or in its database for the second
organization) and the store's export read before and after: nothing changes, nothing is
disclosed. Where a request is fine for one role and not another, both are tried.

The setting: a second, real Label Studio organization (Community has no API to make one:
Django's ORM, in the server's own database) in which the annotator (an annotator of the
first organization) and the deactivated member ("gone", deactivated in the first) are both
administrators, with a project of its own.
"""
from __future__ import annotations

import json
import time

import pytest
import requests

import lsserver
from stack import LABEL_CONFIG, PASSWORD

HIDE = 'x", "title": "pwned", "maximum_annotations": 77, "y": "z'


def utf7(doc: dict, hidden: str = HIDE) -> bytes:
    """`doc` plus a string field in which, read as UTF-7, more fields hide."""
    text = json.dumps(doc)[:-1]
    return (text + ', "note": "' + hidden.replace('"', "+ACI-") + '"}').encode("ascii")


def org_state(stack, org: int) -> dict:
    """An organization's state in Label Studio's own database: its projects, its users and
    their active organizations, its invite token, its labels, its annotations."""
    return json.loads(lsserver.django_shell(stack.ls, f"""
import json
from organizations.models import Organization
from projects.models import Project
from tasks.models import Annotation, Task
from users.models import User
o = Organization.objects.get(id={org})
print(json.dumps({{
    "projects": sorted(Project.objects.filter(organization=o).values_list("id", flat=True)),
    "titles": sorted(Project.objects.filter(organization=o).values_list("title", flat=True)),
    "users": sorted(o.users.values_list("id", flat=True)),
    "token": o.token,
    "tasks": Task.objects.filter(project__organization=o).count(),
    "annotations": sorted(Annotation.objects.filter(project__organization=o).values_list("id", "result")),
    "labels": sorted(str(x) for x in __import__("labels_manager.models", fromlist=["Label"]).Label.objects.filter(organization=o).values_list("id", "title")),
    "active": {{str(u.id): u.active_organization_id for u in User.objects.all()}},
}}, default=str))
"""))


def active_org(stack, user: int) -> int | None:
    return org_state(stack, stack.org)["active"].get(str(user))


def export(stack, org: int) -> dict:
    r = requests.get(f"{stack.worker.url}/api/labelgate/export?org={org}",
                     headers={"X-LabelGate-Admin-Token": lsserver.ADMIN_TOKEN}, timeout=60)
    r.raise_for_status()
    return r.json()


def set_active(stack, user: int, org: int) -> None:
    lsserver.django_shell(stack.ls, f"""
from users.models import User
from organizations.models import Organization
u = User.objects.get(id={user})
u.active_organization = Organization.objects.get(id={org})
u.save(update_fields=['active_organization'])
""")


@pytest.fixture(scope="module")
def two(stack):
    """The second organization: the annotator and the deactivated member administer it."""
    u = {k: v.id for k, v in stack.users.items()}
    made = json.loads(lsserver.django_shell(stack.ls, f"""
import json, secrets
from organizations.models import Organization
from projects.models import Project
from users.models import User
owner = User.objects.create(email=f'holes-owner-{{secrets.token_hex(4)}}@labelgate.test')
org = Organization.create_organization(created_by=owner, title='LabelGate holes organization', legacy_api_tokens_enabled=True)
for uid in [{u["annotator"]}, {u["gone"]}]:
    org.add_user(User.objects.get(id=uid))
p = Project.objects.create(title='holes second-org project', organization=org, created_by=owner, label_config='''{LABEL_CONFIG}''')
print(json.dumps({{'org': org.id, 'project': p.id, 'owner': owner.id, 'token': org.token}}))
"""))
    lines = [
        {"org": {"id": made["org"], "owner": made["owner"], "name": "Holes"}},
        {"member": {"user": made["owner"], "role": "owner", "status": "active"}},
        {"member": {"user": u["annotator"], "role": "administrator", "status": "active"}},
        {"member": {"user": u["gone"], "role": "administrator", "status": "active"}},
        {"workspace": {"id": 910101, "name": "Holes", "members": []}},
        {"project": {"id": made["project"], "title": "Holes", "workspace": 910101, "created_by": made["owner"],
                     "members": []}},
        {"token": made["token"]},
    ]
    r = requests.post(f"{stack.worker.url}/api/labelgate/import?org={made['org']}",
                      data="\n".join(json.dumps(x) for x in lines),
                      headers={"X-LabelGate-Admin-Token": lsserver.ADMIN_TOKEN}, timeout=60)
    assert r.status_code == 200, r.text
    for who in ["annotator", "gone"]:
        set_active(stack, u[who], stack.org)
    yield made
    # The other tests' members belong to one organization again.
    stack.leave_second_org(made["org"], made["owner"], lines, ["annotator", "gone"], probe="annotator")


def org_level_routes() -> list[tuple[str, str]]:
    """Every organization-level route of the table that Label Studio runs in the active
    organization (Row::active_org, no id in the path), as one concrete request each."""
    from test_routes import classified

    out = set()
    for r in classified():
        if not r.get("active_org") or r["method"] in {"HEAD", "OPTIONS"}:
            continue
        cls, path = r["class"], r["path"]
        if cls.startswith(("denied", "public", "page", "file", "signup")) or any(c.isdigit() for c in path):
            continue
        out.add((r["method"], path))
    return sorted(out)


def test_label_studio_never_acts_in_another_organization_than_the_one_decided(stack, two):
    """Class 1: every organization-level route, tried by the annotator (an annotator here, an
    administrator there) and by the member deactivated here, with `X-LabelGate-Org` naming the
    second organization while Label Studio's active organization is the first, is refused with
    the way to switch; nothing of either organization changes and no user list is disclosed."""
    routes = org_level_routes()
    assert len(routes) >= 25, routes
    paths = {p for _, p in routes}
    for must in ["/api/users/", "/api/projects/", "/api/invite", "/api/invite/reset-token/", "/api/labels/bulk"]:
        assert any(p.rstrip("/") == must.rstrip("/") for p in paths), (must, sorted(paths))
    before = (org_state(stack, stack.org), org_state(stack, two["org"]), export(stack, stack.org), export(stack, two["org"]))
    emails = [v.email for v in stack.users.values()]
    u = {k: v.id for k, v in stack.users.items()}
    conflicts = 0
    # Active in the first, the header names the second; then active in the second (switched in
    # Label Studio itself), the header names the first.
    for active, named in [(stack.org, two["org"]), (two["org"], stack.org)]:
        for who in ["annotator", "gone"]:
            set_active(stack, u[who], active)
            for method, path in routes:
                kw = {"json": {"title": "holes", "label_config": LABEL_CONFIG}} if method in {"POST", "PATCH", "PUT"} else {}
                r = stack.via_worker(who, method, path, headers={"X-LabelGate-Org": str(named)}, **kw)
                assert r.status_code in {400, 401, 403, 404, 405, 409, 415}, (who, active, method, path, r.status_code, r.text[:300])
                assert not any(e in r.text for e in emails), (who, method, path, r.text[:300])
                if r.status_code == 409:
                    conflicts += 1
                    assert r.json()["error"] == "active_organization" and "active_organization" in r.json()["message"]
            set_active(stack, u[who], stack.org)
    assert conflicts >= len(routes), conflicts
    # The same with the header naming the first organization: the annotator is an annotator there.
    r = stack.via_worker("annotator", "GET", "/api/users/", headers={"X-LabelGate-Org": str(stack.org)})
    assert r.status_code == 200 and [x["id"] for x in r.json()] == [stack.users["annotator"].id], r.text[:300]
    after = (org_state(stack, stack.org), org_state(stack, two["org"]), export(stack, stack.org), export(stack, two["org"]))
    assert after == before


def test_a_switch_is_decided_where_it_lands(stack, two):
    """A member switches their active organization through the Worker only to one where they
    are active; after the switch, the second organization's routes act there (a project is
    created in it, Label Studio says so), and the first organization's are refused until they
    switch back. A manager of the first organization only cannot switch into the second, the
    deactivated member cannot switch into the first, and nobody switches another member."""
    u = {k: v.id for k, v in stack.users.items()}
    org1, org2 = stack.org, two["org"]
    # The manager, a member of the first organization only.
    r = stack.via_worker("manager", "PATCH", f"/api/users/{u['manager']}/", json={"active_organization": org2})
    assert r.status_code == 403 and r.json()["reason"] in {"not_member", "unknown_resource"}, r.text
    assert active_org(stack, u["manager"]) == org1
    # Another member's active organization.
    r = stack.via_worker("annotator", "PATCH", f"/api/users/{u['reviewer']}/", json={"active_organization": org2},
                         headers={"X-LabelGate-Org": str(org2)})
    assert r.status_code == 403, r.text
    assert active_org(stack, u["reviewer"]) == org1
    # Hidden in UTF-7: refused before anything reads it.
    r = stack.via_worker("manager", "PATCH", f"/api/users/{u['manager']}/",
                         data=utf7({"first_name": "M"}, f'x", "active_organization": {org2}, "y": "z'),
                         headers={"Content-Type": "application/json; charset=utf-7"})
    assert r.status_code == 415, r.text
    assert active_org(stack, u["manager"]) == org1
    try:
        # The annotator switches into the second organization, where they administer.
        r = stack.via_worker("annotator", "PATCH", f"/api/users/{u['annotator']}/", json={"active_organization": org2})
        assert r.status_code == 200, r.text
        assert active_org(stack, u["annotator"]) == org2
        before1 = org_state(stack, org1)
        r = stack.via_worker("annotator", "POST", "/api/projects/", json={"title": "made in two", "label_config": LABEL_CONFIG},
                             headers={"X-LabelGate-Org": str(org2)})
        assert r.status_code == 201, r.text
        made = r.json()["id"]
        assert made in org_state(stack, org2)["projects"]
        assert made in [p["id"] for p in export(stack, org2)["organizations"][0]["projects"]]
        # The first organization's organization-level routes now wait for a switch back.
        r = stack.via_worker("annotator", "GET", "/api/users/", headers={"X-LabelGate-Org": str(org1)})
        assert r.status_code == 409 and r.json()["error"] == "active_organization", r.text
        r = stack.via_worker("annotator", "POST", "/api/projects/", json={"title": "not in one", "label_config": LABEL_CONFIG},
                             headers={"X-LabelGate-Org": str(org1)})
        assert r.status_code in {403, 409}, r.text
        assert org_state(stack, org1)["projects"] == before1["projects"]
        # Back to the first, where they are an annotator: allowed (they are active there).
        r = stack.via_worker("annotator", "PATCH", f"/api/users/{u['annotator']}/", json={"active_organization": org1})
        assert r.status_code == 200, r.text
        assert active_org(stack, u["annotator"]) == org1
        # The deactivated member: into the second (active there) yes, back into the first no.
        r = stack.via_worker("gone", "PATCH", f"/api/users/{u['gone']}/", json={"active_organization": org2},
                             headers={"X-LabelGate-Org": str(org2)})
        assert r.status_code == 200, r.text
        r = stack.via_worker("gone", "PATCH", f"/api/users/{u['gone']}/", json={"active_organization": org1},
                             headers={"X-LabelGate-Org": str(org2)})
        assert r.status_code in {400, 403}, r.text
        assert active_org(stack, u["gone"]) == org2
        r = stack.via_worker("gone", "PATCH", f"/api/users/{u['gone']}/", json={"active_organization": org1})
        assert r.status_code == 403 and r.json()["reason"] == "deactivated", r.text
        assert active_org(stack, u["gone"]) == org2
    finally:
        set_active(stack, u["annotator"], org1)
        set_active(stack, u["gone"], org1)


def test_a_body_in_another_charset_never_reaches_label_studio(stack):
    """Class 2: fields hidden in UTF-7 (`+ACI-` is a `"`): a reviewer's pin that would also
    retitle the project, an annotation in another's name, tasks created in another project,
    and the same in other disguises (a BOM, a repeated key, a form declared as JSON). Each is
    refused; the project, its annotations and its tasks are as before."""
    p = stack.projects["triage"]
    other = stack.projects["archive"]
    proj = lambda: stack.direct(f"/api/projects/{p}/")  # noqa: E731
    tasks = lambda pid: stack.direct(f"/api/tasks/?project={pid}&page_size=100")["total"]  # noqa: E731
    task = stack.direct(f"/api/tasks/?project={p}&page_size=1")["tasks"][0]["id"]
    before = (proj()["title"], proj()["maximum_annotations"], tasks(p), tasks(other),
              len(stack.direct(f"/api/tasks/{task}/annotations/")))
    u = {k: v.id for k, v in stack.users.items()}
    attempts = [
        ("reviewer", "PATCH", f"/api/projects/{p}/", utf7({"pinned_at": "2026-01-01T00:00:00Z"}), "application/json; charset=utf-7"),
        ("reviewer", "PATCH", f"/api/projects/{p}/", utf7({"pinned_at": None}), "application/json;charset=UTF-7"),
        ("reviewer", "PATCH", f"/api/projects/{p}/", '{"pinned_at": null}'.encode("utf-16"), "application/json; charset=utf-16"),
        ("reviewer", "PATCH", f"/api/projects/{p}/", b'{"pinned_at": null, "title": "x", "title": "y"}', "application/json"),
        ("reviewer", "PATCH", f"/api/projects/{p}/", b"\xef\xbb\xbf" + b'{"pinned_at": null}', "application/json"),
        ("reviewer", "PATCH", f"/api/projects/{p}/", b"pinned_at=&title=pwned", "application/x-www-form-urlencoded"),
        ("annotator", "POST", f"/api/tasks/{task}/annotations/",
         utf7({"result": []}, f'x", "completed_by": {u["reviewer"]}, "y": "z'), "application/json; charset=utf-7"),
        ("manager", "POST", "/api/tasks/", utf7({"project": p, "data": {"text": "t"}}, f'x", "project": {other}, "y": "z'),
         "application/json; charset=utf-7"),
        ("manager", "POST", f"/api/projects/{p}/import", utf7({"text": "t"}), "application/json; charset=utf-7"),
    ]
    for who, method, path, body, ct in attempts:
        r = stack.via_worker(who, method, path, data=body, headers={"Content-Type": ct})
        assert r.status_code in {400, 415}, (who, path, ct, r.status_code, r.text[:300])
    after = (proj()["title"], proj()["maximum_annotations"], tasks(p), tasks(other),
             len(stack.direct(f"/api/tasks/{task}/annotations/")))
    assert after == before
    # The same pin in plain UTF-8 is the reviewer's to make.
    r = stack.via_worker("reviewer", "PATCH", f"/api/projects/{p}/", json={"pinned_at": None},
                         headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def own_project(stack):
    """A project of the Medical workspace with four tasks: one assigned to the annotator, one
    labeled by the reviewer; the annotator and the reviewer members."""
    u = {k: v.id for k, v in stack.users.items()}
    admin = stack.ls.url
    h = {"Authorization": f"Token {stack.ls.admin_token}"}
    p = requests.post(f"{admin}/api/projects/", json={"title": "holes own", "label_config": LABEL_CONFIG},
                      headers=h, timeout=30).json()["id"]
    requests.post(f"{admin}/api/projects/{p}/import", json=[{"text": f"own {i}"} for i in range(4)],
                  headers=h, timeout=30).raise_for_status()
    stack.bootstrap()
    stack.as_owner("PATCH", f"/api/projects/{p}/", json={"workspace": stack.workspaces["Medical"]})
    for who in ["reviewer", "annotator"]:
        stack.as_owner("POST", f"/api/projects/{p}/members/", json={"user": u[who]})
    tasks = [t["id"] for t in stack.direct(f"/api/tasks/?project={p}&page_size=10")["tasks"]]
    stack.as_owner("POST", f"/api/projects/{p}/tasks/assignees",
                   json={"type": "AN", "users": [u["annotator"]], "selectedItems": {"all": False, "included": [tasks[0]]}})
    r = stack.via_worker("reviewer", "POST", f"/api/tasks/{tasks[1]}/annotations/",
                         json={"result": [{"from_name": "label", "to_name": "text", "type": "choices",
                                           "value": {"choices": ["yes"]}}]})
    assert r.status_code == 201, r.text
    yield {"project": p, "tasks": tasks}
    # Out of every tested member's reach again (Archive, no members, no assignment), so the
    # other tests' lists hold what they held. Not deleted: Label Studio's SQLite gives a
    # deleted row's id to the next one, and the next tests' projects and tasks would reuse them.
    stack.as_owner("DELETE", f"/api/projects/{p}/tasks/assignees",
                   json={"type": "AN", "users": [u["annotator"]], "selectedItems": {"all": True}})
    for who in ["reviewer", "annotator"]:
        stack.as_owner("DELETE", f"/api/projects/{p}/members/", json={"user": u[who]})
    stack.as_owner("PATCH", f"/api/projects/{p}/", json={"workspace": stack.workspaces["Archive"]})


def test_next_task_that_chooses_a_task_is_viewing(stack, own_project):
    """Class 3: the Data Manager's `next_task` naming another's task, by id or by filter, gives
    an annotator nothing, own-data on or off; the label stream itself is theirs; an own task
    chosen by id is theirs with own data on; a reviewer, who views the project's data, may
    choose."""
    p, tasks = own_project["project"], own_project["tasks"]
    mine, others = tasks[0], tasks[1]
    path = f"/api/dm/actions/?id=next_task&project={p}"
    pick = lambda t: {"selectedItems": {"all": False, "included": [t]}}  # noqa: E731
    by_filter = {"filters": {"conjunction": "and", "items": [
        {"filter": "filter:tasks:id", "operator": "equal", "type": "Number", "value": others}]},
        "selectedItems": {"all": True, "excluded": []}}
    for own_data in [True, False]:
        stack.as_owner("PATCH", f"/api/projects/{p}/", json={"annotators_can_view_own_data": own_data})
        for body in [pick(others), by_filter, {"selectedItems": {"all": True, "excluded": [mine]}}, {"ordering": ["-tasks:id"]}]:
            r = stack.via_worker("annotator", "POST", path, json=body)
            assert r.status_code == 403, (own_data, body, r.status_code, r.text[:300])
            assert f"own {tasks.index(others)}" not in r.text
        r = stack.via_worker("annotator", "POST", f"{path}&view=1", json={})
        assert r.status_code in {403, 404}, r.text[:300]
        r = stack.via_worker("annotator", "POST", path, json=pick(mine))
        assert r.status_code == (200 if own_data else 403), (own_data, r.text[:300])
        # The stream's own choice is labeling: the annotator may.
        r = stack.via_worker("annotator", "POST", path, json={})
        assert r.status_code in {200, 404}, r.text[:300]
    r = stack.via_worker("reviewer", "POST", path, json=pick(others))
    assert r.status_code in {200, 404}, r.text[:300]


def test_other_members_emails_never_reach_annotators_and_reviewers(stack, own_project):
    """Class 4: every answer that carries user records (a project's members and annotators, its
    creator, a task's annotations and their authors, the label stream, the member's slice)
    holds no other member's email for the annotator and the reviewer; the manager, who may see
    the members, gets them. The annotator's and the reviewer's slice names no workspace."""
    p, tasks = own_project["project"], own_project["tasks"]
    u = stack.users
    others = {k: v.email for k, v in u.items()}
    org1 = {"X-LabelGate-Org": str(stack.org)}  # the annotator is in two organizations
    org1 = {"X-LabelGate-Org": str(stack.org)}  # the annotator is in two organizations
    reads = [f"/api/projects/{p}/members", f"/api/projects/{p}/annotators/", f"/api/projects/{p}/",
             f"/api/tasks/{tasks[1]}/", f"/api/tasks/{tasks[1]}/annotations/", f"/api/projects/{p}/next/",
             f"/api/projects/?page_size=100", f"/api/dm/project/?project={p}", "/api/labelgate/me",
             f"/api/tasks/?project={p}&page_size=10", "/api/users/", "/api/current-user/whoami"]
    for who in ["annotator", "reviewer"]:
        stack.as_owner("PATCH", f"/api/projects/{p}/", json={"annotators_can_view_own_data": True})
        for path in reads:
            r = stack.via_worker(who, "GET", path, headers=org1)
            assert r.status_code in {200, 403, 404}, (who, path, r.status_code, r.text[:300])
            leaked = [k for k, e in others.items() if k != who and e in r.text]
            assert leaked == [], (who, path, r.status_code, leaked, r.text[:300])
        me = stack.via_worker(who, "GET", "/api/labelgate/me", headers=org1).json()
        assert "slice" in me, (who, me)
        names = [w.get("name") for o in me["slice"]["organizations"] for w in o.get("workspaces", [])]
        assert all(n is None for n in names), (who, names)
    # The manager may see the members: their emails are there.
    r = stack.via_worker("manager", "GET", f"/api/projects/{p}/annotators/")
    assert r.status_code == 200 and u["reviewer"].email in r.text, r.text[:300]
    names = [w.get("name") for o in stack.via_worker("manager", "GET", "/api/labelgate/me").json()["slice"]["organizations"]
             for w in o.get("workspaces", [])]
    assert "Medical" in names


def test_a_reset_token_and_a_rotated_invite_stop_working_at_once(stack):
    """Class 5: after the administrator resets their token through the Worker, the old one
    creates no workspace and deactivates nobody through the Worker's administration API; the
    same after a reset made straight at Label Studio, once the staleness bound has passed. After
    an invite reset through the Worker the new link signs a newcomer up and the old one is
    refused; Label Studio's users and the store's export are read before and after."""
    adm = stack.users["administrator"]
    u = {k: v.id for k, v in stack.users.items()}
    before = export(stack, stack.org)
    old = adm.token
    r = stack.via_worker("administrator", "POST", "/api/current-user/reset-token/")
    assert r.status_code in {200, 201}, r.text
    adm.token = r.json()["token"]
    for method, path, body in [("POST", "/api/workspaces/", {"title": "with an old token"}),
                               ("PATCH", f"/api/organizations/{stack.org}/memberships", {"user_id": u["pending"], "role": "DI"})]:
        r = requests.request(method, stack.worker.url + path, json=body, headers={"Authorization": f"Token {old}"}, timeout=30)
        assert r.status_code == 401, (path, r.status_code, r.text)
    assert export(stack, stack.org) == before
    # Reset straight at Label Studio: the Worker has not seen it.
    old = adm.token
    assert stack.via_worker("administrator", "GET", "/api/workspaces/").status_code == 200
    r = requests.post(stack.ls.url + "/api/current-user/reset-token/", headers={"Authorization": f"Token {old}"}, timeout=30)
    assert r.status_code in {200, 201}, r.text
    adm.token = r.json()["token"]
    time.sleep(1.2)
    r = requests.post(stack.worker.url + "/api/workspaces/", json={"title": "old token again"},
                      headers={"Authorization": f"Token {old}"}, timeout=30)
    assert r.status_code == 401, r.text
    assert export(stack, stack.org) == before
    assert stack.via_worker("administrator", "GET", "/api/workspaces/").status_code == 200

    # The invite link.
    users_before = {x["id"] for x in stack.direct("/api/users/")}
    old_link = stack.as_owner("GET", "/api/invite").json()
    r = stack.via_worker("owner", "POST", "/api/invite/reset-token")
    assert r.status_code == 201, r.text
    new_link = r.json()
    assert new_link["token"] != old_link["token"] and new_link["token"] == stack.direct("/api/invite")["token"]
    stack.invite_token = new_link["token"]
    assert stack.via_worker(None, "GET", old_link["invite_url"]).status_code == 403
    s = requests.Session()
    page = s.get(stack.worker.url + old_link["invite_url"], timeout=30)
    assert page.status_code == 403
    assert {x["id"] for x in stack.direct("/api/users/")} == users_before
    email = f"holes-newcomer-{int(time.time())}@labelgate.test"
    for link, works in [(old_link["invite_url"], False), (new_link["invite_url"], True)]:
        s = requests.Session()
        s.get(stack.ls.url + "/user/login/", timeout=30)  # a csrftoken
        r = s.post(stack.worker.url + link, data={"email": email, "password": PASSWORD,
                                                  "csrfmiddlewaretoken": s.cookies.get("csrftoken")},
                   headers={"Referer": stack.worker.url + link}, allow_redirects=False, timeout=30)
        assert (r.status_code == 302) == works, (link, r.status_code, r.text[:300])
        ids = {x["id"]: x["email"] for x in stack.direct("/api/users/")}
        assert (email in ids.values()) == works
    newcomer = next(i for i, e in ids.items() if e == email)
    assert any(m["user"] == newcomer and m["status"] == "not_activated"
               for m in export(stack, stack.org)["organizations"][0]["members"])


def session(stack, who: str) -> requests.Session:
    """A browser's session: signed in at Label Studio's own login form."""
    s = requests.Session()
    s.get(stack.ls.url + "/user/login/", timeout=30)
    r = s.post(stack.ls.url + "/user/login/", data={"email": stack.users[who].email, "password": PASSWORD,
                                                    "csrfmiddlewaretoken": s.cookies.get("csrftoken")},
               headers={"Referer": stack.ls.url + "/user/login/"}, allow_redirects=False, timeout=30)
    assert r.status_code == 302 and s.cookies.get("sessionid"), r.text[:300]
    return s


def test_the_store_records_only_what_is_true(stack, own_project):
    """Class 6: assignments of another project's tasks are refused and nothing is recorded; a
    move whose other fields Label Studio refuses leaves the project where it was; a
    cookie-carried write with an empty `Origin` is cross-site, and it is in the activity log."""
    p = own_project["project"]
    foreign = [t["id"] for t in stack.direct(f"/api/tasks/?project={stack.projects['archive']}&page_size=3")["tasks"]]
    u = {k: v.id for k, v in stack.users.items()}
    before = export(stack, stack.org)
    for who in ["owner", "manager"]:
        r = stack.via_worker(who, "POST", f"/api/projects/{p}/tasks/assignees",
                             json={"type": "AN", "users": [u["annotator"]],
                                   "selectedItems": {"all": False, "included": foreign}})
        assert r.status_code in {400, 403}, (who, r.status_code, r.text)
    assert export(stack, stack.org) == before
    # A move with a field Label Studio refuses.
    r = stack.via_worker("owner", "PATCH", f"/api/projects/{p}/",
                         json={"workspace": stack.workspaces["Archive"], "maximum_annotations": "many"})
    assert r.status_code == 400, r.text
    assert export(stack, stack.org) == before
    # The same move alone is the owner's to make (and undone).
    r = stack.via_worker("owner", "PATCH", f"/api/projects/{p}/", json={"workspace": stack.workspaces["Archive"]})
    assert r.status_code == 200, r.text
    stack.as_owner("PATCH", f"/api/projects/{p}/", json={"workspace": stack.workspaces["Medical"]})

    # An empty Origin on a cookie-carried write.
    s = session(stack, "reviewer")
    pinned = stack.direct(f"/api/projects/{p}/")["pinned_at"]
    for origin in ["", "null"]:
        r = s.patch(stack.worker.url + f"/api/projects/{p}/", json={"pinned_at": "2026-02-02T00:00:00Z"},
                    headers={"Origin": origin}, timeout=30)
        assert r.status_code == 403 and r.json()["error"] == "cross_site", (origin, r.status_code, r.text)
    assert stack.direct(f"/api/projects/{p}/")["pinned_at"] == pinned
    time.sleep(1.5)
    log = stack.as_owner("GET", "/api/activity-logs/?allow=false&page_size=200").json()
    rows = log.get("results", log) if isinstance(log, dict) else log
    assert any((r.get("user") or {}).get("id") == u["reviewer"] and r.get("reason") == "cross_site"
               for r in rows), json.dumps(rows)[:1000]
