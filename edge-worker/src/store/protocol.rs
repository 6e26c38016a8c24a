//! The protocol between the Worker and its Durable Objects: one type for each question, the
//! same on both sides. The Worker's client (`crate::source::client`) sends them as JSON; the
//! object (`crate::store::object`) reads them back with `deny_unknown_fields`, so a field one
//! side does not know is an error, never ignored.
//!
//! - [`Op`]: a write (`POST /write`, named by its one key: `{"set_role": {"member": 5,
//!   "role": "annotator"}}`), decided by the store and applied with its journal record,
//!   which names it by that key ([`Op::name`]);
//! - [`Read`]: a read (`POST /read`, named by its one key), answered as JSON;
//! - [`SliceAsk`], [`WriteAsk`], [`SignupAsk`]: the other questions (`/slice`, `/write`,
//!   `/signup`).

use serde::{Deserialize, Serialize};

/// One write (its fields are the ids and values it names).
#[allow(missing_docs)]
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// Assign a role, activate or deactivate (`org.change_role`).
    SetRole { member: u64, role: String },
    /// Remove a member (`org.remove_member`).
    RemoveMember { member: u64 },
    /// Create a workspace (`org.create_workspace`); its creator becomes a member.
    CreateWorkspace { title: String },
    /// Rename a workspace (`workspace.update`).
    RenameWorkspace { workspace: u64, title: String },
    /// Delete a workspace (`workspace.delete`).
    DeleteWorkspace { workspace: u64 },
    /// Add a workspace member (`workspace.manage_members`).
    AddWorkspaceMember { workspace: u64, user: u64 },
    /// Remove a workspace member (`workspace.manage_members`).
    RemoveWorkspaceMember { workspace: u64, user: u64 },
    /// Move a project (`project.update` on it, `workspace.create_project` on the target).
    MoveProject { project: u64, workspace: u64 },
    /// Add a project's direct member (`project.update`).
    AddProjectMember { project: u64, user: u64 },
    /// Remove a project's direct member (`project.update`).
    RemoveProjectMember { project: u64, user: u64 },
    /// Change a project's settings (`project.update`).
    SetProjectSettings {
        project: u64,
        annotators_can_view_own_data: bool,
    },
    /// Assign tasks (`project.assign_annotators` / `project.assign_reviewers`); `tasks`
    /// `None`: the project as a whole.
    Assign {
        project: u64,
        kind: String,
        users: Vec<u64>,
        tasks: Option<Vec<u64>>,
    },
    /// Remove assignments (as `assign`); `tasks` `None`: all of these users' in the project.
    Unassign {
        project: u64,
        kind: String,
        users: Vec<u64>,
        tasks: Option<Vec<u64>>,
    },
    /// Map an SSO/SCIM group to a role (`org.change_role`).
    SetGroupMapping {
        group: String,
        role: String,
        project: Option<u64>,
    },
    /// Remove a group mapping (`org.change_role`).
    RemoveGroupMapping { group: String, project: Option<u64> },
    /// `disable_signup_without_link` (`org.change_role`).
    SetSettings { disable_signup_without_link: bool },
    /// The invite token Label Studio answered (`org.invite`).
    SetInviteToken { token: String },
    /// Label Studio created this project for the principal (decided at the gate).
    ProjectCreated {
        project: u64,
        workspace: Option<u64>,
        title: Option<String>,
    },
    /// Label Studio deleted this project (decided at the gate).
    ProjectDeleted { project: u64 },
    /// Label Studio signed this user up (decided at the gate): a pending member.
    SignedUp {
        user: u64,
        email: Option<String>,
        name: Option<String>,
    },
}

impl Op {
    /// The write's name (its one key): what the journal records it as.
    pub fn name(&self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(m)) => m.keys().next().cloned().unwrap_or_default(),
            _ => String::new(),
        }
    }
}

/// One read of an organization's store, named by its one key (`{"roles": {"users": [..]}}`,
/// `"group_mappings"`): serde's plainest form, read without buffering.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Read {
    /// The members, a page (Label Studio's defaults: page 1 of 30).
    Members {
        /// The page, from 1.
        page: Option<u64>,
        /// Its size, 1 to 1000.
        page_size: Option<u64>,
    },
    /// One member (`null` if the user is none).
    Member {
        /// The user.
        user: u64,
    },
    /// These users' memberships.
    Roles {
        /// The users.
        users: Vec<u64>,
    },
    /// The tasks assigned to `user` to annotate in `project`.
    AssignedTasks {
        /// The project.
        project: u64,
        /// The user.
        user: u64,
    },
    /// A workspace's members.
    WorkspaceMembers {
        /// The workspace.
        workspace: u64,
    },
    /// A project's direct members.
    ProjectMembers {
        /// The project.
        project: u64,
    },
    /// The journal, newest first, a page.
    Journal {
        /// The page, from 1.
        page: Option<u64>,
        /// Its size, 1 to 1000.
        page_size: Option<u64>,
    },
    /// Users' names and emails (for the activity log), and whether they are members.
    Users {
        /// The users.
        ids: Vec<u64>,
    },
    /// The SSO/SCIM group mappings.
    GroupMappings,
}

/// `POST /slice`: the member's slice of the organization, unless it is unchanged since
/// `since`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SliceAsk {
    /// The member.
    pub user: Option<u64>,
    /// Their groups (SSO/SCIM).
    #[serde(default)]
    pub groups: Vec<String>,
    /// Whether the user exists at all.
    #[serde(default)]
    pub known: bool,
    /// The revision the Worker holds the slice at.
    pub since: Option<u64>,
    /// The member a request names (`policy_core::member_touched`).
    pub member: Option<u64>,
    /// Workspaces and projects too (else the organization's slice).
    #[serde(default = "yes")]
    pub objects: bool,
}

fn yes() -> bool {
    true
}

/// `POST /write`: a write by `actor`, decided by the store, then applied unless `dry`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WriteAsk {
    /// The principal who writes, as SPEC §4 writes one (read by the core).
    pub actor: serde_json::Value,
    /// Whether the actor exists at all.
    #[serde(default)]
    pub known: bool,
    /// The write.
    pub op: Op,
    /// The test bundle's fault hook; without the feature `test-endpoints`, always `None`.
    #[cfg_attr(not(feature = "test-endpoints"), serde(skip))]
    pub fault: Option<usize>,
    /// Decided only, not applied.
    #[serde(default)]
    pub dry: bool,
}

/// `POST /signup`: the decision of `org.signup` with the invite `token`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SignupAsk {
    /// The invite token, if any.
    pub token: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_is_named_by_its_tag() {
        let op = Op::SetRole {
            member: 5,
            role: String::from("annotator"),
        };
        assert_eq!(op.name(), "set_role");
        assert_eq!(
            serde_json::to_value(&op).unwrap(),
            serde_json::json!({"set_role": {"member": 5, "role": "annotator"}})
        );
        let back: Op = serde_json::from_value(serde_json::to_value(&op).unwrap()).unwrap();
        assert_eq!(back, op);
        assert_eq!(Op::ProjectDeleted { project: 1 }.name(), "project_deleted");
    }

    #[test]
    fn a_read_round_trips_and_refuses_unknown_fields() {
        let read = Read::Roles { users: vec![1, 2] };
        let v = serde_json::to_value(&read).unwrap();
        assert_eq!(v, serde_json::json!({"roles": {"users": [1, 2]}}));
        assert_eq!(serde_json::from_value::<Read>(v).unwrap(), read);
        let extra = serde_json::json!({"roles": {"users": [], "x": 1}});
        assert!(serde_json::from_value::<Read>(extra).is_err());
        assert!(serde_json::from_value::<Read>(serde_json::json!("nothing")).is_err());
        assert_eq!(
            serde_json::to_value(Read::GroupMappings).unwrap(),
            serde_json::json!("group_mappings")
        );
    }
}
