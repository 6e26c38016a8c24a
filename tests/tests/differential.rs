//! The core against the independent reference model on random snapshots and requests, and
//! `allowed_actions` against one check per action. `LABELGATE_DIFF_SNAPSHOTS` scales it up
//! (default 1,000 snapshots x 100 requests = 100,000 decisions).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use labelgate_tests::random::{self, Rng};
use labelgate_tests::reference::{RRequest, Reference};
use policy_core::{Action, Policy, Principal, Resource};
use serde_json::Value;

fn snapshots() -> u64 {
    std::env::var("LABELGATE_DIFF_SNAPSHOTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000)
}

#[test]
fn the_core_agrees_with_the_reference_model() {
    let mut rng = Rng::new(0x1ABE_16A7E);
    let mut decisions = 0u64;
    let mut allowed = 0u64;
    let mut reasons = std::collections::BTreeMap::<String, u64>::new();
    for round in 0..snapshots() {
        let snapshot = random::snapshot(&mut rng);
        let text = snapshot.to_string();
        let policy = Policy::from_snapshot_json(&text)
            .unwrap_or_else(|e| panic!("round {round}: generated snapshot refused: {e}\n{text}"));
        let reference = Reference::from_json(&text);
        let ids = random::ids(&snapshot);
        for _ in 0..100 {
            let request = random::request(&mut rng, &ids);
            let request_text = request.to_string();
            let core = policy.decide_request_json(&request_text);
            let parsed: RRequest = serde_json::from_value(request.clone()).unwrap();
            let expected = reference.decide(&parsed);
            assert_eq!(
                (core.allow, core.reason.name()),
                expected,
                "round {round}: the core and the reference disagree\nrequest: {request_text}\ncore says: {}\nsnapshot: {text}",
                core.message()
            );
            decisions += 1;
            allowed += u64::from(core.allow);
            *reasons.entry(core.reason.name().to_string()).or_default() += 1;
        }
    }
    eprintln!("{decisions} decisions, 0 disagreements ({allowed} allowed); by reason: {reasons:?}");
    assert!(decisions >= 100_000 || snapshots() < 1_000);
    // Every reason a random request can reach was reached.
    for reason in [
        "allowed",
        "unknown_principal",
        "not_member",
        "not_activated",
        "deactivated",
        "role_lacks_permission",
        "out_of_scope",
        "sandbox_private",
        "workspace_not_empty",
        "owner_protected",
        "setting_disabled",
        "edition_restricted",
        "unknown_resource",
        "unknown_action",
        "invalid_request",
    ] {
        assert!(
            reasons.contains_key(reason),
            "no random request was decided `{reason}`"
        );
    }
}

#[test]
fn allowed_actions_agrees_with_one_check_per_action() {
    let mut rng = Rng::new(0xA11_0ED);
    let mut compared = 0;
    for _ in 0..(snapshots() / 4).max(50) {
        let snapshot = random::snapshot(&mut rng);
        let text = snapshot.to_string();
        let policy = Policy::from_snapshot_json(&text).unwrap();
        let ids = random::ids(&snapshot);
        for _ in 0..20 {
            let i = rng.below(ids.orgs.len() as u64) as usize;
            let (org, members) = (ids.orgs[i], ids.members[i].clone());
            let principal =
                Principal::from_json(&random::principal(&mut rng, &members).to_string()).unwrap();
            let resource: Value = random::resource(&mut rng, &ids, &members, "any", principal.user);
            let Ok(resource) = Resource::from_json(&resource.to_string()) else {
                continue;
            };
            let listed = policy.allowed_actions(&principal, org, &resource);
            for &action in Action::ALL {
                let decision = policy.decide(&policy_core::Request {
                    principal: principal.clone(),
                    org,
                    action,
                    resource: resource.clone(),
                });
                assert_eq!(
                    listed.contains(&action),
                    decision.allow,
                    "{action} on {resource:?} for {principal:?}: listed {listed:?}, decided {} ({})",
                    decision.reason,
                    decision.message()
                );
                compared += 1;
            }
        }
    }
    eprintln!("{compared} action checks agree with allowed_actions");
}

#[test]
fn visible_lists_agree_with_view_checks() {
    let mut rng = Rng::new(0x5EE);
    for _ in 0..200 {
        let snapshot = random::snapshot(&mut rng);
        let text = snapshot.to_string();
        let policy = Policy::from_snapshot_json(&text).unwrap();
        let ids = random::ids(&snapshot);
        for _ in 0..10 {
            let i = rng.below(ids.orgs.len() as u64) as usize;
            let (org, members) = (ids.orgs[i], ids.members[i].clone());
            let principal =
                Principal::from_json(&random::principal(&mut rng, &members).to_string()).unwrap();
            let projects = policy.visible_projects(&principal, org);
            let workspaces = policy.visible_workspaces(&principal, org);
            for &p in &ids.projects {
                let d = policy.decide(&policy_core::Request {
                    principal: principal.clone(),
                    org,
                    action: Action::ProjectView,
                    resource: Resource::project(p),
                });
                assert_eq!(
                    projects.contains(&p),
                    d.allow,
                    "project {p} for {principal:?}: {}",
                    d.message()
                );
            }
            for &w in &ids.workspaces {
                let d = policy.decide(&policy_core::Request {
                    principal: principal.clone(),
                    org,
                    action: Action::WorkspaceView,
                    resource: Resource::workspace(w),
                });
                assert_eq!(
                    workspaces.contains(&w),
                    d.allow,
                    "workspace {w} for {principal:?}: {}",
                    d.message()
                );
            }
            assert!(
                projects.windows(2).all(|w| w[0] < w[1]),
                "sorted and unique: {projects:?}"
            );
        }
    }
}
