//! A member's slice (SPEC §7, `Policy::slice`) decides every request of that member exactly
//! as the whole snapshot does (a request that names another member, on the slice touching
//! that member: `Policy::slice_touching`, `member_touched`); a request that names no
//! workspace or project, on the organization's slice too (`Policy::org_slice`). Over random snapshots, for every member of every organization
//! (and strangers), with random groups, random requests by that principal are decided on the
//! whole snapshot and on the slice:
//! - `allow` is always the same;
//! - the reason is the same, except where the request names something outside the
//!   principal's reach (another organization, a project they may not view, a workspace
//!   neither viewable nor holding such a project), where the slice says `unknown_resource`:
//!   it never reveals what exists outside it.
//!
//! `org.signup` is left out: signing up is an anonymous request, decided by the store on the
//! invite tokens a slice does not carry (unless its member may invite).
//!
//! The slice also holds nothing outside the reach: no other user's email or name, no other
//! project or workspace, and no name of a workspace the principal may not view. And the whole snapshot's export (`Snapshot::to_facts`) loads back
//! into the very same facts. `LABELGATE_SLICE_SNAPSHOTS` scales it (default 400 snapshots,
//! 130,000 requests or more).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use labelgate_tests::random::{self, GROUPS, Rng};
use policy_core::{Action, Facts, Policy, Principal, Resource, Snapshot};
use serde_json::{Value, json};

fn snapshots() -> u64 {
    std::env::var("LABELGATE_SLICE_SNAPSHOTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

/// What the principal reaches in the organization, computed on the whole snapshot.
struct Reach {
    org: u64,
    projects: Vec<u64>,
    workspaces: Vec<u64>,
    /// The workspaces the principal may view: only these carry their names.
    named: Vec<u64>,
    /// The memberships a slice holds: the principal's and the owner's.
    members: Vec<u64>,
}

fn reach(whole: &Policy, principal: &Principal, org: u64) -> Reach {
    let projects = whole.visible_projects(principal, org);
    let mut workspaces = whole.visible_workspaces(principal, org);
    let named = workspaces.clone();
    for p in &projects {
        workspaces.push(whole.snapshot().project(*p).unwrap().workspace);
    }
    let owner = whole.snapshot().organization(org).map(|o| o.owner);
    Reach {
        org,
        projects,
        workspaces,
        named,
        members: principal.user.into_iter().chain(owner).collect(),
    }
}

impl Reach {
    /// Whether the request names something outside the reach.
    fn outside(&self, request: &Value) -> bool {
        let r = &request["resource"];
        let id = |k: &str| r.get(k).and_then(Value::as_u64);
        request["org"].as_u64() != Some(self.org)
            || id("project").is_some_and(|p| !self.projects.contains(&p))
            || id("workspace").is_some_and(|w| !self.workspaces.contains(&w))
            || id("target_workspace").is_some_and(|w| !self.workspaces.contains(&w))
    }
}

#[test]
fn a_slice_decides_as_the_whole_snapshot() {
    let mut rng = Rng::new(0x511CE);
    let (mut requests, mut allowed, mut outside, mut org_level) = (0u64, 0u64, 0u64, 0u64);
    for round in 0..snapshots() {
        let snapshot = random::snapshot(&mut rng);
        let text = snapshot.to_string();
        let whole = Policy::from_snapshot_json(&text).unwrap();
        let ids = random::ids(&snapshot);
        let mut principals: Vec<(u64, Value)> = Vec::new();
        for (i, org) in ids.orgs.iter().enumerate() {
            for m in &ids.members[i] {
                principals.push((*org, json!({"user": m, "groups": rng.subset(&GROUPS, 25)})));
            }
            principals.push((
                *org,
                json!({"user": 40 + rng.below(3), "groups": rng.subset(&GROUPS, 50)}),
            ));
        }
        for (org, p) in principals {
            let principal = Principal::from_json(&p.to_string()).unwrap();
            let facts = whole.slice(&principal, org);
            let sliced_text = facts.to_json();
            let slice = Policy::from_snapshot_json(&sliced_text).unwrap_or_else(|e| {
                panic!("round {round}: the slice of {p} in {org} is refused: {e}\n{sliced_text}")
            });
            let r = reach(&whole, &principal, org);
            assert_holds_only_the_reach(&facts, &r, &principal, &sliced_text);
            for _ in 0..40 {
                let mut request = random::request(&mut rng, &ids);
                if request["action"] == "org.signup" {
                    // Signing up is nobody's request as a member: the store decides it on
                    // the invite tokens, which a slice does not carry.
                    continue;
                }
                request["principal"] = p.clone();
                // A slice is one organization's: its requests, and some to none at all.
                request["org"] = json!(if rng.chance(97) { org } else { 9 });
                let request_text = request.to_string();
                let a = whole.decide_request_json(&request_text);
                let touched = touched(&request);
                let touching = touched.map(|m| {
                    Policy::from_snapshot_json(
                        &whole.slice_touching(&principal, org, Some(m)).to_json(),
                    )
                    .unwrap()
                });
                let b = touching
                    .as_ref()
                    .unwrap_or(&slice)
                    .decide_request_json(&request_text);
                // A request that names no workspace or project: the organization's slice too.
                let r0 = &request["resource"];
                if ["workspace", "project", "target_workspace"]
                    .iter()
                    .all(|k| r0.get(*k).is_none())
                {
                    let org_only = Policy::from_snapshot_json(
                        &whole.org_slice(&principal, org, touched).to_json(),
                    )
                    .unwrap();
                    let c = org_only.decide_request_json(&request_text);
                    assert_eq!(
                        (c.allow, c.reason),
                        (b.allow, b.reason),
                        "round {round}: the organization's slice differs\nrequest: {request_text}\nslice: {}\norg slice: {}",
                        b.message(),
                        c.message()
                    );
                    org_level += 1;
                }
                assert_eq!(
                    a.allow,
                    b.allow,
                    "round {round}: allow differs\nrequest: {request_text}\nwhole: {}\nslice: {}\nslice facts: {sliced_text}",
                    a.message(),
                    b.message()
                );
                if a.reason != b.reason {
                    assert!(
                        b.reason.name() == "unknown_resource" && r.outside(&request),
                        "round {round}: reason differs inside the reach\nrequest: {request_text}\nwhole: {} {}\nslice: {} {}\nslice facts: {sliced_text}",
                        a.reason.name(),
                        a.message(),
                        b.reason.name(),
                        b.message()
                    );
                    outside += 1;
                }
                requests += 1;
                allowed += u64::from(a.allow);
            }
        }
    }
    eprintln!(
        "{requests} requests decided on slices as on the whole snapshot ({allowed} allowed; {outside} named something outside the reach and were unknown_resource; {org_level} organization-level ones also on the organization's slice)"
    );
    assert!(org_level > requests / 20, "{org_level}");
    assert!(requests >= 100_000 || snapshots() < 400, "{requests}");
    assert!(
        allowed > requests / 20,
        "too few allowed requests to mean much: {allowed}"
    );
}

/// The member a request names, whose membership its decision reads (`member_touched`).
fn touched(request: &Value) -> Option<u64> {
    let action = Action::from_name(request["action"].as_str()?)?;
    let resource = Resource::from_json(&request["resource"].to_string()).ok()?;
    policy_core::member_touched(action, &resource)
}

fn assert_holds_only_the_reach(facts: &Facts, r: &Reach, principal: &Principal, text: &str) {
    assert!(
        facts.users.iter().all(|u| Some(u.id) == principal.user),
        "another user's entry: {text}"
    );
    for o in &facts.organizations {
        assert_eq!(o.id, r.org, "{text}");
        for p in &o.projects {
            assert!(
                r.projects.contains(&p.id),
                "project {} outside the reach: {text}",
                p.id
            );
            assert!(
                p.members
                    .iter()
                    .chain(p.assignments.iter().map(|a| &a.user))
                    .all(|u| Some(*u) == principal.user),
                "{text}"
            );
        }
        for w in &o.workspaces {
            assert!(
                r.workspaces.contains(&w.id),
                "workspace {} outside the reach: {text}",
                w.id
            );
            assert!(
                w.members.iter().all(|u| Some(*u) == principal.user),
                "{text}"
            );
            // Annotators and reviewers see projects, not workspaces (SPEC §2): a workspace
            // kept for its projects has no name.
            assert!(
                w.name.is_none() || r.named.contains(&w.id),
                "the name of workspace {} the principal may not view: {text}",
                w.id
            );
        }
        assert!(
            o.members.iter().all(|m| r.members.contains(&m.user)),
            "another member's membership: {text}"
        );
    }
}

#[test]
fn the_export_loads_back_into_the_same_facts() {
    let mut rng = Rng::new(0xE4_B0E7);
    let mut texts: Vec<String> = (0..300)
        .map(|_| random::snapshot(&mut rng).to_string())
        .collect();
    texts.push(policy_core::DEMO_SNAPSHOT_JSON.to_owned());
    for text in texts {
        let mut input = Facts::from_json(&text).unwrap();
        input.canonicalize();
        let exported = Snapshot::from_json(&text).unwrap().to_facts();
        assert_eq!(exported, input, "the export differs from the input\n{text}");
        let json = exported.to_json();
        assert_eq!(
            Facts::from_json(&json).unwrap(),
            exported,
            "the export does not read back\n{json}"
        );
        assert_eq!(
            Snapshot::from_json(&json).unwrap().to_facts().to_json(),
            json
        );
    }
}
