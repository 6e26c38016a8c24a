//! LabelGate, Cedar (two encodings, each over its whole policy set and over the action's
//! slice), Rego (regorus's interpreter and VM) and Casbin on the same requests: one check, and
//! every allowed action on one project, on the demo organization and the large synthetic one.
//! Requests and inputs are built before timing for every engine, so only the decision is
//! measured.
//! Run with `bash bench/peers/run.sh` (it prints the medians and ratios).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use labelgate_peers::cedar_hier::HierModel;
use labelgate_peers::cedar_model::{CedarModel, cedar_project_request};
use labelgate_peers::form::Form;
use labelgate_peers::rego_model::{self, RegoModel, RegoVm, Runtime};
use labelgate_peers::{casbin_model, large};
use policy_core::{Action, Kind, Policy, Principal, Request, Resource};
use serde_json::Value;

/// Cedar over its whole policy set, and over the action's slice (a host-side index).
const CEDAR: [(&str, bool); 2] = [("", false), ("_sliced", true)];

struct Case {
    name: &'static str,
    snapshot: String,
    org: u64,
    user: u64,
    project: u64,
    action: Action,
}

/// Every engine over one snapshot, and how long each took to load it.
struct Engines {
    lg: Policy,
    threshold: CedarModel,
    hierarchy: HierModel,
    interp: RegoModel,
    vm: RegoVm,
    casbin: casbin::Enforcer,
}

fn timed<T>(what: &str, case: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    eprintln!("[{case}] load {what}: {:?}", t.elapsed());
    out
}

impl Engines {
    fn load(case: &Case) -> Engines {
        let n = case.name;
        let lg = timed("labelgate (from JSON text)", n, || {
            Policy::from_snapshot_json(&case.snapshot).expect("snapshot loads")
        });
        let json: Value = serde_json::from_str(&case.snapshot).expect("json");
        let data = timed("rego data (from parsed JSON)", n, || {
            regorus::Value::from(rego_model::data(&json))
        });
        Engines {
            lg,
            threshold: timed("cedar threshold (from parsed JSON)", n, || {
                CedarModel::new(&json)
            }),
            hierarchy: timed("cedar hierarchy (from parsed JSON)", n, || {
                HierModel::new(&json)
            }),
            interp: timed("rego interpreter", n, || RegoModel::with_data(data.clone())),
            vm: timed("rego vm (compile included)", n, || RegoVm::with_data(data)),
            casbin: timed("casbin (roles only)", n, || casbin_model::enforcer(&json)),
        }
    }
}

fn project_actions() -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| matches!(a.kind(), Kind::Project | Kind::Scoped))
        .collect()
}

fn run_case(c: &mut Criterion, case: &Case) {
    let mut e = Engines::load(case);
    let req = Request {
        principal: Principal::user(case.user),
        org: case.org,
        action: case.action,
        resource: Resource::project(case.project),
    };
    let (org, user, project) = (case.org, case.user, case.project);
    let action = case.action.name();
    let actions = project_actions();
    let threshold: Vec<_> = actions
        .iter()
        .map(|a| cedar_project_request(org, user, a.name(), project))
        .collect();
    let hierarchy: Vec<_> = actions
        .iter()
        .map(|a| e.hierarchy.project_request(org, user, a.name(), project))
        .collect();
    let single = actions
        .iter()
        .position(|a| *a == case.action)
        .expect("a project action");
    let input = rego_model::input(&Form::project(org, user, action, project));
    let (cuser, corg) = (format!("u{user}"), org.to_string());

    // Every engine gives the same answers before anything is timed.
    let lg_allowed = e.lg.allowed_actions(&req.principal, org, &req.resource);
    let names: Vec<&str> = lg_allowed.iter().map(|a| a.name()).collect();
    let pick = |ok: &dyn Fn(usize) -> bool| -> Vec<&str> {
        (0..actions.len())
            .filter(|i| ok(*i))
            .map(|i| actions[i].name())
            .collect()
    };
    assert!(e.lg.decide(&req).allow, "the benchmark request is allowed");
    for sliced in [false, true] {
        assert_eq!(
            pick(&|i| e.threshold.is_authorized(&threshold[i], sliced)),
            names
        );
        assert_eq!(
            pick(&|i| e.hierarchy.is_authorized_stored(&hierarchy[i], sliced)),
            names
        );
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(e.interp.allowed_actions(&input), sorted);
    assert_eq!(e.vm.allowed_actions(&input), sorted);
    assert!(e.interp.allows(&input) && e.vm.allows(&input));
    assert!(casbin_model::allows(&e.casbin, &cuser, &corg, action));
    eprintln!(
        "[{}] allowed actions on project {project}: {}",
        case.name,
        names.len()
    );

    let mut g = c.benchmark_group(format!("{}_single", case.name));
    g.bench_function("labelgate", |b| {
        b.iter(|| e.lg.decide(black_box(&req)).allow)
    });
    for (name, sliced) in CEDAR {
        g.bench_function(format!("cedar_threshold{name}"), |b| {
            b.iter(|| {
                e.threshold
                    .is_authorized(black_box(&threshold[single]), sliced)
            })
        });
        g.bench_function(format!("cedar_hierarchy{name}"), |b| {
            b.iter(|| {
                e.hierarchy
                    .is_authorized_stored(black_box(&hierarchy[single]), sliced)
            })
        });
    }
    g.bench_function("rego_interpreter", |b| {
        b.iter(|| e.interp.allows(black_box(&input)))
    });
    g.bench_function("rego_vm", |b| b.iter(|| e.vm.allows(black_box(&input))));
    g.bench_function("casbin", |b| {
        b.iter(|| casbin_model::allows(&e.casbin, black_box(&cuser), &corg, action))
    });
    g.finish();

    // Cedar and Casbin answer one request per action; Rego's `allowed_actions` rule and
    // LabelGate's `allowed_actions` answer the whole list at once.
    let mut g = c.benchmark_group(format!("{}_allowed", case.name));
    g.bench_function("labelgate", |b| {
        b.iter(|| {
            e.lg.allowed_actions(black_box(&req.principal), org, black_box(&req.resource))
        })
    });
    for (name, sliced) in CEDAR {
        g.bench_function(format!("cedar_threshold{name}"), |b| {
            b.iter(|| pick(&|i| e.threshold.is_authorized(black_box(&threshold[i]), sliced)))
        });
        g.bench_function(format!("cedar_hierarchy{name}"), |b| {
            b.iter(|| {
                pick(&|i| {
                    e.hierarchy
                        .is_authorized_stored(black_box(&hierarchy[i]), sliced)
                })
            })
        });
    }
    g.bench_function("rego_interpreter", |b| {
        b.iter(|| e.interp.allowed_actions(black_box(&input)))
    });
    g.bench_function("rego_vm", |b| {
        b.iter(|| e.vm.allowed_actions(black_box(&input)))
    });
    g.bench_function("casbin", |b| {
        b.iter(|| {
            pick(&|i| casbin_model::allows(&e.casbin, black_box(&cuser), &corg, actions[i].name()))
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
