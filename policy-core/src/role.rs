//! Roles, membership statuses, editions and analytics scopes.

use core::fmt;

use serde::Serialize;

use crate::reader::{Reader, Res};

/// An organization role, ordered from least to most powerful.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Labels tasks.
    Annotator,
    /// Reviews annotated tasks.
    Reviewer,
    /// Administers the workspaces and projects they are a member of.
    Manager,
    /// Full permissions at most levels, no billing.
    Administrator,
    /// The one account that owns the organization.
    Owner,
}

impl Role {
    /// Every role, from least to most powerful.
    pub const ALL: [Role; 5] = [
        Role::Annotator,
        Role::Reviewer,
        Role::Manager,
        Role::Administrator,
        Role::Owner,
    ];

    /// The role's name in the JSON contract.
    pub const fn name(self) -> &'static str {
        match self {
            Role::Annotator => "annotator",
            Role::Reviewer => "reviewer",
            Role::Manager => "manager",
            Role::Administrator => "administrator",
            Role::Owner => "owner",
        }
    }

    /// The role named `name` in the JSON contract.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Position in [`Role::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Whether the edition lets a member hold this role.
    pub const fn held_in(self, edition: Edition) -> bool {
        match edition {
            Edition::Enterprise => true,
            Edition::Teams => matches!(self, Role::Owner | Role::Manager),
        }
    }
}

impl Role {
    pub(crate) fn read(r: &mut Reader<'_>) -> Res<Role> {
        r.one_of(&Role::ALL, Role::name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A membership's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// May act within the role.
    Active,
    /// Signed up, not yet given a role (the documents' *Pending*).
    NotActivated,
    /// Frees a seat; no access.
    Deactivated,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 3] = [Status::Active, Status::NotActivated, Status::Deactivated];

    /// The status's name in the JSON contract.
    pub const fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::NotActivated => "not_activated",
            Status::Deactivated => "deactivated",
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Res<Status> {
        r.one_of(&Status::ALL, Status::name)
    }
}

/// The product edition a snapshot describes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Edition {
    /// All five roles.
    #[default]
    Enterprise,
    /// Only `owner` and `manager` may be held.
    Teams,
}

impl Edition {
    /// The edition's name in the JSON contract.
    pub const fn name(self) -> &'static str {
        match self {
            Edition::Enterprise => "enterprise",
            Edition::Teams => "teams",
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Res<Edition> {
        r.one_of(&[Edition::Enterprise, Edition::Teams], Edition::name)
    }
}

/// How far an `analytics.view` request looks, narrowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The requesting user's own work.
    Own,
    /// One project.
    Project,
    /// One workspace.
    Workspace,
    /// The whole organization.
    Organization,
}

impl Scope {
    /// Every scope, narrowest first.
    pub const ALL: [Scope; 4] = [
        Scope::Own,
        Scope::Project,
        Scope::Workspace,
        Scope::Organization,
    ];

    /// The scope's name in the JSON contract.
    pub const fn name(self) -> &'static str {
        match self {
            Scope::Own => "own",
            Scope::Project => "project",
            Scope::Workspace => "workspace",
            Scope::Organization => "organization",
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Res<Scope> {
        r.one_of(&Scope::ALL, Scope::name)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
