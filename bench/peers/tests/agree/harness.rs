//! Runs an engine beside LabelGate on the vector suite and on seeded random requests, and
//! counts agreements on allow/deny.

use std::collections::BTreeMap;

use labelgate_peers::{ROOT, random};
use policy_core::Policy;
use serde_json::Value;

/// Agreements and disagreements of one engine with LabelGate.
pub struct Tally {
    pub what: String,
    pub checked: usize,
    pub agreed: usize,
    pub allowed: usize,
    /// Requests the engine's host refused (counted as deny).
    pub refused: usize,
    pub disagreements: Vec<String>,
}

impl Tally {
    pub fn new(what: &str) -> Tally {
        Tally {
            what: what.into(),
            checked: 0,
            agreed: 0,
            allowed: 0,
            refused: 0,
            disagreements: vec![],
        }
    }

    /// Counts one request: LabelGate's decision on `text` against `other` (`None`: the
    /// engine's host refused the request).
    pub fn compare(&mut self, lg: &Policy, other: Option<bool>, label: &str, text: &str) {
        let decision = lg.decide_request_json(text);
        self.refused += usize::from(other.is_none());
        let other = other.unwrap_or(false);
        self.checked += 1;
        self.allowed += usize::from(decision.allow);
        if decision.allow == other {
            self.agreed += 1;
        } else {
            self.disagreements.push(format!(
                "{label}: {text} -> labelgate {} ({}), {} {other}",
                decision.allow,
                decision.reason.name(),
                self.what
            ));
        }
    }

    /// Prints the counts and asserts that at least `min` requests were checked and that
    /// all of them agree.
    pub fn assert_agrees(&self, suite: &str, min: usize) {
        eprintln!(
            "{} on {suite}: {} requests ({} allowed), {} agree, {} disagree, {} refused by the host (malformed)",
            self.what,
            self.checked,
            self.allowed,
            self.agreed,
            self.disagreements.len(),
            self.refused
        );
        for d in self.disagreements.iter().take(30) {
            eprintln!("  DISAGREE {d}");
        }
        assert!(self.checked >= min, "{} requests checked", self.checked);
        assert!(
            self.disagreements.is_empty(),
            "{} disagrees with LabelGate on {suite}",
            self.what
        );
    }
}

/// The vector suite (`tests/vectors/*.json` over `tests/snapshots/`): `load` builds an engine
/// from a snapshot's text, `check` answers a request's text. LabelGate must also pass its
/// own expectations.
pub fn vectors<E>(
    what: &str,
    load: impl Fn(&str) -> E,
    mut check: impl FnMut(&mut E, &str) -> Option<bool>,
) -> Tally {
    let mut snapshots: BTreeMap<String, (Policy, E)> = BTreeMap::new();
    let mut tally = Tally::new(what);
    for file in ["cells", "rules"] {
        let path = format!("{ROOT}/tests/vectors/{file}.json");
        let suite: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("vectors"))
            .expect("vector json");
        for v in suite["vectors"].as_array().expect("vectors") {
            let name = v["snapshot"].as_str().expect("snapshot name").to_string();
            let (lg, engine) = snapshots.entry(name.clone()).or_insert_with(|| {
                let text = std::fs::read_to_string(format!("{ROOT}/tests/snapshots/{name}.json"))
                    .expect("snapshot");
                let lg = Policy::from_snapshot_json(&text).expect("snapshot loads");
                (lg, load(&text))
            });
            let text = match (&v["request_text"], &v["request"]) {
                (Value::String(s), _) => s.clone(),
                (_, r) => r.to_string(),
            };
            let expect = v["expect"]["allow"].as_bool().unwrap_or(false);
            assert_eq!(
                lg.decide_request_json(&text).allow,
                expect,
                "LabelGate passes its own vector {text}"
            );
            let answer = check(engine, &text);
            tally.compare(lg, answer, &name, &text);
        }
    }
    tally
}

/// Random snapshots from `seed`, `per_snapshot` random requests on each.
pub fn random_requests<E>(
    what: &str,
    seed: u64,
    snapshots: u64,
    per_snapshot: usize,
    load: impl Fn(&Value) -> E,
    mut check: impl FnMut(&mut E, &str) -> Option<bool>,
) -> Tally {
    let mut tally = Tally::new(what);
    for s in 0..snapshots {
        let mut rng = random::Rng::new(seed + s);
        let snap = random::snapshot(&mut rng);
        let lg = Policy::from_snapshot_json(&snap.to_string()).expect("random snapshot loads");
        let mut engine = load(&snap);
        let ids = random::ids(&snap);
        for _ in 0..per_snapshot {
            let req = random::request(&mut rng, &ids).to_string();
            let answer = check(&mut engine, &req);
            tally.compare(&lg, answer, &format!("seed {}", seed + s), &req);
        }
    }
    tally
}
