//! LabelGate, Cedar and Casbin on the same requests: one check, and every allowed action on
//! one project, on the demo organization and the large synthetic one. Requests are built
//! before timing for every engine, so only the decision is measured.
//! Run with `bash bench/peers/run.sh` (it prints the medians and ratios).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use labelgate_peers::cedar_model::{CedarModel, cedar_project_request};
use labelgate_peers::{casbin_model, large};
use policy_core::{Action, Kind, Policy, Principal, Request, Resource};
use serde_json::Value;

struct Case {
    name: &'static str,
    snapshot: String,
    org: u64,
    user: u64,
    project: u64,
    action: Action,
}

fn project_actions() -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| matches!(a.kind(), Kind::Project | Kind::Scoped))
        .collect()
}

fn run_case(c: &mut Criterion, case: &Case) {
    let t = Instant::now();
    let lg = Policy::from_snapshot_json(&case.snapshot).expect("snapshot loads");
    let lg_load = t.elapsed();
    let json: Value = serde_json::from_str(&case.snapshot).expect("json");
    let t = Instant::now();
    let cedar = CedarModel::new(&json);
    let cedar_load = t.elapsed();
    let t = Instant::now();
    let casbin = casbin_model::enforcer(&json);
    let casbin_load = t.elapsed();
    eprintln!(
        "[{}] load: labelgate {:?}, cedar {:?} (entities from parsed JSON), casbin {:?}",
        case.name, lg_load, cedar_load, casbin_load
    );

    let req = Request {
        principal: Principal::user(case.user),
        org: case.org,
        action: case.action,
        resource: Resource::project(case.project),
    };
    let creq = |action: &str| cedar_project_request(case.org, case.user, action, case.project);
    let cedar_single = creq(case.action.name());
    let (user, org) = (format!("u{}", case.user), case.org.to_string());
    assert!(lg.decide(&req).allow, "the benchmark request is allowed");
    assert!(cedar.is_authorized(&cedar_single));
    assert!(casbin_model::allows(
        &casbin,
        &user,
        &org,
        case.action.name()
    ));

    let actions = project_actions();
    let cedar_all: Vec<_> = actions.iter().map(|a| creq(a.name())).collect();
    let lg_allowed = lg.allowed_actions(&req.principal, case.org, &req.resource);
    let cedar_allowed: Vec<Action> = actions
        .iter()
        .zip(&cedar_all)
        .filter(|(_, r)| cedar.is_authorized(r))
        .map(|(a, _)| *a)
        .collect();
    assert_eq!(lg_allowed, cedar_allowed, "same allowed actions");
    eprintln!(
        "[{}] allowed actions on project {}: {}",
        case.name,
        case.project,
        lg_allowed.len()
    );

    let mut g = c.benchmark_group(format!("{}_single", case.name));
    g.bench_function("labelgate", |b| b.iter(|| lg.decide(black_box(&req)).allow));
    g.bench_function("cedar", |b| {
        b.iter(|| cedar.is_authorized(black_box(&cedar_single)))
    });
    g.bench_function("casbin", |b| {
        b.iter(|| casbin_model::allows(&casbin, black_box(&user), &org, case.action.name()))
    });
    g.finish();

    let mut g = c.benchmark_group(format!("{}_allowed", case.name));
    g.bench_function("labelgate", |b| {
        b.iter(|| {
            lg.allowed_actions(
                black_box(&req.principal),
                case.org,
                black_box(&req.resource),
            )
        })
    });
    g.bench_function("cedar", |b| {
        b.iter(|| {
            cedar_all
                .iter()
                .zip(&actions)
                .filter(|(r, _)| cedar.is_authorized(r))
                .map(|(_, a)| *a)
                .collect::<Vec<Action>>()
        })
    });
    g.bench_function("casbin", |b| {
        b.iter(|| {
            actions
                .iter()
                .filter(|a| casbin_model::allows(&casbin, black_box(&user), &org, a.name()))
                .copied()
                .collect::<Vec<Action>>()
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    // Maya, a manager, exports project 1000 in the demo organization.
    run_case(
        c,
        &Case {
            name: "demo",
            snapshot: policy_core::DEMO_SNAPSHOT_JSON.to_string(),
            org: 1,
            user: 12,
            project: 1000,
            action: Action::ProjectExport,
        },
    );
    // Manager 52 created project 100001 in the large organization (issue 2's shape).
    run_case(
        c,
        &Case {
            name: "large",
            snapshot: large::organization(&large::LARGE, 7),
            org: 1,
            user: 52,
            project: 100_001,
            action: Action::ProjectExport,
        },
    );
}

criterion_group! {
    name = peers;
    config = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(peers);
