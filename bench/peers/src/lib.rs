//! LabelGate side by side with Cedar, Rego (regorus) and Casbin: the same snapshot and
//! requests turned into two Cedar encodings, Rego data and input, and a Casbin
//! RBAC-with-domains policy.

pub mod casbin_model;
pub mod cedar_hier;
pub mod cedar_model;
pub mod cedar_slice;
pub mod form;
pub mod rego_model;
pub use labelgate_gen::{large, random};

/// The repository root, relative to this crate.
pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Role names in rank order (SPEC §1).
pub const ROLES: [&str; 5] = ["annotator", "reviewer", "manager", "administrator", "owner"];

pub fn rank(role: &str) -> i64 {
    ROLES.iter().position(|r| *r == role).unwrap_or(0) as i64
}

/// LabelGate's answer to a request given as JSON text.
pub fn labelgate_allows(policy: &policy_core::Policy, request: &str) -> bool {
    policy.decide_request_json(request).allow
}
