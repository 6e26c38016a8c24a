//! The core's own JSON reader against serde_json, on mutated inputs.
//!
//! The core reads its contract with a small reader of its own (`policy-core/src/reader.rs`,
//! for the browser package's size). Here the oracle is the contract written the serde way
//! (the derives the core used before): strict fields, required fields, ids as `u64`. Every
//! vector's request and every test snapshot is mutated at random (bytes deleted, doubled,
//! replaced, tokens inserted), tens of thousands of times, and for each text:
//! - a request the oracle refuses is `invalid_request` in the core, and one it reads is
//!   decided exactly as the core decides the oracle's reading of it;
//! - a snapshot is refused as malformed JSON by the core exactly when the oracle refuses it.
//!
//! So the reader accepts nothing serde_json would refuse, and refuses nothing it would read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use labelgate_tests::random::Rng;
use labelgate_tests::{snapshot_text, tests_dir, vector_files};
use policy_core::{
    Action, CopyMode, LoadError, Policy, Principal, Request, Resource, Role, RoleChange, Scope,
    Snapshot, Status,
};
use serde::Deserialize;

// ---- The oracle: the contract's shapes as serde derives --------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ORequest {
    principal: OPrincipal,
    org: u64,
    action: String,
    #[serde(default)]
    resource: OResource,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OPrincipal {
    #[serde(default)]
    user: Option<u64>,
    #[serde(default)]
    groups: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OResource {
    #[serde(default)]
    workspace: Option<u64>,
    #[serde(default)]
    project: Option<u64>,
    #[serde(default)]
    subject: Option<u64>,
    #[serde(default)]
    member: Option<u64>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    target_workspace: Option<u64>,
    #[serde(default)]
    copy: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    invite_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OSnapshot {
    #[serde(default)]
    edition: Option<String>,
    organizations: Vec<OOrg>,
    #[serde(default)]
    users: Vec<OUser>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OUser {
    id: u64,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OOrg {
    id: u64,
    owner: u64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    settings: OOrgSettings,
    #[serde(default)]
    invite_tokens: Vec<String>,
    #[serde(default)]
    members: Vec<OMember>,
    #[serde(default)]
    group_mappings: Vec<OMapping>,
    #[serde(default)]
    workspaces: Vec<OWorkspace>,
    #[serde(default)]
    projects: Vec<OProject>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OOrgSettings {
    #[serde(default)]
    disable_signup_without_link: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OMember {
    user: u64,
    #[serde(default)]
    role: Option<String>,
    status: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OMapping {
    group: String,
    role: String,
    #[serde(default)]
    project: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OWorkspace {
    id: u64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    members: Vec<u64>,
    #[serde(default)]
    sandbox_of: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OProject {
    id: u64,
    workspace: u64,
    created_by: u64,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    members: Vec<u64>,
    #[serde(default)]
    settings: OProjectSettings,
    #[serde(default)]
    assignments: Vec<OAssignment>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OProjectSettings {
    #[serde(default)]
    annotators_can_view_own_data: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OAssignment {
    user: u64,
    kind: String,
}

/// The one of `all` named `name`; `Err` for a name that is not one (serde's unknown variant).
fn named<T: Copy>(
    name: &Option<String>,
    all: &[T],
    of: fn(T) -> &'static str,
) -> Result<Option<T>, ()> {
    match name {
        None => Ok(None),
        Some(n) => all
            .iter()
            .copied()
            .find(|t| of(*t) == n)
            .map(Some)
            .ok_or(()),
    }
}

/// The oracle's reading of a request: `None` where serde (with the contract's names)
/// refuses it; otherwise the action name and the request.
fn oracle_request(text: &str) -> Option<(String, Principal, u64, Resource)> {
    let o: ORequest = serde_json::from_str(text).ok()?;
    let r = o.resource;
    let resource = Resource {
        workspace: r.workspace,
        project: r.project,
        subject: r.subject,
        member: r.member,
        role: named(&r.role, &RoleChange::ALL, RoleChange::name).ok()?,
        target_workspace: r.target_workspace,
        copy: named(&r.copy, &CopyMode::ALL, CopyMode::name).ok()?,
        scope: named(&r.scope, &Scope::ALL, Scope::name).ok()?,
        invite_token: r.invite_token,
    };
    let principal = Principal {
        user: o.principal.user,
        groups: o.principal.groups,
    };
    Some((o.action, principal, o.org, resource))
}

/// Whether the oracle reads a snapshot's shape (names included; the model's rules are the
/// core's alone, checked after reading).
fn oracle_snapshot(text: &str) -> bool {
    let Ok(s) = serde_json::from_str::<OSnapshot>(text) else {
        return false;
    };
    let editions = ["enterprise", "teams"];
    let role = |r: &String| Role::ALL.iter().any(|x| x.name() == r);
    let status = |s: &String| Status::ALL.iter().any(|x| x.name() == s);
    s.edition
        .as_ref()
        .is_none_or(|e| editions.contains(&e.as_str()))
        && s.organizations.iter().all(|o| {
            o.members
                .iter()
                .all(|m| m.role.as_ref().is_none_or(role) && status(&m.status))
                && o.group_mappings.iter().all(|g| role(&g.role))
                && o.projects.iter().all(|p| {
                    p.assignments
                        .iter()
                        .all(|a| ["annotate", "review"].contains(&a.kind.as_str()))
                })
        })
}

// ---- Mutations -------------------------------------------------------------------------

const TOKENS: &[&str] = &[
    ",",
    ":",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "\\",
    " ",
    "\n",
    "0",
    "7",
    "-1",
    "1.5",
    "1e3",
    "01",
    "null",
    "true",
    "\"x\"",
    "\"\\u00e9\"",
    "\\u0041",
    "\\ud83d",
    "é",
    "18446744073709551616",
    "\"project\"",
    "\"role\": \"owner\"",
    "\"user\":",
    "\"scope\":\"own\",",
    "\t",
    "\u{1}",
];

/// `text` with one to three random edits.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(3) {
        let at = rng.below(chars.len() as u64 + 1) as usize;
        match rng.below(4) {
            0 if at < chars.len() => {
                chars.remove(at);
            }
            1 if at < chars.len() => {
                let c = chars[at];
                chars.insert(at, c);
            }
            2 if at < chars.len() => {
                let token = TOKENS[rng.below(TOKENS.len() as u64) as usize];
                let end = (at + 1 + rng.below(3) as usize).min(chars.len());
                chars.splice(at..end, token.chars());
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len() as u64) as usize];
                chars.splice(at..at, token.chars());
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn mutated_requests_read_as_serde_reads_them() {
    let files = vector_files();
    let mut rng = Rng::new(0x002E_ADE2);
    let (mut refused, mut read) = (0u64, 0u64);
    for file in files.values() {
        for v in &file.vectors {
            let policy = Policy::from_snapshot_json(&snapshot_text(&v.snapshot)).unwrap();
            let base = v.request_text();
            for i in 0..100 {
                let text = if i == 0 {
                    base.clone()
                } else {
                    mutate(&mut rng, &base)
                };
                let core = policy.decide_request_json(&text);
                match oracle_request(&text) {
                    None => {
                        assert_eq!(
                            core.reason.name(),
                            "invalid_request",
                            "serde refuses, the core reads it: {text}"
                        );
                        refused += 1;
                    }
                    Some((action, principal, org, resource)) => {
                        let expected = match Action::from_name(&action) {
                            None => ("unknown_action".to_string(), false),
                            Some(action) => {
                                let d = policy.decide(&Request {
                                    principal,
                                    org,
                                    action,
                                    resource,
                                });
                                (d.message(), d.allow)
                            }
                        };
                        let got = if core.reason.name() == "unknown_action" {
                            ("unknown_action".to_string(), false)
                        } else {
                            (core.message(), core.allow)
                        };
                        assert_eq!(got, expected, "the core and serde read differently: {text}");
                        read += 1;
                    }
                }
            }
        }
    }
    eprintln!(
        "{} requests: {refused} refused by both, {read} read alike",
        refused + read
    );
    assert!(
        refused > 5_000 && read > 5_000,
        "{refused} refused, {read} read"
    );
}

#[test]
fn mutated_snapshots_are_refused_as_serde_refuses_them() {
    let mut rng = Rng::new(0x005E_ADE2);
    let (mut refused, mut read) = (0u64, 0u64);
    for name in ["rules", "cells", "teams"] {
        let base =
            std::fs::read_to_string(tests_dir().join(format!("snapshots/{name}.json"))).unwrap();
        for i in 0..4_000 {
            let text = if i == 0 {
                base.clone()
            } else {
                mutate(&mut rng, &base)
            };
            let core = Snapshot::from_json(&text);
            let core_reads = !matches!(core, Err(LoadError::Json { .. }));
            assert_eq!(
                core_reads,
                oracle_snapshot(&text),
                "{name}: the core {} it: {:?}\n{text}",
                if core_reads { "reads" } else { "refuses" },
                core.err()
            );
            if core_reads { read += 1 } else { refused += 1 }
        }
    }
    eprintln!(
        "{} snapshots: {refused} refused by both, {read} read alike",
        refused + read
    );
    assert!(
        refused > 1_000 && read > 500,
        "{refused} refused, {read} read"
    );
}

#[test]
fn mutated_principals_and_resources_read_as_serde_reads_them() {
    let mut rng = Rng::new(0x009E_ADE2);
    let bases = [
        r#"{"user": 14, "groups": ["ml-team", "é"]}"#,
        r#"{"project": 1000, "subject": 14, "copy": "settings_data", "scope": "own"}"#,
        r#"{"member": 12, "role": "not_activated", "target_workspace": 1, "invite_token": "t\"1"}"#,
    ];
    for base in bases {
        for _ in 0..2_000 {
            let text = mutate(&mut rng, base);
            let p = serde_json::from_str::<OPrincipal>(&text).ok();
            assert_eq!(
                Principal::from_json(&text).ok(),
                p.map(|p| Principal {
                    user: p.user,
                    groups: p.groups
                }),
                "{text}"
            );
            let wrapped =
                format!(r#"{{"principal": {{}}, "org": 1, "action": "x", "resource": {text}}}"#);
            let r = oracle_request(&wrapped).map(|(_, _, _, r)| r);
            assert_eq!(Resource::from_json(&text).ok(), r, "{text}");
        }
    }
}
