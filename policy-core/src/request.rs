//! Requests: who asks (principal), where (organization), what (action), on what (resource).

use alloc::string::String;
use alloc::vec::Vec;

use serde::Deserialize;

use crate::action::Action;
use crate::role::{Role, Scope, Status};

/// Who asks: a user id (absent for an anonymous signup) and the SSO/SCIM groups of the
/// identity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Principal {
    /// The user id, if the request is authenticated.
    #[serde(default)]
    pub user: Option<u64>,
    /// The identity's groups, matched against the organization's group mappings.
    #[serde(default)]
    pub groups: Vec<String>,
}

impl Principal {
    /// A user with no groups.
    pub fn user(user: u64) -> Principal {
        Principal {
            user: Some(user),
            groups: Vec::new(),
        }
    }
}

/// What `org.change_role` sets a member to: a role, or one of the two inactive statuses
/// (Label Studio's `NO` and `DI` role codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleChange {
    /// `annotator`
    Annotator,
    /// `reviewer`
    Reviewer,
    /// `manager`
    Manager,
    /// `administrator`
    Administrator,
    /// `owner`
    Owner,
    /// `not_activated`
    NotActivated,
    /// `deactivated`
    Deactivated,
}

impl RoleChange {
    /// The role it grants, if it grants one.
    pub fn role(self) -> Option<Role> {
        match self {
            RoleChange::Annotator => Some(Role::Annotator),
            RoleChange::Reviewer => Some(Role::Reviewer),
            RoleChange::Manager => Some(Role::Manager),
            RoleChange::Administrator => Some(Role::Administrator),
            RoleChange::Owner => Some(Role::Owner),
            RoleChange::NotActivated | RoleChange::Deactivated => None,
        }
    }

    /// The status it sets, if it sets one.
    pub fn status(self) -> Option<Status> {
        match self {
            RoleChange::NotActivated => Some(Status::NotActivated),
            RoleChange::Deactivated => Some(Status::Deactivated),
            _ => None,
        }
    }
}

/// What `project.duplicate` copies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyMode {
    /// The settings only (the default).
    #[default]
    Settings,
    /// Settings and tasks.
    SettingsData,
    /// Settings, tasks and annotations: also needs `project.export` on the source.
    All,
}

/// The resource of a request. `{}` is the organization itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// A workspace (workspace actions).
    #[serde(default)]
    pub workspace: Option<u64>,
    /// A project (project actions).
    #[serde(default)]
    pub project: Option<u64>,
    /// Whose data: the user whose annotation, performance row or task it is.
    #[serde(default)]
    pub subject: Option<u64>,
    /// The member a role change or removal is about.
    #[serde(default)]
    pub member: Option<u64>,
    /// The role (or status) a role change sets.
    #[serde(default)]
    pub role: Option<RoleChange>,
    /// The workspace a duplicate goes to (default: the source's workspace).
    #[serde(default)]
    pub target_workspace: Option<u64>,
    /// What a duplicate copies (default: `settings`).
    #[serde(default)]
    pub copy: Option<CopyMode>,
    /// The scope of `analytics.view` (default: the resource's own level).
    #[serde(default)]
    pub scope: Option<Scope>,
    /// The invite token of `org.signup`.
    #[serde(default)]
    pub invite_token: Option<String>,
}

impl Resource {
    /// The organization itself.
    pub fn org() -> Resource {
        Resource::default()
    }

    /// One workspace.
    pub fn workspace(id: u64) -> Resource {
        Resource {
            workspace: Some(id),
            ..Resource::default()
        }
    }

    /// One project.
    pub fn project(id: u64) -> Resource {
        Resource {
            project: Some(id),
            ..Resource::default()
        }
    }
}

/// A request for a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Who asks.
    pub principal: Principal,
    /// The organization the request acts in.
    pub org: u64,
    /// What they ask to do.
    pub action: Action,
    /// On what.
    pub resource: Resource,
}

/// The JSON form of a request, before the action name is looked up.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequestJson {
    pub(crate) principal: Principal,
    pub(crate) org: u64,
    pub(crate) action: String,
    #[serde(default)]
    pub(crate) resource: Resource,
}

/// The JSON form of an `allowed_actions` query.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QueryJson {
    pub(crate) principal: Principal,
    pub(crate) org: u64,
    #[serde(default)]
    pub(crate) resource: Resource,
}

/// The JSON form of an `allowed_actions` query over many resources.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ManyQueryJson {
    pub(crate) principal: Principal,
    pub(crate) org: u64,
    pub(crate) resources: Vec<Resource>,
}

/// The JSON form of a `visible_projects` / `visible_workspaces` query.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReachQueryJson {
    pub(crate) principal: Principal,
    pub(crate) org: u64,
}
