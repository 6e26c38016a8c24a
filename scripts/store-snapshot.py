#!/usr/bin/env python3
"""Move SPEC §4 snapshots in and out of LabelGate's store (Python's standard library only).

A snapshot file is the exchange format; the store imports one organization at a time as
lines of JSON, streamed (`POST /api/labelgate/import?org=N`, with the operator's token), so
that an organization of any size fits in a Durable Object. This script writes those lines.

    python3 scripts/store-snapshot.py import SNAPSHOT.json --worker URL --admin-token TOKEN [--org N]
    python3 scripts/store-snapshot.py export --org N --worker URL --admin-token TOKEN > org.json
    python3 scripts/store-snapshot.py lines SNAPSHOT.json --org N > org.ndjson

`import` replaces each organization's facts at once (every organization of the file unless
`--org`); the store validates them with policy-core first and keeps the old facts if they are
refused. `export` prints the organization as snapshot JSON, canonical: importing it again
gives the same store.
"""
from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request


def lines(snapshot: dict, org: int) -> list[str]:
    """The import lines of organization `org` of `snapshot` (edge-worker/src/store/load.rs)."""
    orgs = [o for o in snapshot.get("organizations", []) if o.get("id") == org]
    if not orgs:
        raise SystemExit(f"the snapshot has no organization {org}")
    o = orgs[0]
    members = {m["user"] for m in o.get("members", [])}
    settings = o.get("settings") or {}
    out = [{"org": {
        "id": o["id"], "owner": o["owner"], "name": o.get("name"),
        "edition": snapshot.get("edition", "enterprise"),
        "disable_signup_without_link": bool(settings.get("disable_signup_without_link", False)),
    }}]
    for u in snapshot.get("users", []):
        if u["id"] in members:
            out.append({"user": {"id": u["id"], "email": u.get("email"), "name": u.get("name")}})
    for m in o.get("members", []):
        out.append({"member": {"user": m["user"], "role": m.get("role"), "status": m.get("status", "active")}})
    for t in o.get("invite_tokens", []):
        out.append({"token": t})
    for g in o.get("group_mappings", []):
        out.append({"mapping": {"group": g["group"], "role": g["role"], "project": g.get("project")}})
    for w in o.get("workspaces", []):
        out.append({"workspace": {"id": w["id"], "name": w.get("name"), "sandbox_of": w.get("sandbox_of"),
                                  "members": w.get("members", [])}})
    for p in o.get("projects", []):
        out.append({"project": {
            "id": p["id"], "workspace": p["workspace"], "created_by": p["created_by"], "title": p.get("title"),
            "annotators_can_view_own_data": bool((p.get("settings") or {}).get("annotators_can_view_own_data", False)),
            "members": p.get("members", []),
            "assignments": [{"user": a["user"], "kind": a["kind"]} for a in p.get("assignments", [])],
        }})
    return [json.dumps(x, separators=(",", ":")) + "\n" for x in out]


def call(method: str, url: str, token: str, body: bytes | None = None, kind: str = "application/json"):
    req = urllib.request.Request(url, data=body, method=method,
                                 headers={"X-LabelGate-Admin-Token": token, "Content-Type": kind})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["import", "export", "lines"])
    ap.add_argument("snapshot", nargs="?", help="the snapshot file (import, lines)")
    ap.add_argument("--org", type=int)
    ap.add_argument("--worker", default="http://127.0.0.1:8787")
    ap.add_argument("--admin-token")
    a = ap.parse_args()
    if a.command == "export":
        if a.org is None or not a.admin_token:
            ap.error("export needs --org and --admin-token")
        status, text = call("GET", f"{a.worker}/api/labelgate/export?org={a.org}", a.admin_token)
        if status != 200:
            print(f"export: {status} {text}", file=sys.stderr)
            return 1
        sys.stdout.write(text)
        return 0
    if not a.snapshot:
        ap.error(f"{a.command} needs the snapshot file")
    with open(a.snapshot, encoding="utf-8") as f:
        snapshot = json.load(f)
    orgs = [a.org] if a.org is not None else [o["id"] for o in snapshot.get("organizations", [])]
    if a.command == "lines":
        for org in orgs:
            sys.stdout.writelines(lines(snapshot, org))
        return 0
    if not a.admin_token:
        ap.error("import needs --admin-token")
    failed = 0
    for org in orgs:
        body = "".join(lines(snapshot, org)).encode()
        status, text = call("POST", f"{a.worker}/api/labelgate/import?org={org}", a.admin_token, body,
                            "application/x-ndjson")
        print(f"organization {org}: {status} {text}", file=sys.stderr if status != 200 else sys.stdout)
        failed += status != 200
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
