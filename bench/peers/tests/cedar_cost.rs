//! Where Cedar's time goes on the benchmark request (run with --ignored --nocapture).
use std::str::FromStr;
use std::time::Instant;

use cedar_policy::{Authorizer, PolicySet};
use labelgate_peers::cedar_model::{CedarModel, cedar_project_request};

#[test]
#[ignore = "a measurement, not a check"]
fn cedar_cost_breakdown() {
    let m = CedarModel::from_json(policy_core::DEMO_SNAPSHOT_JSON);
    let r = cedar_project_request(1, 12, "project.export", 1000);
    let a = Authorizer::new();
    let trivial = PolicySet::from_str("permit (principal, action, resource);").expect("parses");
    let time = |name: &str, ps: &PolicySet| {
        let n = 20_000;
        let t = Instant::now();
        let mut allowed = 0;
        for _ in 0..n {
            if a.is_authorized(&r, ps, &m.entities).decision() == cedar_policy::Decision::Allow {
                allowed += 1;
            }
        }
        eprintln!(
            "{name}: {:?} per check ({allowed}/{n} allowed)",
            t.elapsed() / n
        );
    };
    time("labelgate.cedar (46 policies)", &m.policies);
    time("one trivial permit", &trivial);
    let t = Instant::now();
    for _ in 0..20_000 {
        std::hint::black_box(cedar_project_request(1, 12, "project.export", 1000));
    }
    eprintln!("building the cedar request: {:?}", t.elapsed() / 20_000);
}
