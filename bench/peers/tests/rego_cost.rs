//! Where Rego's time goes on the benchmark request (run with --ignored --nocapture): the
//! policy under regorus's interpreter and VM, and a trivial policy over the same data. Also
//! the fixture `size.sh` runs through regorus compiled to wasm.
use std::time::Instant;

use labelgate_peers::ROOT;
use labelgate_peers::form::Form;
use labelgate_peers::rego_model::{self, RegoModel, RegoVm, Runtime};

fn time(name: &str, mut check: impl FnMut() -> bool) {
    let n = 20_000;
    let t = Instant::now();
    let allowed = (0..n).filter(|_| check()).count();
    eprintln!(
        "{name}: {:?} per check ({allowed}/{n} allowed)",
        t.elapsed() / n as u32
    );
}

#[test]
#[ignore = "a measurement, not a check"]
fn rego_cost_breakdown() {
    let snapshot: serde_json::Value =
        serde_json::from_str(policy_core::DEMO_SNAPSHOT_JSON).expect("demo");
    let data = regorus::Value::from(rego_model::data(&snapshot));
    let input = rego_model::input(&Form::project(1, 12, "project.export", 1000));
    let mut interp = RegoModel::with_data(data.clone());
    let mut vm = RegoVm::with_data(data.clone());
    time("labelgate.rego, interpreter", || interp.allows(&input));
    time("labelgate.rego, VM", || vm.allows(&input));
    let one_line = "package labelgate\nimport rego.v1\nallow if input.action == \"project.export\"\nallowed_actions := set()\n";
    let mut interp = RegoModel::with_policy(one_line, data.clone());
    let mut vm = RegoVm::with_policy(one_line, data);
    time("a one-line policy, interpreter", || interp.allows(&input));
    time("a one-line policy, VM", || vm.allows(&input));
}

/// Writes `target/rego-wasm/fixture.json`: the policy, each vector snapshot as Rego data, and
/// every vector the host maps, with LabelGate's answer. `rego-wasm/check.mjs` runs it.
#[test]
#[ignore = "writes the wasm check's fixture (size.sh runs it)"]
fn rego_wasm_fixture() {
    let (mut snapshots, mut cases) = (serde_json::Map::new(), vec![]);
    for file in ["cells", "rules"] {
        let path = format!("{ROOT}/tests/vectors/{file}.json");
        let suite: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("json");
        for v in suite["vectors"].as_array().expect("vectors") {
            let name = v["snapshot"].as_str().expect("name");
            let text = std::fs::read_to_string(format!("{ROOT}/tests/snapshots/{name}.json"))
                .expect("snapshot");
            let lg = policy_core::Policy::from_snapshot_json(&text).expect("loads");
            if !snapshots.contains_key(name) {
                let snap = serde_json::from_str(&text).expect("json");
                snapshots.insert(name.into(), rego_model::data(&snap));
            }
            let request = v["request"].to_string();
            let Some(input) = rego_model::input_json(&request) else {
                continue;
            };
            let allow = lg.decide_request_json(&request).allow;
            cases.push(
                serde_json::json!({"snapshot": name, "input": input.to_string(), "allow": allow}),
            );
        }
    }
    let fixture = serde_json::json!({
        "policy": rego_model::POLICY,
        "snapshots": snapshots,
        "cases": cases,
    });
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/rego-wasm");
    std::fs::create_dir_all(dir).expect("target dir");
    std::fs::write(format!("{dir}/fixture.json"), fixture.to_string()).expect("written");
    eprintln!("{} cases written to {dir}/fixture.json", cases.len());
}
