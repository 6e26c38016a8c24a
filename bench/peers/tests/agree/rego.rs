//! Rego under regorus, interpreter and VM; and its `allowed_actions` rule against
//! LabelGate's `allowed_actions`.

use labelgate_peers::random;
use labelgate_peers::rego_model::{self, RegoModel, RegoVm, Runtime};
use policy_core::Policy;
use serde_json::Value;

use crate::harness::{random_requests, vectors};
use crate::{PER_SNAPSHOT, SEED, SNAPSHOTS};

fn check<R: Runtime>(runtime: &mut R, request: &str) -> Option<bool> {
    rego_model::input_json(request).map(|i| runtime.allows(&i))
}

fn on_vectors<R: Runtime>(what: &str) {
    let load = |s: &str| R::new(&serde_json::from_str::<Value>(s).expect("snapshot json"));
    vectors(what, load, check::<R>).assert_agrees("the vector suite", 750);
}

fn on_random<R: Runtime>(what: &str) {
    random_requests(what, SEED, SNAPSHOTS, PER_SNAPSHOT, R::new, check::<R>)
        .assert_agrees("random requests", 100_000);
}

#[test]
fn interpreter_vectors() {
    on_vectors::<RegoModel>("Rego (interpreter)");
}

#[test]
fn vm_vectors() {
    on_vectors::<RegoVm>("Rego (VM)");
}

#[test]
fn interpreter_random() {
    on_random::<RegoModel>("Rego (interpreter)");
}

#[test]
fn vm_random() {
    on_random::<RegoVm>("Rego (VM)");
}
/// `allowed_actions` (one evaluation, what the benchmark times) lists exactly LabelGate's
/// allowed actions, for random principals and resources, in both runtimes.
#[test]
fn allowed_actions_agree() {
    let (mut checked, mut disagree) = (0, vec![]);
    for s in 0..200 {
        let mut rng = random::Rng::new(0xA_0000 + s);
        let snap = random::snapshot(&mut rng);
        let lg = Policy::from_snapshot_json(&snap.to_string()).expect("loads");
        let (mut interp, mut vm) = (RegoModel::new(&snap), RegoVm::new(&snap));
        let ids = random::ids(&snap);
        for _ in 0..40 {
            let mut req = random::request(&mut rng, &ids);
            let Some(input) = rego_model::input_json(&req.to_string()) else {
                continue;
            };
            req.as_object_mut().expect("object").remove("action");
            let Ok(actions) = lg.allowed_actions_query(&req.to_string()) else {
                continue;
            };
            let mut want: Vec<String> = actions.iter().map(|a| a.name().to_string()).collect();
            want.sort();
            checked += 1;
            for (runtime, got) in [
                ("interpreter", interp.allowed_actions(&input)),
                ("VM", vm.allowed_actions(&input)),
            ] {
                if got != want {
                    disagree.push(format!("{runtime} {req}: {got:?} vs labelgate {want:?}"));
                }
            }
        }
    }
    eprintln!(
        "Rego allowed_actions: {checked} queries, {} disagree",
        disagree.len()
    );
    for d in disagree.iter().take(20) {
        eprintln!("  DISAGREE {d}");
    }
    assert!(checked >= 5000, "{checked} queries");
    assert!(disagree.is_empty());
}
