//! Both Cedar encodings: the generated threshold one and the hand-written hierarchy one,
//! each deciding over its whole policy set and over the request action's slice.

use cedar_policy::{PolicySet, Schema, ValidationMode, Validator};
use labelgate_peers::cedar_hier::{self, HierModel};
use labelgate_peers::cedar_model::{self, CedarModel};

use crate::harness::{random_requests, vectors};

/// An answer over the whole set, once it is checked to equal the answer over the slice.
fn both(answer: impl Fn(bool) -> Option<bool>, request: &str) -> Option<bool> {
    let whole = answer(false);
    assert_eq!(
        whole,
        answer(true),
        "slice and whole set differ on {request}"
    );
    whole
}
use crate::{PER_SNAPSHOT, SEED, SNAPSHOTS};

fn validates(what: &str, schema: Schema, policies: &PolicySet) {
    let r = Validator::new(schema).validate(policies, ValidationMode::Strict);
    for e in r.validation_errors() {
        eprintln!("{what}: {e}");
    }
    assert!(r.validation_passed(), "{what} validates against its schema");
}

#[test]
fn threshold_validates() {
    validates(
        "labelgate.cedar",
        cedar_model::schema(),
        &cedar_model::policy_set(),
    );
}

#[test]
fn hierarchy_validates() {
    validates(
        "hierarchy.cedar",
        cedar_hier::schema(),
        &cedar_hier::policy_set(),
    );
}

#[test]
fn threshold_vectors() {
    vectors("Cedar (threshold)", CedarModel::from_json, |m, r| {
        both(|sliced| m.allows_json(r, sliced), r)
    })
    .assert_agrees("the vector suite", 750);
}

#[test]
fn hierarchy_vectors() {
    vectors("Cedar (hierarchy)", HierModel::from_json, |m, r| {
        both(|sliced| m.allows_json(r, sliced), r)
    })
    .assert_agrees("the vector suite", 750);
}

#[test]
fn threshold_random() {
    random_requests(
        "Cedar (threshold)",
        SEED,
        SNAPSHOTS,
        PER_SNAPSHOT,
        CedarModel::new,
        |m, r| both(|sliced| m.allows_json(r, sliced), r),
    )
    .assert_agrees("random requests", 100_000);
}

#[test]
fn hierarchy_random() {
    random_requests(
        "Cedar (hierarchy)",
        SEED,
        SNAPSHOTS,
        PER_SNAPSHOT,
        HierModel::new,
        |m, r| both(|sliced| m.allows_json(r, sliced), r),
    )
    .assert_agrees("random requests", 100_000);
}
