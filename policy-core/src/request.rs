//! Requests: who asks (principal), where (organization), what (action), on what (resource).

use alloc::string::String;
use alloc::vec::Vec;

use crate::action::Action;
use crate::error::LoadError;
use crate::reader::{self, Reader, Res};
use crate::role::{Role, Scope, Status};

/// Who asks: a user id (absent for an anonymous signup) and the SSO/SCIM groups of the
/// identity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Principal {
    /// The user id, if the request is authenticated.
    pub user: Option<u64>,
    /// The identity's groups, matched against the organization's group mappings.
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    /// Every role change.
    pub const ALL: [RoleChange; 7] = [
        RoleChange::Annotator,
        RoleChange::Reviewer,
        RoleChange::Manager,
        RoleChange::Administrator,
        RoleChange::Owner,
        RoleChange::NotActivated,
        RoleChange::Deactivated,
    ];

    /// Its name in the JSON contract.
    pub const fn name(self) -> &'static str {
        match self {
            RoleChange::Annotator => "annotator",
            RoleChange::Reviewer => "reviewer",
            RoleChange::Manager => "manager",
            RoleChange::Administrator => "administrator",
            RoleChange::Owner => "owner",
            RoleChange::NotActivated => "not_activated",
            RoleChange::Deactivated => "deactivated",
        }
    }

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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CopyMode {
    /// The settings only (the default).
    #[default]
    Settings,
    /// Settings and tasks.
    SettingsData,
    /// Settings, tasks and annotations: also needs `project.export` on the source.
    All,
}

impl CopyMode {
    /// Every copy mode.
    pub const ALL: [CopyMode; 3] = [CopyMode::Settings, CopyMode::SettingsData, CopyMode::All];

    /// Its name in the JSON contract.
    pub const fn name(self) -> &'static str {
        match self {
            CopyMode::Settings => "settings",
            CopyMode::SettingsData => "settings_data",
            CopyMode::All => "all",
        }
    }
}

/// The resource of a request. `{}` is the organization itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resource {
    /// A workspace (workspace actions).
    pub workspace: Option<u64>,
    /// A project (project actions).
    pub project: Option<u64>,
    /// Whose data: the user whose annotation, performance row or task it is.
    pub subject: Option<u64>,
    /// The member a role change or removal is about.
    pub member: Option<u64>,
    /// The role (or status) a role change sets.
    pub role: Option<RoleChange>,
    /// The workspace a duplicate goes to (default: the source's workspace).
    pub target_workspace: Option<u64>,
    /// What a duplicate copies (default: `settings`).
    pub copy: Option<CopyMode>,
    /// The scope of `analytics.view` (default: the resource's own level).
    pub scope: Option<Scope>,
    /// The invite token of `org.signup`.
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
pub(crate) struct RequestJson<'a> {
    pub(crate) principal: Principal,
    pub(crate) org: u64,
    pub(crate) action: alloc::borrow::Cow<'a, str>,
    pub(crate) resource: Resource,
}

/// A query of the API's other calls: a principal, an organization, and (for
/// `allowed_actions`) one resource or many. `resources` is `None` for one.
pub(crate) struct QueryJson {
    pub(crate) principal: Principal,
    pub(crate) org: u64,
    pub(crate) resources: Option<Vec<Resource>>,
    pub(crate) resource: Resource,
}

/// Which fields a query has.
#[derive(Clone, Copy)]
pub(crate) enum QueryForm {
    /// `{"principal", "org", "resource"?}`
    One,
    /// `{"principal", "org", "resources"}`
    Many,
    /// `{"principal", "org"}`
    Reach,
}

impl Principal {
    /// Reads a principal of SPEC §4 (`{"user": 14, "groups": [...]}`).
    pub fn from_json(text: &str) -> Result<Principal, LoadError> {
        reader::parse(text, Principal::read).map_err(|detail| LoadError::Json {
            what: "principal",
            detail,
        })
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Res<Principal> {
        let mut p = Principal::default();
        r.object(&["user", "groups"], 0, &mut |r, i| {
            match i {
                0 => p.user = r.option(Reader::id)?,
                _ => p.groups = r.array(Reader::string)?,
            }
            Ok(())
        })?;
        Ok(p)
    }
}

impl Resource {
    /// Reads a resource of SPEC §4 (`{"project": 1000}`, `{}` for the organization).
    pub fn from_json(text: &str) -> Result<Resource, LoadError> {
        reader::parse(text, Resource::read).map_err(|detail| LoadError::Json {
            what: "resource",
            detail,
        })
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Res<Resource> {
        const FIELDS: &[&str] = &[
            "workspace",
            "project",
            "subject",
            "member",
            "role",
            "target_workspace",
            "copy",
            "scope",
            "invite_token",
        ];
        let mut x = Resource::default();
        r.object(FIELDS, 0, &mut |r, i| {
            match i {
                0 => x.workspace = r.option(Reader::id)?,
                1 => x.project = r.option(Reader::id)?,
                2 => x.subject = r.option(Reader::id)?,
                3 => x.member = r.option(Reader::id)?,
                4 => x.role = r.option(|r| r.one_of(&RoleChange::ALL, RoleChange::name))?,
                5 => x.target_workspace = r.option(Reader::id)?,
                6 => x.copy = r.option(|r| r.one_of(&CopyMode::ALL, CopyMode::name))?,
                7 => x.scope = r.option(Scope::read)?,
                _ => x.invite_token = r.option(Reader::string)?,
            }
            Ok(())
        })?;
        Ok(x)
    }
}

impl<'a> RequestJson<'a> {
    pub(crate) fn read(r: &mut Reader<'a>) -> Res<RequestJson<'a>> {
        let mut q = RequestJson {
            principal: Principal::default(),
            org: 0,
            action: alloc::borrow::Cow::Borrowed(""),
            resource: Resource::default(),
        };
        r.object(
            &["principal", "org", "action", "resource"],
            0b0111,
            &mut |r, i| {
                match i {
                    0 => q.principal = Principal::read(r)?,
                    1 => q.org = r.id()?,
                    2 => q.action = r.text()?,
                    _ => q.resource = Resource::read(r)?,
                }
                Ok(())
            },
        )?;
        Ok(q)
    }
}

impl QueryJson {
    pub(crate) fn read(r: &mut Reader<'_>, form: QueryForm) -> Res<QueryJson> {
        let (fields, required): (&[&str], u64) = match form {
            QueryForm::One => (&["principal", "org", "resource"], 0b011),
            QueryForm::Many => (&["principal", "org", "resources"], 0b111),
            QueryForm::Reach => (&["principal", "org"], 0b11),
        };
        let mut q = QueryJson {
            principal: Principal::default(),
            org: 0,
            resources: None,
            resource: Resource::default(),
        };
        r.object(fields, required, &mut |r, i| {
            match (i, form) {
                (0, _) => q.principal = Principal::read(r)?,
                (1, _) => q.org = r.id()?,
                (_, QueryForm::Many) => q.resources = Some(r.array(Resource::read)?),
                _ => q.resource = Resource::read(r)?,
            }
            Ok(())
        })?;
        Ok(q)
    }
}
