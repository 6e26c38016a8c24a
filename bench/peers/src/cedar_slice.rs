//! A host-side index of a Cedar policy set by action: each action's slice holds the
//! policies whose action scope can match it. Over its slice a request gets the decision of
//! the whole set, since a policy whose scope excludes the action is never satisfied.

use std::collections::HashMap;

use cedar_policy::{ActionConstraint, EntityUid, PolicySet, Request, Schema};

/// A policy set and its slices.
pub struct Policies {
    pub whole: PolicySet,
    slices: HashMap<EntityUid, PolicySet>,
    none: PolicySet,
}

impl Policies {
    /// Slices `whole` for every action of `schema` (action groups resolved through it).
    pub fn new(whole: PolicySet, schema: &Schema) -> Policies {
        let groups = schema.action_entities().expect("the schema's actions");
        let mut slices = HashMap::new();
        for a in schema.actions() {
            let mut slice = PolicySet::new();
            for p in whole.policies() {
                let applies = match p.action_constraint() {
                    ActionConstraint::Any => true,
                    ActionConstraint::Eq(e) => e == *a,
                    // `in` is reflexive: `action in [A, B]` matches A itself.
                    ActionConstraint::In(gs) => {
                        gs.iter().any(|g| g == a || groups.is_ancestor_of(g, a))
                    }
                };
                if applies {
                    slice.add(p.clone()).expect("distinct policy ids");
                }
            }
            slices.insert(a.clone(), slice);
        }
        Policies {
            whole,
            slices,
            none: PolicySet::new(),
        }
    }

    /// The policies that decide `r`: the whole set, or (`sliced`) its action's slice; an
    /// action the schema lacks has none.
    pub fn of(&self, r: &Request, sliced: bool) -> &PolicySet {
        match (sliced, r.action()) {
            (false, _) => &self.whole,
            (true, Some(a)) => self.slices.get(a).unwrap_or(&self.none),
            (true, None) => &self.none,
        }
    }

    /// How many policies the whole set and the largest slice hold.
    pub fn sizes(&self) -> (usize, usize) {
        let largest = self.slices.values().map(|s| s.policies().count()).max();
        (self.whole.policies().count(), largest.unwrap_or(0))
    }
}
