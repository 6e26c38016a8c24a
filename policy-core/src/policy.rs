//! [`Policy`]: a role matrix and a snapshot, and the ways to build one. What it answers is
//! elsewhere: decisions in [`crate::decide`], reach in [`crate::reach`], slices in
//! [`crate::slice`], the JSON twins in [`crate::json`].

use crate::error::LoadError;
use crate::facts::Facts;
use crate::matrix::{Matrix, PolicyId};
use crate::snapshot::Snapshot;

/// A role matrix and a snapshot: everything a decision needs.
#[derive(Debug)]
pub struct Policy {
    matrix: Matrix,
    snapshot: Snapshot,
}

impl Policy {
    /// A policy from a matrix and a snapshot.
    pub fn new(matrix: Matrix, snapshot: Snapshot) -> Policy {
        Policy { matrix, snapshot }
    }

    /// `matrix` over the snapshot of `facts` (validated as [`Snapshot::from_facts`] does).
    /// A host that builds many policies parses its matrix once and passes a clone of it.
    pub fn from_facts(matrix: Matrix, facts: Facts) -> Result<Policy, LoadError> {
        Ok(Policy::new(matrix, Snapshot::from_facts(facts)?))
    }

    /// SPEC's matrix over the snapshot `text`.
    pub fn from_snapshot_json(text: &str) -> Result<Policy, LoadError> {
        Ok(Policy::new(
            Matrix::default_matrix()?,
            Snapshot::from_json(text)?,
        ))
    }

    /// The matrix in force.
    pub fn matrix(&self) -> &Matrix {
        &self.matrix
    }

    /// The snapshot in force.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// The content hash of the matrix in force.
    pub fn id(&self) -> PolicyId {
        self.matrix.id()
    }
}

#[cfg(test)]
mod tests {
    use super::Policy;
    use crate::facts::Facts;
    use crate::matrix::Matrix;
    use crate::request::{Principal, Request, Resource};

    #[test]
    fn from_facts_decides_as_from_snapshot_json() {
        let text = crate::DEMO_SNAPSHOT_JSON;
        let whole = Policy::from_snapshot_json(text).unwrap();
        let matrix = Matrix::default_matrix().unwrap();
        let built = Policy::from_facts(matrix.clone(), Facts::from_json(text).unwrap()).unwrap();
        assert_eq!(built.id(), matrix.id());
        for &action in crate::action::Action::ALL {
            let req = Request {
                principal: Principal::user(14),
                org: 1,
                action,
                resource: Resource::project(1000),
            };
            assert_eq!(built.decide(&req).to_json(), whole.decide(&req).to_json());
        }
    }
}
