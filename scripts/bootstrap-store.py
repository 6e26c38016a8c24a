#!/usr/bin/env python3
"""Bootstrap LabelGate's store from an existing Label Studio (Python's standard library only).

Reads Label Studio's users and projects with an administrator's token, straight from Label
Studio, and hands them to the Worker's store (`POST /api/labelgate/bootstrap`, with the
operator's token): the owner (the first user, or `--owner`) becomes the organization's owner,
every other user is pending until an administrator assigns a role, and projects go into a
default workspace. Run it again at any time: it adds the users and projects that are new and
never changes anyone's role.

    python3 scripts/bootstrap-store.py --label-studio http://127.0.0.1:8080 --ls-token TOKEN \\
        --worker http://127.0.0.1:8787 --admin-token LABELGATE_ADMIN_TOKEN [--owner ID] [--workspace Default]
"""
from __future__ import annotations

import argparse
import json
import sys
import urllib.request


def get(url: str, token: str):
    req = urllib.request.Request(url, headers={"Authorization": f"Token {token}", "Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def pages(url: str, token: str) -> list:
    """Every item of a Label Studio list (an array, or pages of `results`)."""
    out, next_url = [], url
    while next_url:
        answer = get(next_url, token)
        if isinstance(answer, list):
            return answer
        out.extend(answer.get("results", []))
        next_url = answer.get("next")
    return out


def read_label_studio(ls: str, token: str) -> dict:
    """The organization, its users and its projects, as Label Studio answers them."""
    me = get(f"{ls}/api/current-user/whoami", token)
    org = me["active_organization"]
    title = get(f"{ls}/api/organizations/{org}", token).get("title")
    users = [
        {"id": u["id"], "email": u.get("email"),
         "name": " ".join(p for p in [u.get("first_name"), u.get("last_name")] if p) or None}
        for u in pages(f"{ls}/api/users/", token)
    ]
    projects = []
    for p in pages(f"{ls}/api/projects/?page_size=100", token):
        creator = p.get("created_by")
        projects.append({
            "id": p["id"],
            "title": p.get("title"),
            "created_by": creator.get("id") if isinstance(creator, dict) else creator,
        })
    return {"org": org, "name": title, "users": users, "projects": projects, "me": me["id"]}


def bootstrap(ls: str, ls_token: str, worker: str, admin_token: str, owner: int | None = None,
              workspace: str = "Default") -> dict:
    found = read_label_studio(ls, ls_token)
    body = {
        "name": found["name"],
        "owner": owner if owner is not None else min(u["id"] for u in found["users"]),
        "users": found["users"],
        "projects": found["projects"],
        "workspace": workspace,
    }
    req = urllib.request.Request(
        f"{worker}/api/labelgate/bootstrap?org={found['org']}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-LabelGate-Admin-Token": admin_token},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=120) as r:
        answer = json.loads(r.read())
    return {"org": found["org"], "users": len(found["users"]), "projects": len(found["projects"]), **answer}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--label-studio", required=True, help="Label Studio's URL (reached directly)")
    ap.add_argument("--ls-token", required=True, help="a Label Studio administrator's API token")
    ap.add_argument("--worker", required=True, help="the LabelGate Worker's URL")
    ap.add_argument("--admin-token", required=True, help="the Worker's LABELGATE_ADMIN_TOKEN")
    ap.add_argument("--owner", type=int, help="the owner's user id (default: the first user)")
    ap.add_argument("--workspace", default="Default", help="the workspace projects go into")
    a = ap.parse_args()
    print(json.dumps(bootstrap(a.label_studio.rstrip("/"), a.ls_token, a.worker.rstrip("/"), a.admin_token,
                               a.owner, a.workspace)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
