//! LabelGate and Cedar (and, on the part it can express, Casbin) agree on allow/deny: the
//! whole vector suite, and >= 100,000 random requests over random snapshots.

use std::collections::BTreeMap;

use labelgate_peers::cedar_model::{self, CedarModel};
use labelgate_peers::{ROOT, casbin_model, random};
use policy_core::Policy;
use serde_json::Value;

struct Tally {
    checked: usize,
    agreed: usize,
    allowed: usize,
    unmapped: usize,
    disagreements: Vec<String>,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            checked: 0,
            agreed: 0,
            allowed: 0,
            unmapped: 0,
            disagreements: vec![],
        }
    }

    fn compare(&mut self, lg: &Policy, cedar: &CedarModel, snapshot: &str, text: &str) {
        let decision = lg.decide_request_json(text);
        let c = cedar.allows_json(text);
        if c.is_none() {
            self.unmapped += 1;
        }
        let c = c.unwrap_or(false);
        self.checked += 1;
        if decision.allow {
            self.allowed += 1;
        }
        if decision.allow == c {
            self.agreed += 1;
        } else {
            self.disagreements.push(format!(
                "{snapshot}: {text} -> labelgate {} ({}), cedar {c}",
                decision.allow,
                decision.reason.name()
            ));
        }
    }

    fn report(&self, what: &str) {
        eprintln!(
            "{what}: {} requests ({} allowed), {} agree, {} disagree, {} refused by the request mapper (malformed)",
            self.checked,
            self.allowed,
            self.agreed,
            self.disagreements.len(),
            self.unmapped
        );
        for d in self.disagreements.iter().take(30) {
            eprintln!("  DISAGREE {d}");
        }
    }
}

#[test]
fn schema_and_policies_parse_and_validate() {
    let schema = cedar_model::schema();
    let policies = cedar_model::policy_set();
    let v = cedar_policy::Validator::new(schema);
    let r = v.validate(&policies, cedar_policy::ValidationMode::default());
    for e in r.validation_errors() {
        eprintln!("validation: {e}");
    }
    assert!(
        r.validation_passed(),
        "labelgate.cedar validates against labelgate.cedarschema"
    );
}

#[test]
fn vector_suite_agrees() {
    let mut snapshots: BTreeMap<String, (Policy, CedarModel)> = BTreeMap::new();
    let mut tally = Tally::new();
    let mut expect_mismatch = 0;
    for file in ["cells", "rules"] {
        let path = format!("{ROOT}/tests/vectors/{file}.json");
        let suite: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("vectors"))
            .expect("vector json");
        for v in suite["vectors"].as_array().expect("vectors") {
            let name = v["snapshot"].as_str().expect("snapshot name").to_string();
            let (lg, cedar) = snapshots.entry(name.clone()).or_insert_with(|| {
                let text = std::fs::read_to_string(format!("{ROOT}/tests/snapshots/{name}.json"))
                    .expect("snapshot");
                (
                    Policy::from_snapshot_json(&text).expect("snapshot loads"),
                    CedarModel::from_json(&text),
                )
            });
            let text = match (&v["request_text"], &v["request"]) {
                (Value::String(s), _) => s.clone(),
                (_, r) => r.to_string(),
            };
            if lg.decide_request_json(&text).allow
                != v["expect"]["allow"].as_bool().unwrap_or(false)
            {
                expect_mismatch += 1;
            }
            tally.compare(lg, cedar, &name, &text);
        }
    }
    tally.report("vector suite");
    assert_eq!(expect_mismatch, 0, "LabelGate passes its own vectors");
    assert!(tally.checked >= 750);
    assert!(
        tally.disagreements.is_empty(),
        "Cedar disagrees with LabelGate on the vector suite"
    );
}

#[test]
fn random_requests_agree() {
    let snapshots = 1000;
    let per_snapshot = 120;
    let mut tally = Tally::new();
    for seed in 0..snapshots {
        let mut rng = random::Rng::new(0x7_0000 + seed);
        let snap = random::snapshot(&mut rng);
        let text = snap.to_string();
        let lg = Policy::from_snapshot_json(&text).expect("random snapshot loads");
        let cedar = CedarModel::new(&snap);
        let ids = random::ids(&snap);
        for _ in 0..per_snapshot {
            let req = random::request(&mut rng, &ids).to_string();
            tally.compare(&lg, &cedar, &format!("seed {seed}"), &req);
        }
    }
    tally.report("random");
    assert!(tally.checked >= 100_000);
    assert!(
        tally.disagreements.is_empty(),
        "Cedar disagrees with LabelGate on random requests"
    );
}

/// Casbin expresses the role x action cells: active explicit members, no SSO groups,
/// organization-level matrix actions (no member named, so no owner protection).
#[test]
fn casbin_agrees_on_role_cells() {
    let matrix: Value = serde_json::from_str(policy_core::DEFAULT_MATRIX_JSON).expect("matrix");
    let actions: Vec<&str> = matrix["grants"]
        .as_object()
        .expect("grants")
        .keys()
        .filter(|a| a.starts_with("org."))
        .map(String::as_str)
        .collect();
    let mut checked = 0;
    let mut disagree = vec![];
    for seed in 0..200 {
        let mut rng = random::Rng::new(0x9_0000 + seed);
        let snap = random::snapshot(&mut rng);
        let lg = Policy::from_snapshot_json(&snap.to_string()).expect("loads");
        let e = casbin_model::enforcer(&snap);
        for o in snap["organizations"].as_array().expect("orgs") {
            let org = o["id"].as_u64().expect("org id");
            for m in o["members"].as_array().expect("members") {
                if m["status"].as_str() != Some("active") {
                    continue;
                }
                let user = m["user"].as_u64().expect("user");
                for a in &actions {
                    let req = format!(
                        r#"{{"principal":{{"user":{user}}},"org":{org},"action":"{a}","resource":{{}}}}"#
                    );
                    let l = lg.decide_request_json(&req).allow;
                    let c = casbin_model::allows(&e, &format!("u{user}"), &org.to_string(), a);
                    checked += 1;
                    if l != c {
                        disagree.push(format!("{req}: labelgate {l}, casbin {c}"));
                    }
                }
            }
        }
    }
    eprintln!(
        "casbin role cells: {checked} requests, {} disagree",
        disagree.len()
    );
    for d in disagree.iter().take(20) {
        eprintln!("  DISAGREE {d}");
    }
    assert!(disagree.is_empty());
}
