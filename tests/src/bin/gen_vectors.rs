//! Writes `tests/vectors/cells.json`: for every action x role x status of SPEC's table, the
//! vectors over `tests/snapshots/cells.json`. Expectations come from the reference's
//! transcription of the table and this file's reading of that snapshot, never from the
//! core. Run: `cargo run -p labelgate-tests --bin gen_vectors`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use labelgate_tests::reference::{ANALYTICS, ROLES, TABLE};
use serde_json::{Value, json};

const STATUSES: [&str; 3] = ["active", "not_activated", "deactivated"];

/// The cells snapshot's user for a role and status (the owner exists only active).
fn user(role: usize, status: usize) -> Option<u64> {
    if role == 4 {
        return (status == 0).then_some(140);
    }
    Some(100 + 10 * role as u64 + status as u64)
}

fn request(user: u64, action: &str, resource: Value) -> Value {
    json!({"principal": {"user": user, "groups": []}, "org": 1, "action": action, "resource": resource})
}

fn vector(description: String, request: Value, allow: bool, reason: &str) -> Value {
    json!({"description": description, "snapshot": "cells", "request": request,
           "expect": {"allow": allow, "reason": reason}})
}

/// The resource that is within reach for the role, and a denied one with its reason.
fn cases(action: &str, role: usize, cell: &str, me: u64) -> (Value, (Value, &'static str)) {
    let admin = role >= 3;
    if action.starts_with("org.") {
        return (
            json!({}),
            (json!({"org_override": 999}), "unknown_resource"),
        );
    }
    if action.starts_with("workspace.") {
        let allowed = json!({"workspace": 12});
        let denied = match (cell, admin) {
            ("scoped", _) => (json!({"workspace": 11}), "out_of_scope"),
            (_, true) => (json!({"workspace": 13}), "sandbox_private"),
            _ => (json!({"workspace": 14}), "sandbox_private"),
        };
        return (allowed, denied);
    }
    let allowed = json!({"project": 1000, "subject": me});
    let denied = if cell.starts_with("own") {
        (json!({"project": 1000, "subject": 140}), "out_of_scope")
    } else if admin {
        (json!({"project": 1002, "subject": me}), "sandbox_private")
    } else {
        (json!({"project": 1001, "subject": me}), "out_of_scope")
    };
    (allowed, denied)
}

fn main() {
    let mut vectors = Vec::new();
    for (action, cells) in TABLE {
        for (r, role) in ROLES.iter().enumerate() {
            for (s, status) in STATUSES.iter().enumerate() {
                let Some(me) = user(r, s) else { continue };
                let cell = cells[r];
                let (allowed, (denied, denied_reason)) = cases(action, r, cell, me);
                let label = |what: &str| format!("{action} | {role} | {status} | {what}");
                let make = |resource: &Value| {
                    let mut req = request(me, action, resource.clone());
                    if let Some(org) = resource.get("org_override") {
                        req["org"] = org.clone();
                        req["resource"] = json!({});
                    }
                    req
                };
                match (*status, cell) {
                    ("active", "") => {
                        vectors.push(vector(
                            label("blank cell"),
                            make(&allowed),
                            false,
                            "role_lacks_permission",
                        ));
                    }
                    ("active", _) => {
                        vectors.push(vector(
                            label("within reach"),
                            make(&allowed),
                            true,
                            "allowed",
                        ));
                        vectors.push(vector(label("denied"), make(&denied), false, denied_reason));
                    }
                    (status, _) => {
                        vectors.push(vector(
                            label("inactive member"),
                            make(&allowed),
                            false,
                            status,
                        ));
                    }
                }
            }
        }
    }
    // analytics.view: the role's own scope is allowed, a wider one is not.
    let scope_resource = |scope: &str| match scope {
        "own" => json!({"scope": "own"}),
        "project" => json!({"scope": "project", "project": 1000}),
        "workspace" => json!({"scope": "workspace", "workspace": 12}),
        _ => json!({"scope": "organization"}),
    };
    let wider = |scope: &str| match scope {
        "own" => Some("project"),
        "project" => Some("workspace"),
        "workspace" => Some("organization"),
        _ => None,
    };
    for (r, role) in ROLES.iter().enumerate() {
        for (s, status) in STATUSES.iter().enumerate() {
            let Some(me) = user(r, s) else { continue };
            let label = |what: &str| format!("analytics.view | {role} | {status} | {what}");
            let mine = ANALYTICS[r];
            let allowed = request(me, "analytics.view", scope_resource(mine));
            if *status != "active" {
                vectors.push(vector(label("inactive member"), allowed, false, status));
                continue;
            }
            vectors.push(vector(
                label(&format!("own scope `{mine}`")),
                allowed,
                true,
                "allowed",
            ));
            match wider(mine) {
                Some(w) => vectors.push(vector(
                    label(&format!("wider scope `{w}`")),
                    request(me, "analytics.view", scope_resource(w)),
                    false,
                    "role_lacks_permission",
                )),
                None => vectors.push(vector(
                    label("own scope about another user"),
                    request(
                        me,
                        "analytics.view",
                        json!({"scope": "own", "subject": 100}),
                    ),
                    false,
                    "out_of_scope",
                )),
            }
        }
    }
    // org.signup: decided by the organization's setting, whoever asks.
    for (r, role) in ROLES.iter().enumerate() {
        for (s, status) in STATUSES.iter().enumerate() {
            let Some(me) = user(r, s) else { continue };
            let label = |what: &str| format!("org.signup | {role} | {status} | {what}");
            vectors.push(vector(
                label("valid invite token"),
                request(me, "org.signup", json!({"invite_token": "tok-cells"})),
                true,
                "allowed",
            ));
            vectors.push(vector(
                label("no invite token"),
                request(me, "org.signup", json!({})),
                false,
                "setting_disabled",
            ));
        }
    }
    let file = json!({
        "description": "Every cell of SPEC §3's table: for each action, role and status, an allowed vector where the cell grants anything and a denied one, over tests/snapshots/cells.json. Generated by `cargo run -p labelgate-tests --bin gen_vectors` from the reference's transcription of the table.",
        "vectors": vectors,
    });
    let path = labelgate_tests::tests_dir()
        .join("vectors")
        .join("cells.json");
    let mut text = String::from("{\n  \"description\": ");
    text.push_str(&serde_json::to_string(&file["description"]).unwrap());
    text.push_str(",\n  \"vectors\": [\n");
    let n = file["vectors"].as_array().unwrap().len();
    for (i, v) in file["vectors"].as_array().unwrap().iter().enumerate() {
        text.push_str("    ");
        text.push_str(&serde_json::to_string(v).unwrap());
        text.push_str(if i + 1 < n { ",\n" } else { "\n" });
    }
    text.push_str("  ]\n}\n");
    std::fs::write(&path, text).unwrap();
    println!("wrote {n} vectors to {}", path.display());
}
