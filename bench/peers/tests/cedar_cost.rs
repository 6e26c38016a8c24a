//! Where Cedar's time goes on the benchmark request (run with --ignored --nocapture): each
//! encoding whole, parts of the hierarchy encoding, and one trivial permit.
use std::str::FromStr;
use std::time::Instant;

use cedar_policy::{Authorizer, Decision, Entities, PolicySet, Request};
use labelgate_peers::cedar_hier::{self, HierModel};
use labelgate_peers::cedar_model::{CedarModel, cedar_project_request};

fn time(name: &str, r: &Request, ps: &PolicySet, entities: &Entities) {
    let a = Authorizer::new();
    let n = 20_000;
    let t = Instant::now();
    let mut allowed = 0;
    for _ in 0..n {
        if a.is_authorized(r, ps, entities).decision() == Decision::Allow {
            allowed += 1;
        }
    }
    eprintln!(
        "{name}: {:?} per check ({allowed}/{n} allowed)",
        t.elapsed() / n
    );
}

/// The policies of `hierarchy.cedar` whose text contains one of `parts`.
fn subset(parts: &[&str]) -> PolicySet {
    let all = cedar_hier::policy_set();
    let text: Vec<String> = all
        .policies()
        .map(|p| p.to_string())
        .filter(|p| parts.iter().any(|s| p.contains(s)))
        .collect();
    PolicySet::from_str(&text.join("\n")).expect("parses")
}

#[test]
#[ignore = "a measurement, not a check"]
fn cedar_cost_breakdown() {
    let demo = policy_core::DEMO_SNAPSHOT_JSON;
    let threshold = CedarModel::from_json(demo);
    let hier = HierModel::from_json(demo);
    let r = cedar_project_request(1, 12, "project.export", 1000);
    let h = hier.project_request(1, 12, "project.export", 1000);
    let trivial = PolicySet::from_str("permit (principal, action, resource);").expect("parses");
    for (name, policies, req) in [
        ("labelgate.cedar", &threshold.policies, &r),
        ("hierarchy.cedar", &hier.policies, &h),
    ] {
        let (whole, largest) = policies.sizes();
        let export = policies.of(req, true).policies().count();
        eprintln!(
            "{name}: {whole} policies; project.export's slice {export}, the largest slice {largest}"
        );
    }
    time(
        "labelgate.cedar (threshold, 46 policies)",
        &r,
        &threshold.policies.whole,
        &threshold.entities,
    );
    time(
        "hierarchy.cedar (all policies)",
        &h,
        &hier.policies.whole,
        &hier.entities,
    );
    time(
        "labelgate.cedar, project.export's slice",
        &r,
        threshold.policies.of(&r, true),
        &threshold.entities,
    );
    time(
        "hierarchy.cedar, project.export's slice",
        &h,
        hier.policies.of(&h, true),
        &hier.entities,
    );
    let permit = subset(&["Action::\"project-manage\""]);
    time(
        "hierarchy.cedar: the permit of project.export's row",
        &h,
        &permit,
        &hier.entities,
    );
    time(
        "hierarchy.cedar: the forbid every request meets",
        &h,
        &subset(&["context.org.inactive"]),
        &hier.entities,
    );
    time(
        "one trivial permit, threshold entities",
        &r,
        &trivial,
        &threshold.entities,
    );
    time(
        "one trivial permit, hierarchy entities",
        &h,
        &trivial,
        &hier.entities,
    );
    // What each policy of a set costs when its scope does not even match the action.
    let idle: String = (0..30)
        .map(|i| {
            format!("@id(\"p{i}\") permit (principal, action == Action::\"org.invite\", resource);")
        })
        .collect();
    let idle = PolicySet::from_str(&idle).expect("parses");
    time(
        "30 permits for another action (none applies)",
        &h,
        &idle,
        &hier.entities,
    );
    let t = Instant::now();
    for _ in 0..20_000 {
        std::hint::black_box(cedar_project_request(1, 12, "project.export", 1000));
    }
    eprintln!("building a threshold request: {:?}", t.elapsed() / 20_000);
    let t = Instant::now();
    for _ in 0..20_000 {
        std::hint::black_box(hier.project_request(1, 12, "project.export", 1000));
    }
    eprintln!(
        "building a hierarchy request (checked against the schema): {:?}",
        t.elapsed() / 20_000
    );
}
