"""The Label Studio stack: a real Label Studio (scripts/setup-label-studio.sh's venv) on
127.0.0.1, users signed up through its invite link, projects and tasks created by the admin
through its API and SDK, and the LabelGate Worker in workerd in front of it
(tests/labelstudio/worker.mjs) with its store (a Durable Object per organization, SQLite).
The store is bootstrapped from Label Studio (scripts/bootstrap-store.py: the admin owns the
organization, everyone else is pending), then the owner gives the users Enterprise roles,
workspaces and project members through the Worker's administration API: no snapshot file
anywhere. Used by the tests (conftest.py) and, as a demo, on its own:

    .cache/label-studio-venv/bin/python tests/labelstudio/stack.py [--port 8080] [--worker-port 8787]

Every process is stopped by its PID at the end (Ctrl-C for the demo).
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from label_studio_sdk import LabelStudio

import lsserver

sys.path.insert(0, str(lsserver.ROOT / "scripts"))
bootstrap_store = __import__("bootstrap-store")

LABEL_CONFIG = """<View><Text name="text" value="$text"/>
<Choices name="label" toName="text"><Choice value="yes"/><Choice value="no"/></Choices></View>"""
PASSWORD = "labelgate-test-pw-1"
TIMES: dict[str, float] = {}
DATA_DIR = lsserver.ROOT / ".cache" / "label-studio-test-data"


@dataclass
class User:
    role: str
    id: int
    email: str
    token: str


@dataclass
class Stack:
    ls: lsserver.LabelStudio
    worker: lsserver.Worker
    org: int
    users: dict[str, User]
    projects: dict[str, int]
    invite_token: str
    snapshot_path: Path
    snapshot: dict = field(default_factory=dict)
    workspaces: dict[str, int] = field(default_factory=dict)

    def as_owner(self, method: str, path: str, **kw) -> requests.Response:
        """An administration call through the Worker as the owner; it must succeed."""
        r = self.via_worker("owner", method, path, **kw)
        assert r.status_code < 400, (method, path, r.status_code, r.text[:300])
        return r

    def export(self) -> dict:
        """The store's facts of the organization (the operator's export), also written to
        `snapshot_path` for the native core."""
        r = requests.get(f"{self.worker.url}/api/labelgate/export?org={self.org}",
                         headers={"X-LabelGate-Admin-Token": lsserver.ADMIN_TOKEN}, timeout=60)
        r.raise_for_status()
        self.snapshot = r.json()
        self.snapshot_path.write_text(json.dumps(self.snapshot, indent=1))
        return self.snapshot

    def bootstrap(self) -> dict:
        """Adopts what is new in Label Studio (users as pending, projects into Default)."""
        return bootstrap_store.bootstrap(self.ls.url, self.ls.admin_token, self.worker.url, lsserver.ADMIN_TOKEN,
                                         owner=self.users["owner"].id)

    def leave_second_org(self, org: int, owner: int, lines: list[dict], who: list[str], probe: str) -> None:
        """Undoes a test's second organization for the members `who`: out of it in Label
        Studio (active in this stack's organization again) and in the store (`lines`, the
        facts it was imported with, imported again with only its owner: an import replaces an
        organization's facts, and the directory follows through the store's outbox, until the
        active member `probe` lists their projects again without naming an organization)."""
        ids = [self.users[w].id for w in who]
        lsserver.django_shell(self.ls, f"""
from organizations.models import Organization, OrganizationMember
from users.models import User
OrganizationMember.objects.filter(organization_id={org}, user_id__in={ids}).delete()
for uid in {ids}:
    x = User.objects.get(id=uid)
    x.active_organization = Organization.objects.get(id={self.org})
    x.save(update_fields=['active_organization'])
""")
        alone = [dict(x) for x in lines if "member" not in x or x["member"]["user"] == owner]
        for x in alone:
            if "project" in x:
                x["project"] = {**x["project"], "members": []}
        r = requests.post(f"{self.worker.url}/api/labelgate/import?org={org}",
                          data="\n".join(json.dumps(x) for x in alone),
                          headers={"X-LabelGate-Admin-Token": lsserver.ADMIN_TOKEN}, timeout=60)
        assert r.status_code == 200, r.text
        for _ in range(50):
            if self.via_worker(probe, "GET", "/api/projects/").status_code == 200:
                break
            time.sleep(0.2)
        assert self.via_worker(probe, "GET", "/api/projects/").status_code == 200, probe

    def sdk(self, who: str) -> LabelStudio:
        """Label Studio's SDK pointed at the Worker, as `who`."""
        return LabelStudio(base_url=self.worker.url, api_key=self.users[who].token)

    def direct(self, path: str) -> dict:
        """Label Studio's own state, asked directly (not through the Worker) as the owner."""
        r = requests.get(self.ls.url + path, headers={"Authorization": f"Token {self.ls.admin_token}"}, timeout=30)
        r.raise_for_status()
        return r.json()

    def direct_status(self, path: str) -> int:
        r = requests.get(self.ls.url + path, headers={"Authorization": f"Token {self.ls.admin_token}"}, timeout=30)
        return r.status_code

    def via_worker(self, who: str | None, method: str, path: str, **kw) -> requests.Response:
        headers = kw.pop("headers", {})
        if who is not None:
            headers["Authorization"] = f"Token {self.users[who].token}"
        return requests.request(method, self.worker.url + path, headers=headers, timeout=30,
                                allow_redirects=False, **kw)


def signup(ls_url: str, invite_url: str, email: str) -> User:
    """Signs up through Label Studio's invite link (its own signup form, CSRF and all), then
    reads the new user's id and legacy token as that user."""
    s = requests.Session()
    r = s.get(ls_url + invite_url, timeout=30)
    r.raise_for_status()
    csrf = s.cookies.get("csrftoken")
    assert csrf, "the signup page set no csrftoken"
    r = s.post(ls_url + invite_url, data={"email": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
               headers={"Referer": ls_url + invite_url}, allow_redirects=False, timeout=30)
    assert r.status_code == 302, (r.status_code, r.text[:300])
    who = s.get(ls_url + "/api/current-user/whoami", timeout=30).json()
    token = s.get(ls_url + "/api/current-user/token", timeout=30).json()["token"]
    return User("", who["id"], email, token)


def give_roles(stack: "Stack") -> None:
    """What an owner does on day one, through the Worker's administration API: roles, the
    invite-only setting, two workspaces (the manager a member of Medical), the projects moved
    into them, the reviewer and the annotator members of Triage, and one member deactivated."""
    org, u, p = stack.org, {k: v.id for k, v in stack.users.items()}, stack.projects
    for who, code in [("administrator", "AD"), ("manager", "MA"), ("reviewer", "RE"), ("annotator", "AN"),
                      ("gone", "AN")]:
        stack.as_owner("POST", f"/api/organizations/{org}/memberships", json={"user_id": u[who], "role": code})
    stack.as_owner("PATCH", f"/api/organizations/{org}/memberships", json={"user_id": u["gone"], "role": "DI"})
    stack.as_owner("PATCH", f"/api/organizations/{org}", json={"disable_signup_without_link": True})
    stack.invite_token = stack.as_owner("GET", "/api/invite").json()["token"]
    for name in ["Medical", "Archive"]:
        stack.workspaces[name] = stack.as_owner("POST", "/api/workspaces/", json={"title": name}).json()["id"]
    stack.as_owner("POST", f"/api/workspaces/{stack.workspaces['Medical']}/memberships/", json={"user": u["manager"]})
    for project, ws in [("triage", "Medical"), ("mri", "Medical"), ("archive", "Archive")]:
        stack.as_owner("PATCH", f"/api/projects/{p[project]}/", json={"workspace": stack.workspaces[ws]})
    for who in ["reviewer", "annotator"]:
        stack.as_owner("POST", f"/api/projects/{p['triage']}/members/", json={"user": u[who]})


@contextlib.contextmanager
def running_stack(data: Path, tmp: Path, ls_port: int | None = None, worker_port: int = 0):
    """Starts everything; yields the Stack; stops the Worker and the Label Studio running at
    the end (the load test may have restarted it) by PID."""
    worker_port = worker_port or lsserver.free_port()
    # Browsers sign in through the Worker: Label Studio must trust its origin (and a restart
    # by the load test must too).
    os.environ["LABELGATE_TRUSTED_ORIGIN"] = f"http://127.0.0.1:{worker_port}"
    ls = lsserver.start_label_studio(data, ls_port)
    TIMES["label_studio_start_s"] = round(ls.start_seconds, 1)
    stack = None
    worker = None
    try:
        admin_h = {"Authorization": f"Token {ls.admin_token}"}
        me = requests.get(ls.url + "/api/current-user/whoami", headers=admin_h, timeout=30).json()
        invite = requests.get(ls.url + "/api/invite", headers=admin_h, timeout=30).json()
        run = f"{int(time.time() * 1000):x}"
        users = {"owner": User("owner", me["id"], me["email"], ls.admin_token)}
        for role in ["administrator", "manager", "reviewer", "annotator", "pending", "gone"]:
            user = signup(ls.url, invite["invite_url"], f"{role}-{run}@labelgate.test")
            user.role = role
            users[role] = user

        admin = LabelStudio(base_url=ls.url, api_key=ls.admin_token)
        projects = {}
        for name in ["triage", "mri", "archive"]:
            p = admin.projects.create(title=f"{name}-{run}", label_config=LABEL_CONFIG)
            projects[name] = p.id
            admin.projects.import_tasks(id=p.id, request=[{"text": f"{name} task {i}"} for i in range(3)])

        tmp.mkdir(parents=True, exist_ok=True)
        path = tmp / "snapshot.json"
        t0 = time.monotonic()
        worker = lsserver.start_worker(None, ls.url, worker_port)
        TIMES["worker_start_s"] = round(time.monotonic() - t0, 1)
        stack = Stack(ls, worker, me["active_organization"], users, projects, invite["token"], path)
        t0 = time.monotonic()
        stack.bootstrap()
        give_roles(stack)
        stack.export()
        TIMES["store_setup_s"] = round(time.monotonic() - t0, 1)
        yield stack
    finally:
        if worker is not None:
            worker.stop()
        (stack.ls if stack is not None else ls).stop()
        ls.stop()


def main() -> int:
    import argparse
    import signal as sig

    ap = argparse.ArgumentParser(description="Label Studio behind the LabelGate Worker (127.0.0.1)")
    ap.add_argument("--port", type=int, default=8080, help="Label Studio's port")
    ap.add_argument("--worker-port", type=int, default=8787)
    ap.add_argument("--data-dir", type=Path, default=DATA_DIR)
    ap.add_argument("--json", action="store_true",
                    help="print one JSON line (URLs, users with their sign-in, projects) for a test driver, then wait")
    a = ap.parse_args()
    sig.signal(sig.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with running_stack(a.data_dir.resolve(), lsserver.ROOT / ".cache" / "labelgate-demo", a.port, a.worker_port) as s:
        if a.json:
            users = {k: {"id": v.id, "email": v.email, "token": v.token,
                         "password": s.ls.admin_password if k == "owner" else PASSWORD}
                     for k, v in s.users.items()}
            print(json.dumps({"worker": s.worker.url, "label_studio": s.ls.url, "admin_token": s.ls.admin_token,
                              "org": s.org, "users": users, "projects": s.projects,
                              "workspaces": s.workspaces}), flush=True)
            return wait(s)
        w, p = s.worker.url, s.projects["triage"]
        tok = {k: u.token for k, u in s.users.items()}
        o, u = s.org, {k: v.id for k, v in s.users.items()}
        owner = f"-H 'Authorization: Token {tok['owner']}'"
        json_h = "-H 'Content-Type: application/json'"
        signin = "\n".join(f"  {k:<13} {v.email}  /  {s.ls.admin_password if k == 'owner' else PASSWORD}"
                           for k, v in s.users.items())
        print(f"""LabelGate Worker {w} (workerd, with its store) in front of Label Studio {s.ls.url} (admin {s.ls.admin_email} / {s.ls.admin_password})
timings: {json.dumps(TIMES)}; the store's facts exported to {s.snapshot_path}
users (legacy tokens): {json.dumps({k: [v.id, v.token] for k, v in s.users.items()})}
projects: {json.dumps(s.projects)}; workspaces: {json.dumps(s.workspaces)}

Label Studio's own web UI, through LabelGate: open {w}/user/login/ and sign in as
{signin}
  (each sees only the controls their role may use; the pending and the deactivated member are refused)

Role administration (as the owner, through the Worker, from its store):
  curl -s '{w}/api/organizations/{o}/memberships?page_size=50' {owner}                       # members and roles
  curl -s -X POST {w}/api/organizations/{o}/memberships {owner} {json_h} -d '{{"user_id": {u["pending"]}, "role": "AN"}}'   # activate the pending member
  curl -s -X PATCH {w}/api/organizations/{o}/memberships {owner} {json_h} -d '{{"user_id": {u["annotator"]}, "role": "DI"}}' # deactivate
  curl -s -X POST {w}/api/workspaces/ {owner} {json_h} -d '{{"title": "Radiology"}}'            # a workspace
  curl -s -X POST {w}/api/workspaces/{s.workspaces["Medical"]}/memberships/ {owner} {json_h} -d '{{"user": {u["reviewer"]}}}'
  curl -s {w}/api/labelgate/journal {owner}                                                    # every change of the facts
Decisions:
  curl -s {w}/api/projects/ -H 'Authorization: Token {tok["manager"]}'                 # the manager's reach
  curl -si {w}/api/projects/{p}/export -H 'Authorization: Token {tok["annotator"]}'    # 403 with the decision
  curl -si -X PATCH {w}/api/projects/{p}/ -H 'Authorization: Token {tok["reviewer"]}' {json_h} -d '{{"pinned_at": "2026-01-01T00:00:00Z"}}'
  curl -si {w}/api/projects/ -H 'Authorization: Token {tok["gone"]}'                   # deactivated
  curl -s '{w}/api/activity-logs/?allow=false' {owner}
  curl -si {w}/user/signup/                                                            # invite only
Ctrl-C stops both.""", flush=True)
        return wait(s)


def wait(s) -> int:
    """Until Ctrl-C, or Label Studio or the Worker stops."""
    try:
        while s.ls.proc.poll() is None and s.worker.proc.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
