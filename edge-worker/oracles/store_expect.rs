//! The native core's expectations of the store, for its tests and its importer: one JSON
//! command per input line, one JSON answer per output line.
//!
//! `cargo run -q -p edge-worker --example store_expect < commands.jsonl`
//!
//! - `{"random": seed}`: a seeded random snapshot (`labelgate-gen`), as `{"snapshot": text}`;
//! - `{"snapshot": <snapshot JSON>}`: the whole snapshot that follows (validated);
//!   answers `{"orgs": [ids]}` or `{"error": ...}`;
//! - `{"lines": org}`: the organization as the store's import lines (`store::load`):
//!   answers `{"lines": "<text>"}`;
//! - `{"export": org}`: what the store must export after that import (canonical);
//! - `{"slice": {"org", "user", "groups"}}`: the member's slice (canonical);
//! - `{"decide": <request>}`: the whole snapshot's decision, whether the request names
//!   something outside its principal's reach (where a slice may say `unknown_resource`), and
//!   whether its user is listed but a member of no organization (unknown to the store);
//! - `{"random_requests": {"seed", "n"}}`: random requests on the snapshot;
//! - `{"random_writes": {"seed", "n"}}`: random writes of the store, each with the request it
//!   asks the core and the whole snapshot's decision of it;
//! - `{"large": {"seed", "out"}}`: the large organization (`labelgate-gen`, 100,000 users) as
//!   import lines written to the file `out`: answers `{"lines", "bytes", "snapshot_bytes"}`.
#![allow(missing_docs, clippy::indexing_slicing)]

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use policy_core::{Action, Facts, OrgFacts, Policy, Principal, Request, Resource};
use serde_json::{Value, json};

fn org_of(facts: &Facts, org: u64) -> Option<&OrgFacts> {
    facts.organizations.iter().find(|o| o.id == org)
}

/// The organization's facts alone, with the users who are its members.
fn one_org(facts: &Facts, org: u64) -> Option<Facts> {
    let o = org_of(facts, org)?.clone();
    let members: Vec<u64> = o.members.iter().map(|m| m.user).collect();
    let mut out = Facts {
        edition: facts.edition,
        organizations: vec![o],
        users: facts
            .users
            .iter()
            .filter(|u| members.contains(&u.id))
            .cloned()
            .collect(),
    };
    out.canonicalize();
    Some(out)
}

/// The import lines of one organization.
fn lines(facts: &Facts, org: u64) -> Option<String> {
    let f = one_org(facts, org)?;
    let o = &f.organizations[0];
    let mut out = Vec::new();
    out.push(json!({"org": {
        "id": o.id, "owner": o.owner, "name": o.name, "edition": f.edition.name(),
        "disable_signup_without_link": o.settings.disable_signup_without_link,
    }}));
    for u in &f.users {
        out.push(json!({"user": {"id": u.id, "email": u.email, "name": u.name}}));
    }
    for m in &o.members {
        out.push(json!({"member": {"user": m.user, "role": m.role.map(|r| r.name()), "status": m.status.name()}}));
    }
    for t in &o.invite_tokens {
        out.push(json!({"token": t}));
    }
    for g in &o.group_mappings {
        out.push(
            json!({"mapping": {"group": g.group, "role": g.role.name(), "project": g.project}}),
        );
    }
    for w in &o.workspaces {
        out.push(json!({"workspace": {"id": w.id, "name": w.name, "sandbox_of": w.sandbox_of, "members": w.members}}));
    }
    for p in &o.projects {
        out.push(json!({"project": {
            "id": p.id, "workspace": p.workspace, "created_by": p.created_by, "title": p.title,
            "annotators_can_view_own_data": p.settings.annotators_can_view_own_data,
            "members": p.members,
            "assignments": p.assignments.iter().map(|a| json!({"user": a.user, "kind": a.kind.name()})).collect::<Vec<_>>(),
        }}));
    }
    Some(out.iter().map(|v| v.to_string() + "\n").collect())
}

/// Whether `request` names something outside its principal's reach (see
/// `tests/tests/slice.rs`, which proves the slice exact everywhere else).
fn outside(policy: &Policy, request: &Value) -> bool {
    let Some(org) = request["org"].as_u64() else {
        return true;
    };
    let Ok(principal) = Principal::from_json(&request["principal"].to_string()) else {
        return true;
    };
    let projects = policy.visible_projects(&principal, org);
    let mut workspaces = policy.visible_workspaces(&principal, org);
    for p in &projects {
        if let Some(x) = policy.snapshot().project(*p) {
            workspaces.push(x.workspace);
        }
    }
    let see_members = policy
        .decide(&Request {
            principal: principal.clone(),
            org,
            action: Action::OrgViewMembers,
            resource: Resource::org(),
        })
        .allow;
    let owner = policy.snapshot().organization(org).map(|o| o.owner);
    let r = &request["resource"];
    let id = |k: &str| r.get(k).and_then(Value::as_u64);
    policy.snapshot().organization(org).is_none()
        || id("project").is_some_and(|p| !projects.contains(&p))
        || id("workspace").is_some_and(|w| !workspaces.contains(&w))
        || id("target_workspace").is_some_and(|w| !workspaces.contains(&w))
        || id("member")
            .is_some_and(|m| !see_members && Some(m) != principal.user && Some(m) != owner)
}

/// Random writes of the store, with the core request each asks and its whole decision.
fn random_writes(policy: &Policy, facts: &Facts, seed: u64, n: u64) -> Vec<Value> {
    use labelgate_gen::random::{GROUPS, Rng};
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for _ in 0..n {
        let o = rng.pick(&facts.organizations);
        let members: Vec<u64> = o.members.iter().map(|m| m.user).collect();
        let workspaces: Vec<u64> = o.workspaces.iter().map(|w| w.id).chain([7777]).collect();
        let projects: Vec<u64> = o.projects.iter().map(|p| p.id).chain([8888]).collect();
        let user = if rng.chance(90) && !members.is_empty() {
            *rng.pick(&members)
        } else {
            1 + rng.below(33)
        };
        let other = if rng.chance(85) && !members.is_empty() {
            *rng.pick(&members)
        } else {
            1 + rng.below(33)
        };
        let groups = rng.subset(&GROUPS, 15);
        let ws = *rng.pick(&workspaces);
        let p = *rng.pick(&projects);
        let roles = [
            "annotator",
            "reviewer",
            "manager",
            "administrator",
            "owner",
            "deactivated",
            "not_activated",
        ];
        let role = *rng.pick(&roles);
        let kind = *rng.pick(&["annotate", "review"]);
        let (op, asks): (Value, Vec<(&str, Value)>) = match rng.below(14) {
            0 => (
                json!({"op": "set_role", "member": other, "role": role}),
                vec![("org.change_role", json!({"member": other, "role": role}))],
            ),
            1 => (
                json!({"op": "remove_member", "member": other}),
                vec![("org.remove_member", json!({"member": other}))],
            ),
            2 => (
                json!({"op": "create_workspace", "title": "w"}),
                vec![("org.create_workspace", json!({}))],
            ),
            3 => (
                json!({"op": "rename_workspace", "workspace": ws, "title": "w"}),
                vec![("workspace.update", json!({"workspace": ws}))],
            ),
            4 => (
                json!({"op": "delete_workspace", "workspace": ws}),
                vec![("workspace.delete", json!({"workspace": ws}))],
            ),
            5 => (
                json!({"op": "add_workspace_member", "workspace": ws, "user": other}),
                vec![("workspace.manage_members", json!({"workspace": ws}))],
            ),
            6 => (
                json!({"op": "remove_workspace_member", "workspace": ws, "user": other}),
                vec![("workspace.manage_members", json!({"workspace": ws}))],
            ),
            7 => (
                json!({"op": "move_project", "project": p, "workspace": ws}),
                vec![
                    ("project.update", json!({"project": p})),
                    ("workspace.create_project", json!({"workspace": ws})),
                ],
            ),
            8 => (
                json!({"op": "add_project_member", "project": p, "user": other}),
                vec![("project.update", json!({"project": p}))],
            ),
            9 => (
                json!({"op": "set_project_settings", "project": p, "annotators_can_view_own_data": true}),
                vec![("project.update", json!({"project": p}))],
            ),
            10 => {
                let action = if kind == "review" {
                    "project.assign_reviewers"
                } else {
                    "project.assign_annotators"
                };
                (
                    json!({"op": "assign", "project": p, "kind": kind, "users": [other], "tasks": null}),
                    vec![(action, json!({"project": p}))],
                )
            }
            11 => (
                json!({"op": "set_group_mapping", "group": "g-x", "role": "reviewer", "project": null}),
                vec![("org.change_role", json!({}))],
            ),
            12 => (
                json!({"op": "set_settings", "disable_signup_without_link": true}),
                vec![("org.change_role", json!({}))],
            ),
            _ => (
                json!({"op": "set_invite_token", "token": "t"}),
                vec![("org.invite", json!({}))],
            ),
        };
        let principal = json!({"user": user, "groups": groups});
        let mut decision = Value::Null;
        let mut request = Value::Null;
        for (action, resource) in asks {
            let req = json!({"principal": principal, "org": o.id, "action": action, "resource": resource});
            let d: Value =
                serde_json::from_str(&policy.decide_json(&req.to_string())).unwrap_or(Value::Null);
            let allowed = d["allow"].as_bool() == Some(true);
            decision = d;
            request = req;
            if !allowed {
                break;
            }
        }
        out.push(json!({
            "write": {"org": o.id, "actor": principal, "known": policy.snapshot().knows_user(user), "op": op},
            "request": request,
            "decision": decision,
        }));
    }
    out
}

fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut current: Option<(Policy, Facts)> = None;
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else {
            return ExitCode::from(2);
        };
        let Ok(cmd) = serde_json::from_str::<Value>(&line) else {
            eprintln!("store_expect: not json: {line}");
            return ExitCode::from(2);
        };
        let answer = if let Some(a) = cmd.get("large") {
            // The large organization (tests/gen/src/large.rs) as import lines, in a file.
            let text = labelgate_gen::large::organization(
                &labelgate_gen::large::LARGE,
                a["seed"].as_u64().unwrap_or(1),
            );
            match Facts::from_json(&text) {
                Ok(f) => {
                    let body = lines(&f, 1).unwrap_or_default();
                    let path = a["out"].as_str().unwrap_or("large.ndjson");
                    match std::fs::write(path, &body) {
                        Ok(()) => {
                            json!({"lines": body.lines().count(), "bytes": body.len(), "snapshot_bytes": text.len()})
                        }
                        Err(e) => json!({"error": e.to_string()}),
                    }
                }
                Err(e) => json!({"error": e.to_string()}),
            }
        } else if let Some(seed) = cmd.get("random").and_then(Value::as_u64) {
            let mut rng = labelgate_gen::random::Rng::new(seed);
            json!({"snapshot": labelgate_gen::random::snapshot(&mut rng).to_string()})
        } else if let Some(s) = cmd.get("snapshot") {
            let text = if let Some(t) = s.as_str() {
                t.to_owned()
            } else {
                s.to_string()
            };
            match (Policy::from_snapshot_json(&text), Facts::from_json(&text)) {
                (Ok(p), Ok(f)) => {
                    let orgs: Vec<u64> = f.organizations.iter().map(|o| o.id).collect();
                    current = Some((p, f));
                    json!({"orgs": orgs})
                }
                (Err(e), _) | (_, Err(e)) => json!({"error": e.to_string()}),
            }
        } else if let Some((policy, facts)) = &current {
            if let Some(org) = cmd.get("lines").and_then(Value::as_u64) {
                json!({"lines": lines(facts, org)})
            } else if let Some(org) = cmd.get("export").and_then(Value::as_u64) {
                let mut whole = policy.snapshot().to_facts();
                whole.canonicalize();
                json!({"export": one_org(&whole, org).map(|f| f.to_json())})
            } else if let Some(s) = cmd.get("slice") {
                let principal = Principal {
                    user: s["user"].as_u64(),
                    groups: serde_json::from_value(s["groups"].clone()).unwrap_or_default(),
                };
                json!({"slice": policy.slice(&principal, s["org"].as_u64().unwrap_or(0)).to_json()})
            } else if let Some(r) = cmd.get("decide") {
                let d = policy.decide_json(&r.to_string());
                let user = r["principal"]["user"].as_u64();
                let orphan = user.is_some_and(|u| {
                    policy.snapshot().knows_user(u)
                        && policy.snapshot().organizations_of(u).is_empty()
                });
                json!({
                    "decision": serde_json::from_str::<Value>(&d).unwrap_or(Value::Null),
                    "outside": outside(policy, r),
                    "orphan": orphan,
                })
            } else if let Some(a) = cmd.get("random_requests") {
                let mut rng = labelgate_gen::random::Rng::new(a["seed"].as_u64().unwrap_or(1));
                let ids = labelgate_gen::random::ids(
                    &serde_json::from_str(&facts.to_json()).unwrap_or(Value::Null),
                );
                let n = a["n"].as_u64().unwrap_or(100);
                let reqs: Vec<Value> = (0..n)
                    .map(|_| labelgate_gen::random::request(&mut rng, &ids))
                    .collect();
                json!({"requests": reqs})
            } else if let Some(a) = cmd.get("random_writes") {
                json!({"writes": random_writes(policy, facts, a["seed"].as_u64().unwrap_or(1), a["n"].as_u64().unwrap_or(100))})
            } else {
                json!({"error": "unknown command"})
            }
        } else {
            json!({"error": "no snapshot yet"})
        };
        if writeln!(out, "{answer}")
            .and_then(|()| out.flush())
            .is_err()
        {
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
