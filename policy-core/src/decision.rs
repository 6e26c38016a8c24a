//! Decisions: values, never errors. The message is formatted only when asked for, so a
//! check allocates nothing unless the request itself was malformed.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt::{self, Write};

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::action::Action;
use crate::matrix::PolicyId;
use crate::role::{Role, Scope};
use crate::writer::push_string;

/// Why a decision came out as it did. The names are part of the public contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// `allowed`
    Allowed,
    /// `unknown_principal`: no user, or a user the snapshot does not know.
    UnknownPrincipal,
    /// `not_member`: a known user with no membership in this organization.
    NotMember,
    /// `not_activated`: signed up, not yet given a role.
    NotActivated,
    /// `deactivated`
    Deactivated,
    /// `role_lacks_permission`: the role may never do this (here).
    RoleLacksPermission,
    /// `out_of_scope`: the role may, but not on this resource.
    OutOfScope,
    /// `sandbox_private`: another user's sandbox, or a sandbox rule.
    SandboxPrivate,
    /// `workspace_not_empty`
    WorkspaceNotEmpty,
    /// `owner_protected`
    OwnerProtected,
    /// `setting_disabled`: a project or organization setting forbids it.
    SettingDisabled,
    /// `edition_restricted`
    EditionRestricted,
    /// `unknown_resource`: an organization, workspace, project or member that does not exist
    /// (in this organization).
    UnknownResource,
    /// `unknown_action`
    UnknownAction,
    /// `invalid_request`
    InvalidRequest,
    /// `policy_error`: never produced by the core; a host reports its engine's failure with
    /// it (a trapped or exhausted policy module), always as a deny.
    PolicyError,
}

impl Reason {
    /// Every reason.
    pub const ALL: [Reason; 16] = [
        Reason::Allowed,
        Reason::UnknownPrincipal,
        Reason::NotMember,
        Reason::NotActivated,
        Reason::Deactivated,
        Reason::RoleLacksPermission,
        Reason::OutOfScope,
        Reason::SandboxPrivate,
        Reason::WorkspaceNotEmpty,
        Reason::OwnerProtected,
        Reason::SettingDisabled,
        Reason::EditionRestricted,
        Reason::UnknownResource,
        Reason::UnknownAction,
        Reason::InvalidRequest,
        Reason::PolicyError,
    ];

    /// The reason's name in the JSON contract.
    pub const fn name(self) -> &'static str {
        match self {
            Reason::Allowed => "allowed",
            Reason::UnknownPrincipal => "unknown_principal",
            Reason::NotMember => "not_member",
            Reason::NotActivated => "not_activated",
            Reason::Deactivated => "deactivated",
            Reason::RoleLacksPermission => "role_lacks_permission",
            Reason::OutOfScope => "out_of_scope",
            Reason::SandboxPrivate => "sandbox_private",
            Reason::WorkspaceNotEmpty => "workspace_not_empty",
            Reason::OwnerProtected => "owner_protected",
            Reason::SettingDisabled => "setting_disabled",
            Reason::EditionRestricted => "edition_restricted",
            Reason::UnknownResource => "unknown_resource",
            Reason::UnknownAction => "unknown_action",
            Reason::InvalidRequest => "invalid_request",
            Reason::PolicyError => "policy_error",
        }
    }

    /// The reason named `name`.
    pub fn from_name(name: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.name() == name)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A thing a request named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Thing {
    Organization(u64),
    Workspace(u64),
    Project(u64),
    Member(u64),
}

impl fmt::Display for Thing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Thing::Organization(id) => write!(f, "organization `{id}`"),
            Thing::Workspace(id) => write!(f, "workspace `{id}`"),
            Thing::Project(id) => write!(f, "project `{id}`"),
            Thing::Member(id) => write!(f, "member `{id}`"),
        }
    }
}

/// How a request's resource misfits its action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    BothLevels,
    KindMisfit(Action),
    ScopeMisfit(Scope),
    RoleWithoutMember,
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::BothLevels => {
                f.write_str("a resource names a `workspace` or a `project`, not both")
            }
            Shape::KindMisfit(action) => {
                let needs = match action.kind() {
                    crate::action::Kind::Organization => "the organization (`{}`)",
                    crate::action::Kind::Workspace => "a `workspace`",
                    _ => "a `project`",
                };
                write!(f, "`{action}` applies to {needs}")
            }
            Shape::ScopeMisfit(scope) => {
                write!(f, "analytics scope `{scope}` does not fit this resource")
            }
            Shape::RoleWithoutMember => f.write_str("a `role` to set needs the `member` it is for"),
        }
    }
}

/// The owner-protection rule a request ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OwnerRule {
    GrantOwner,
    OwnersMembership,
    AdministratorSelf,
    OwnerAccount,
}

/// The facts behind a decision, from which its message is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Detail {
    Allowed {
        action: Action,
        role: Role,
    },
    SignupAllowed {
        org: u64,
    },
    Invalid(Box<str>),
    Shape(Shape),
    UnknownAction(Box<str>),
    NoUser,
    UnknownUser(u64),
    NotMember {
        user: u64,
        org: u64,
    },
    NotActivated {
        user: u64,
        org: u64,
    },
    Deactivated {
        user: u64,
        org: u64,
    },
    Unknown {
        thing: Thing,
        org: u64,
    },
    RoleLacks {
        role: Role,
        action: Action,
    },
    NoAnalytics {
        role: Role,
    },
    ScopeTooWide {
        role: Role,
        asked: Scope,
        widest: Scope,
    },
    ForeignSandbox {
        workspace: u64,
    },
    SandboxFixed {
        workspace: u64,
        action: Action,
    },
    OutOfReach {
        role: Role,
        action: Action,
        thing: Thing,
    },
    NotOwn {
        role: Role,
        action: Action,
        subject: Option<u64>,
    },
    OwnDataOff {
        project: u64,
    },
    SignupClosed {
        org: u64,
    },
    NotEmpty {
        workspace: u64,
        projects: usize,
    },
    Owner(OwnerRule),
    Edition {
        role: Role,
    },
    Duplicate {
        needs: Action,
        inner: Box<Detail>,
    },
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Detail::Allowed { action, role } => write!(f, "{role} may `{action}` here"),
            Detail::SignupAllowed { org } => write!(
                f,
                "signup to organization `{org}` allowed; the new member starts as not_activated"
            ),
            Detail::Invalid(m) => f.write_str(m),
            Detail::Shape(s) => write!(f, "{s}"),
            Detail::UnknownAction(name) => write!(f, "`{name}` is not an action"),
            Detail::NoUser => f.write_str("the request names no user"),
            Detail::UnknownUser(u) => write!(f, "user `{u}` is not known"),
            Detail::NotMember { user, org } => {
                write!(f, "user `{user}` is not a member of organization `{org}`")
            }
            Detail::NotActivated { user, org } => write!(
                f,
                "user `{user}` has signed up to organization `{org}` but has not been given a role yet"
            ),
            Detail::Deactivated { user, org } => {
                write!(f, "user `{user}` is deactivated in organization `{org}`")
            }
            Detail::Unknown {
                thing: Thing::Member(m),
                org,
            } => {
                write!(f, "user `{m}` is not a member of organization `{org}`")
            }
            Detail::Unknown {
                thing: thing @ Thing::Organization(_),
                ..
            } => {
                write!(f, "{thing} is not in the snapshot")
            }
            Detail::Unknown { thing, org } => write!(f, "{thing} is not in organization `{org}`"),
            Detail::RoleLacks { role, action } => write!(f, "{role} may never `{action}`"),
            Detail::NoAnalytics { role } => write!(f, "{role} may not view analytics"),
            Detail::ScopeTooWide {
                role,
                asked,
                widest,
            } => write!(
                f,
                "{role} may view analytics of `{widest}` scope at most, not `{asked}`"
            ),
            Detail::ForeignSandbox { workspace } => {
                write!(
                    f,
                    "workspace `{workspace}` is another user's private sandbox"
                )
            }
            Detail::SandboxFixed { workspace, action } => {
                write!(
                    f,
                    "workspace `{workspace}` is a sandbox, which allows no `{action}`"
                )
            }
            Detail::OutOfReach {
                role: Role::Manager,
                action,
                thing,
            } => write!(
                f,
                "manager may `{action}` only in workspaces they are a member of and projects they were invited to or created, which {thing} is not"
            ),
            Detail::OutOfReach {
                role,
                action,
                thing,
            } => {
                write!(
                    f,
                    "{thing} is outside what this {role} reaches, so no `{action}`"
                )
            }
            Detail::NotOwn {
                role,
                action,
                subject: Some(s),
            } => write!(
                f,
                "{role} may `{action}` only on their own data, and the subject is user `{s}`"
            ),
            Detail::NotOwn {
                role,
                action,
                subject: None,
            } => write!(
                f,
                "{role} may `{action}` only on their own data, and the request names no subject"
            ),
            Detail::OwnDataOff { project } => write!(
                f,
                "project `{project}` does not let annotators view their own data (`annotators_can_view_own_data` is off)"
            ),
            Detail::SignupClosed { org } => write!(
                f,
                "organization `{org}` allows signup only with a valid invite link"
            ),
            Detail::NotEmpty {
                workspace,
                projects,
            } => {
                write!(
                    f,
                    "workspace `{workspace}` still holds {projects} project(s)"
                )
            }
            Detail::Owner(OwnerRule::GrantOwner) => f.write_str("nobody can grant the owner role"),
            Detail::Owner(OwnerRule::OwnersMembership) => {
                f.write_str("the owner's membership cannot be changed or removed")
            }
            Detail::Owner(OwnerRule::AdministratorSelf) => {
                f.write_str("an administrator cannot change their own role")
            }
            Detail::Owner(OwnerRule::OwnerAccount) => {
                f.write_str("only the owner can open the owner's account")
            }
            Detail::Edition { role } => write!(
                f,
                "the teams edition has only the owner and manager roles, so `{role}` cannot be assigned"
            ),
            Detail::Duplicate { needs, inner } => {
                write!(f, "duplicating needs `{needs}` too: {inner}")
            }
        }
    }
}

/// A decision: `allow`, the `reason`, a human `message` and the id of the policy in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may go ahead.
    pub allow: bool,
    /// Why.
    pub reason: Reason,
    /// The content hash of the role matrix that decided.
    pub policy: PolicyId,
    pub(crate) detail: Detail,
}

impl Decision {
    pub(crate) fn new(reason: Reason, detail: Detail, policy: PolicyId) -> Decision {
        Decision {
            allow: reason == Reason::Allowed,
            reason,
            policy,
            detail,
        }
    }

    /// The human account of the decision (lowercase, no final period).
    pub fn message(&self) -> String {
        use alloc::string::ToString;
        self.detail.to_string()
    }

    /// The decision as the JSON of SPEC §4, with the policy id.
    pub fn to_json(&self) -> String {
        let mut out = String::from(if self.allow {
            "{\"allow\":true,\"reason\":"
        } else {
            "{\"allow\":false,\"reason\":"
        });
        push_string(&mut out, self.reason.name());
        out.push_str(",\"message\":");
        push_string(&mut out, &self.message());
        out.push_str(",\"policy\":\"");
        // Writing into a String cannot fail.
        let _ = write!(out, "{}", self.policy);
        out.push_str("\"}");
        out
    }
}

impl Serialize for Decision {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Decision", 4)?;
        s.serialize_field("allow", &self.allow)?;
        s.serialize_field("reason", self.reason.name())?;
        s.serialize_field("message", &self.message())?;
        s.serialize_field("policy", &alloc::format!("{}", self.policy))?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::Reason;
    use crate::action::Action;

    /// `docs/MODULE.md` numbers actions and reasons by their position: it must not move.
    #[test]
    fn the_module_tables_are_stable() {
        assert_eq!(Action::ALL.len(), 35);
        assert_eq!(
            Action::ALL.iter().position(|a| *a == Action::ProjectExport),
            Some(23)
        );
        assert_eq!(Action::ALL.last(), Some(&Action::AnalyticsView));
        assert_eq!(
            Reason::ALL.iter().position(|r| *r == Reason::PolicyError),
            Some(15)
        );
        assert_eq!(Reason::ALL.first(), Some(&Reason::Allowed));
    }
}
