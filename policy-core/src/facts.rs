//! The facts in their exchange form (SPEC §4's snapshot): plain data, read from JSON with the
//! core's strict reader and written back in one canonical form. A [`crate::Snapshot`] is built
//! from them; a store fills them from its tables; a member's slice is one of them.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::LoadError;
use crate::reader::{self, Reader, Res};
use crate::role::{Edition, Role, Status};
use crate::writer::Writer;

/// A whole snapshot: the edition, the organizations and the users.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The edition.
    pub edition: Edition,
    /// The organizations.
    pub organizations: Vec<OrgFacts>,
    /// The users (optional; for sign-in by email and display names).
    pub users: Vec<UserFacts>,
}

/// A user of the optional `users` list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserFacts {
    /// Its id.
    pub id: u64,
    /// Its email.
    pub email: Option<String>,
    /// Its display name.
    pub name: Option<String>,
}

/// An organization and everything in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgFacts {
    /// Its id.
    pub id: u64,
    /// The one owner.
    pub owner: u64,
    /// Its display name.
    pub name: Option<String>,
    /// Its settings.
    pub settings: OrgSettings,
    /// Its valid invite tokens.
    pub invite_tokens: Vec<String>,
    /// Its members.
    pub members: Vec<MemberFacts>,
    /// Its group mappings.
    pub group_mappings: Vec<GroupMapping>,
    /// Its workspaces.
    pub workspaces: Vec<WorkspaceFacts>,
    /// Its projects.
    pub projects: Vec<ProjectFacts>,
}

/// An organization's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgSettings {
    /// `disable_signup_without_link`.
    pub disable_signup_without_link: bool,
}

/// A membership.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberFacts {
    /// The user.
    pub user: u64,
    /// The role; `None` only for a member who is not active.
    pub role: Option<Role>,
    /// The status.
    pub status: Status,
}

/// An SSO/SCIM group mapped to a role (of the organization, or of one project).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMapping {
    /// The group.
    pub group: String,
    /// The role it maps to.
    pub role: Role,
    /// The project, for a project role.
    pub project: Option<u64>,
}

/// A workspace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkspaceFacts {
    /// Its id.
    pub id: u64,
    /// Its display name.
    pub name: Option<String>,
    /// Its members.
    pub members: Vec<u64>,
    /// The user whose private sandbox this is.
    pub sandbox_of: Option<u64>,
}

/// A project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectFacts {
    /// Its id.
    pub id: u64,
    /// Its workspace.
    pub workspace: u64,
    /// Its creator.
    pub created_by: u64,
    /// Its display title.
    pub title: Option<String>,
    /// Its members.
    pub members: Vec<u64>,
    /// Its settings.
    pub settings: ProjectSettings,
    /// Its task assignments.
    pub assignments: Vec<AssignmentFacts>,
}

/// A project's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectSettings {
    /// `annotators_can_view_own_data`.
    pub annotators_can_view_own_data: bool,
}

/// A task assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignmentFacts {
    /// The user.
    pub user: u64,
    /// What for.
    pub kind: AssignmentKind,
}

/// What a task is assigned for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AssignmentKind {
    /// `annotate`
    Annotate,
    /// `review`
    Review,
}

impl AssignmentKind {
    /// The contract's name.
    pub fn name(self) -> &'static str {
        match self {
            AssignmentKind::Annotate => "annotate",
            AssignmentKind::Review => "review",
        }
    }
}

// Each form is read field by field: the field names in order, a mask of the required
// ones, and a match on the field's index.

impl Facts {
    pub(crate) fn read(r: &mut Reader<'_>) -> Res<Facts> {
        let mut s = Facts {
            edition: Edition::default(),
            organizations: Vec::new(),
            users: Vec::new(),
        };
        r.object(
            &["edition", "organizations", "users"],
            0b010,
            &mut |r, i| {
                match i {
                    0 => s.edition = Edition::read(r)?,
                    1 => s.organizations = r.array(OrgFacts::read)?,
                    _ => s.users = r.array(UserFacts::read)?,
                }
                Ok(())
            },
        )?;
        Ok(s)
    }
}

impl UserFacts {
    pub(crate) fn read(r: &mut Reader<'_>) -> Res<UserFacts> {
        let mut u = UserFacts {
            id: 0,
            email: None,
            name: None,
        };
        r.object(&["id", "email", "name"], 0b001, &mut |r, i| {
            match i {
                0 => u.id = r.id()?,
                1 => u.email = r.option(Reader::string)?,
                _ => u.name = r.option(Reader::string)?,
            }
            Ok(())
        })?;
        Ok(u)
    }
}

impl OrgFacts {
    pub(crate) fn read(r: &mut Reader<'_>) -> Res<OrgFacts> {
        const FIELDS: &[&str] = &[
            "id",
            "owner",
            "name",
            "settings",
            "invite_tokens",
            "members",
            "group_mappings",
            "workspaces",
            "projects",
        ];
        let mut o = OrgFacts {
            id: 0,
            owner: 0,
            name: None,
            settings: OrgSettings::default(),
            invite_tokens: Vec::new(),
            members: Vec::new(),
            group_mappings: Vec::new(),
            workspaces: Vec::new(),
            projects: Vec::new(),
        };
        r.object(FIELDS, 0b11, &mut |r, i| {
            match i {
                0 => o.id = r.id()?,
                1 => o.owner = r.id()?,
                2 => o.name = r.option(Reader::string)?,
                3 => {
                    r.object(&["disable_signup_without_link"], 0, &mut |r, _| {
                        o.settings.disable_signup_without_link = r.boolean()?;
                        Ok(())
                    })?;
                }
                4 => o.invite_tokens = r.array(Reader::string)?,
                5 => o.members = r.array(MemberFacts::read)?,
                6 => o.group_mappings = r.array(GroupMapping::read)?,
                7 => o.workspaces = r.array(WorkspaceFacts::read)?,
                _ => o.projects = r.array(ProjectFacts::read)?,
            }
            Ok(())
        })?;
        Ok(o)
    }
}

impl MemberFacts {
    pub(crate) fn read(r: &mut Reader<'_>) -> Res<MemberFacts> {
        let mut m = MemberFacts {
            user: 0,
            role: None,
            status: Status::Active,
        };
        r.object(&["user", "role", "status"], 0b101, &mut |r, i| {
            match i {
                0 => m.user = r.id()?,
                1 => m.role = r.option(Role::read)?,
                _ => m.status = Status::read(r)?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

impl GroupMapping {
    pub(crate) fn read(r: &mut Reader<'_>) -> Res<GroupMapping> {
        let mut g = GroupMapping {
            group: String::new(),
            role: Role::Annotator,
            project: None,
        };
        r.object(&["group", "role", "project"], 0b011, &mut |r, i| {
            match i {
                0 => g.group = r.string()?,
                1 => g.role = Role::read(r)?,
                _ => g.project = r.option(Reader::id)?,
            }
            Ok(())
        })?;
        Ok(g)
    }
}

impl WorkspaceFacts {
    pub(crate) fn read(r: &mut Reader<'_>) -> Res<WorkspaceFacts> {
        let mut w = WorkspaceFacts {
            id: 0,
            name: None,
            members: Vec::new(),
            sandbox_of: None,
        };
        r.object(
            &["id", "name", "members", "sandbox_of"],
            0b0001,
            &mut |r, i| {
                match i {
                    0 => w.id = r.id()?,
                    1 => w.name = r.option(Reader::string)?,
                    2 => w.members = r.array(Reader::id)?,
                    _ => w.sandbox_of = r.option(Reader::id)?,
                }
                Ok(())
            },
        )?;
        Ok(w)
    }
}

impl ProjectFacts {
    pub(crate) fn read(r: &mut Reader<'_>) -> Res<ProjectFacts> {
        const FIELDS: &[&str] = &[
            "id",
            "workspace",
            "created_by",
            "title",
            "members",
            "settings",
            "assignments",
        ];
        let mut p = ProjectFacts {
            id: 0,
            workspace: 0,
            created_by: 0,
            title: None,
            members: Vec::new(),
            settings: ProjectSettings::default(),
            assignments: Vec::new(),
        };
        r.object(FIELDS, 0b111, &mut |r, i| {
            match i {
                0 => p.id = r.id()?,
                1 => p.workspace = r.id()?,
                2 => p.created_by = r.id()?,
                3 => p.title = r.option(Reader::string)?,
                4 => p.members = r.array(Reader::id)?,
                5 => {
                    r.object(&["annotators_can_view_own_data"], 0, &mut |r, _| {
                        p.settings.annotators_can_view_own_data = r.boolean()?;
                        Ok(())
                    })?;
                }
                _ => p.assignments = r.array(AssignmentFacts::read)?,
            }
            Ok(())
        })?;
        Ok(p)
    }
}

impl AssignmentFacts {
    pub(crate) fn read(r: &mut Reader<'_>) -> Res<AssignmentFacts> {
        let mut a = AssignmentFacts {
            user: 0,
            kind: AssignmentKind::Annotate,
        };
        r.object(&["user", "kind"], 0b11, &mut |r, i| {
            match i {
                0 => a.user = r.id()?,
                _ => {
                    a.kind = r.one_of(
                        &[AssignmentKind::Annotate, AssignmentKind::Review],
                        AssignmentKind::name,
                    )?;
                }
            }
            Ok(())
        })?;
        Ok(a)
    }
}

impl Facts {
    /// Reads the JSON of a snapshot. Nothing is validated beyond its shape: see
    /// [`crate::Snapshot::from_facts`].
    pub fn from_json(text: &str) -> Result<Facts, LoadError> {
        reader::parse(text, Facts::read).map_err(|detail| LoadError::Json {
            what: "snapshot",
            detail,
        })
    }

    /// Every list in its canonical order: organizations, users, members, workspaces and
    /// projects by id; members of a workspace or project ascending; group mappings by group
    /// then project (organization-level first); assignments by user then kind; invite tokens
    /// as text.
    pub fn canonicalize(&mut self) {
        self.organizations.sort_unstable_by_key(|o| o.id);
        self.users.sort_unstable_by_key(|u| u.id);
        for o in &mut self.organizations {
            o.invite_tokens.sort_unstable();
            o.members.sort_unstable_by_key(|m| m.user);
            o.group_mappings
                .sort_unstable_by(|a, b| (&a.group, a.project).cmp(&(&b.group, b.project)));
            o.workspaces.sort_unstable_by_key(|w| w.id);
            for w in &mut o.workspaces {
                w.members.sort_unstable();
            }
            o.projects.sort_unstable_by_key(|p| p.id);
            for p in &mut o.projects {
                p.members.sort_unstable();
                p.assignments.sort_unstable_by_key(|a| (a.user, a.kind));
            }
        }
    }

    /// The JSON of the snapshot, compact, fields in the contract's order, in the order the
    /// lists are in (see [`Facts::canonicalize`]); absent optional fields, empty lists and
    /// default settings are left out.
    pub fn to_json(&self) -> String {
        let mut w = Writer::new();
        w.0.push('{');
        w.key("edition", true);
        w.string(self.edition.name());
        w.key("organizations", false);
        w.list(&self.organizations, OrgFacts::write);
        if !self.users.is_empty() {
            w.key("users", false);
            w.list(&self.users, UserFacts::write);
        }
        w.0.push('}');
        w.0
    }
}

impl UserFacts {
    fn write(&self, w: &mut Writer) {
        w.0.push('{');
        w.key("id", true);
        w.id(self.id);
        w.opt_string("email", self.email.as_deref());
        w.opt_string("name", self.name.as_deref());
        w.0.push('}');
    }
}

impl OrgFacts {
    fn write(&self, w: &mut Writer) {
        w.0.push('{');
        w.key("id", true);
        w.id(self.id);
        w.key("owner", false);
        w.id(self.owner);
        w.opt_string("name", self.name.as_deref());
        if self.settings.disable_signup_without_link {
            w.key("settings", false);
            w.0.push_str(r#"{"disable_signup_without_link":true}"#);
        }
        if !self.invite_tokens.is_empty() {
            w.key("invite_tokens", false);
            w.list(&self.invite_tokens, |t, w| w.string(t));
        }
        w.key("members", false);
        w.list(&self.members, MemberFacts::write);
        if !self.group_mappings.is_empty() {
            w.key("group_mappings", false);
            w.list(&self.group_mappings, GroupMapping::write);
        }
        w.key("workspaces", false);
        w.list(&self.workspaces, WorkspaceFacts::write);
        w.key("projects", false);
        w.list(&self.projects, ProjectFacts::write);
        w.0.push('}');
    }
}

impl MemberFacts {
    fn write(&self, w: &mut Writer) {
        w.0.push('{');
        w.key("user", true);
        w.id(self.user);
        if let Some(role) = self.role {
            w.key("role", false);
            w.string(role.name());
        }
        w.key("status", false);
        w.string(self.status.name());
        w.0.push('}');
    }
}

impl GroupMapping {
    fn write(&self, w: &mut Writer) {
        w.0.push('{');
        w.key("group", true);
        w.string(&self.group);
        w.key("role", false);
        w.string(self.role.name());
        if let Some(p) = self.project {
            w.key("project", false);
            w.id(p);
        }
        w.0.push('}');
    }
}

impl WorkspaceFacts {
    fn write(&self, w: &mut Writer) {
        w.0.push('{');
        w.key("id", true);
        w.id(self.id);
        w.opt_string("name", self.name.as_deref());
        w.key("members", false);
        w.list(&self.members, |u, w| w.id(*u));
        if let Some(s) = self.sandbox_of {
            w.key("sandbox_of", false);
            w.id(s);
        }
        w.0.push('}');
    }
}

impl ProjectFacts {
    fn write(&self, w: &mut Writer) {
        w.0.push('{');
        w.key("id", true);
        w.id(self.id);
        w.key("workspace", false);
        w.id(self.workspace);
        w.key("created_by", false);
        w.id(self.created_by);
        w.opt_string("title", self.title.as_deref());
        if !self.members.is_empty() {
            w.key("members", false);
            w.list(&self.members, |u, w| w.id(*u));
        }
        if self.settings.annotators_can_view_own_data {
            w.key("settings", false);
            w.0.push_str(r#"{"annotators_can_view_own_data":true}"#);
        }
        if !self.assignments.is_empty() {
            w.key("assignments", false);
            w.list(&self.assignments, |a, w| {
                w.0.push('{');
                w.key("user", true);
                w.id(a.user);
                w.key("kind", false);
                w.string(a.kind.name());
                w.0.push('}');
            });
        }
        w.0.push('}');
    }
}
