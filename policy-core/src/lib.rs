//! LabelGate's policy core: the access model of Label Studio Enterprise (SPEC.md §1-3) as
//! plain data and one decision procedure, with no I/O and no std, so that the native
//! library, the wasm module, the browser package and the Worker decide identically.
//!
//! ```
//! use policy_core::{Action, Policy, Principal, Request, Resource};
//!
//! let policy = Policy::from_snapshot_json(policy_core::DEMO_SNAPSHOT_JSON)?;
//! let request = Request {
//!     principal: Principal::user(14),
//!     org: 1,
//!     action: Action::ProjectExport,
//!     resource: Resource::project(1000),
//! };
//! let decision = policy.decide(&request);
//! assert!(!decision.allow);
//! assert_eq!(decision.reason.name(), "role_lacks_permission");
//! assert_eq!(decision.message(), "annotator may never `project.export`");
//! # Ok::<(), policy_core::LoadError>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

mod action;
mod decide;
mod decision;
mod error;
mod facts;
mod json;
mod matrix;
mod policy;
mod reach;
mod reader;
mod request;
mod resolve;
mod role;
mod slice;
mod snapshot;
mod writer;

pub use action::{Action, Kind};
pub use decision::{Decision, Reason};
pub use error::LoadError;
pub use facts::{
    AssignmentFacts, AssignmentKind, Facts, GroupMapping, MemberFacts, OrgFacts, OrgSettings,
    ProjectFacts, ProjectSettings, UserFacts, WorkspaceFacts,
};
pub use json::mask;
pub use matrix::{DEFAULT_MATRIX_JSON, Grant, Matrix, PolicyId};
pub use policy::Policy;
pub use request::{CopyMode, Principal, Request, Resource, RoleChange};
pub use role::{Edition, Role, Scope, Status};
pub use slice::member_touched;
pub use snapshot::{Membership, Organization, Project, Snapshot, User, Workspace};

/// The embedded demo organization: one user per role, a pending and a deactivated member,
/// workspaces, a sandbox and projects. The demo page, the Worker and the tests use it.
pub const DEMO_SNAPSHOT_JSON: &str = include_str!("demo_snapshot.json");

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
