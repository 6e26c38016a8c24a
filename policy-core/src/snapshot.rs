//! The snapshot of SPEC §4: the facts, validated completely and indexed once, so that a
//! check costs a few hash lookups whatever the size of the organization.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use hashbrown::{HashMap, HashSet};

use crate::error::LoadError;
use crate::reader::{self, Reader, Res};
use crate::role::{Edition, Role, Status};

// ---- The JSON forms -------------------------------------------------------------------

struct SnapshotJson {
    edition: Edition,
    organizations: Vec<OrgJson>,
    users: Vec<UserJson>,
}

struct UserJson {
    id: u64,
    email: Option<String>,
    name: Option<String>,
}

struct OrgJson {
    id: u64,
    owner: u64,
    name: Option<String>,
    settings: OrgSettingsJson,
    invite_tokens: Vec<String>,
    members: Vec<MemberJson>,
    group_mappings: Vec<GroupMappingJson>,
    workspaces: Vec<WorkspaceJson>,
    projects: Vec<ProjectJson>,
}

#[derive(Default)]
struct OrgSettingsJson {
    disable_signup_without_link: bool,
}

struct MemberJson {
    user: u64,
    role: Option<Role>,
    status: Status,
}

struct GroupMappingJson {
    group: String,
    role: Role,
    project: Option<u64>,
}

struct WorkspaceJson {
    id: u64,
    name: Option<String>,
    members: Vec<u64>,
    sandbox_of: Option<u64>,
}

struct ProjectJson {
    id: u64,
    workspace: u64,
    created_by: u64,
    title: Option<String>,
    members: Vec<u64>,
    settings: ProjectSettingsJson,
    assignments: Vec<AssignmentJson>,
}

#[derive(Default)]
struct ProjectSettingsJson {
    annotators_can_view_own_data: bool,
}

struct AssignmentJson {
    user: u64,
    kind: AssignmentKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum AssignmentKind {
    Annotate,
    Review,
}

impl AssignmentKind {
    fn name(self) -> &'static str {
        match self {
            AssignmentKind::Annotate => "annotate",
            AssignmentKind::Review => "review",
        }
    }
}

// Each form is read field by field: the field names in order, a mask of the required
// ones, and a match on the field's index.

impl SnapshotJson {
    fn read(r: &mut Reader<'_>) -> Res<SnapshotJson> {
        let mut s = SnapshotJson {
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
                    1 => s.organizations = r.array(OrgJson::read)?,
                    _ => s.users = r.array(UserJson::read)?,
                }
                Ok(())
            },
        )?;
        Ok(s)
    }
}

impl UserJson {
    fn read(r: &mut Reader<'_>) -> Res<UserJson> {
        let mut u = UserJson {
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

impl OrgJson {
    fn read(r: &mut Reader<'_>) -> Res<OrgJson> {
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
        let mut o = OrgJson {
            id: 0,
            owner: 0,
            name: None,
            settings: OrgSettingsJson::default(),
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
                5 => o.members = r.array(MemberJson::read)?,
                6 => o.group_mappings = r.array(GroupMappingJson::read)?,
                7 => o.workspaces = r.array(WorkspaceJson::read)?,
                _ => o.projects = r.array(ProjectJson::read)?,
            }
            Ok(())
        })?;
        Ok(o)
    }
}

impl MemberJson {
    fn read(r: &mut Reader<'_>) -> Res<MemberJson> {
        let mut m = MemberJson {
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

impl GroupMappingJson {
    fn read(r: &mut Reader<'_>) -> Res<GroupMappingJson> {
        let mut g = GroupMappingJson {
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

impl WorkspaceJson {
    fn read(r: &mut Reader<'_>) -> Res<WorkspaceJson> {
        let mut w = WorkspaceJson {
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

impl ProjectJson {
    fn read(r: &mut Reader<'_>) -> Res<ProjectJson> {
        const FIELDS: &[&str] = &[
            "id",
            "workspace",
            "created_by",
            "title",
            "members",
            "settings",
            "assignments",
        ];
        let mut p = ProjectJson {
            id: 0,
            workspace: 0,
            created_by: 0,
            title: None,
            members: Vec::new(),
            settings: ProjectSettingsJson::default(),
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
                _ => p.assignments = r.array(AssignmentJson::read)?,
            }
            Ok(())
        })?;
        Ok(p)
    }
}

impl AssignmentJson {
    fn read(r: &mut Reader<'_>) -> Res<AssignmentJson> {
        let mut a = AssignmentJson {
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

// ---- The indexed snapshot -------------------------------------------------------------

/// An organization member as listed in the snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Membership {
    /// The role; `None` only for a member who is not active.
    pub role: Option<Role>,
    /// The status.
    pub status: Status,
}

/// An organization, indexed.
#[derive(Debug)]
pub struct Organization {
    /// Its id.
    pub id: u64,
    /// The one owner.
    pub owner: u64,
    /// Its display name, if the snapshot gives one.
    pub name: Option<Box<str>>,
    /// `disable_signup_without_link`.
    pub signup_needs_invite: bool,
    pub(crate) invite_tokens: Vec<Box<str>>,
    pub(crate) group_roles: HashMap<Box<str>, Role>,
    pub(crate) group_projects: HashMap<Box<str>, Vec<(u64, Role)>>,
    /// Its workspaces, by id.
    pub workspaces: Vec<u64>,
    /// Its projects, by id.
    pub projects: Vec<u64>,
}

/// A workspace, indexed.
#[derive(Debug)]
pub struct Workspace {
    /// Its id.
    pub id: u64,
    /// Its organization.
    pub org: u64,
    /// Its display name, if the snapshot gives one.
    pub name: Option<Box<str>>,
    /// The user whose private sandbox this is.
    pub sandbox_of: Option<u64>,
    /// Its members (a sandbox lists none: its owner is its only member).
    pub members: Vec<u64>,
    /// Its projects, by id.
    pub projects: Vec<u64>,
}

/// A project, indexed.
#[derive(Debug)]
pub struct Project {
    /// Its id.
    pub id: u64,
    /// Its organization.
    pub org: u64,
    /// Its workspace.
    pub workspace: u64,
    /// Its creator (possibly a deleted user).
    pub created_by: u64,
    /// Its display title, if the snapshot gives one.
    pub title: Option<Box<str>>,
    /// `annotators_can_view_own_data`.
    pub annotators_can_view_own_data: bool,
}

/// A user of the optional `users` list (for sign-in by email and display names).
#[derive(Debug)]
pub struct User {
    /// Its id.
    pub id: u64,
    /// Its email, if given.
    pub email: Option<Box<str>>,
    /// Its display name, if given.
    pub name: Option<Box<str>>,
}

/// The workspaces and projects linked to one member of one organization.
#[derive(Debug, Default)]
pub(crate) struct Links {
    pub(crate) workspaces: Vec<u64>,
    pub(crate) projects: Vec<u64>,
}

/// A loaded, validated, indexed snapshot. Immutable: replace it whole.
#[derive(Debug)]
pub struct Snapshot {
    pub(crate) edition: Edition,
    pub(crate) orgs: HashMap<u64, Organization>,
    pub(crate) members: HashMap<(u64, u64), Membership>,
    pub(crate) known_users: HashSet<u64>,
    pub(crate) workspaces: HashMap<u64, Workspace>,
    pub(crate) projects: HashMap<u64, Project>,
    pub(crate) workspace_members: HashSet<(u64, u64)>,
    pub(crate) project_members: HashSet<(u64, u64)>,
    pub(crate) assigned: HashSet<(u64, u64)>,
    pub(crate) links: HashMap<(u64, u64), Links>,
    pub(crate) users: HashMap<u64, User>,
    pub(crate) emails: HashMap<Box<str>, u64>,
}

impl Snapshot {
    /// Reads, validates and indexes a snapshot. On any error nothing is loaded, and the
    /// error names the offending item.
    pub fn from_json(text: &str) -> Result<Snapshot, LoadError> {
        let raw = reader::parse(text, SnapshotJson::read).map_err(|detail| LoadError::Json {
            what: "snapshot",
            detail,
        })?;
        build(raw)
    }

    /// The edition.
    pub fn edition(&self) -> Edition {
        self.edition
    }

    /// The organization `id`.
    pub fn organization(&self, id: u64) -> Option<&Organization> {
        self.orgs.get(&id)
    }

    /// Every organization id, ascending.
    pub fn organization_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.orgs.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// The workspace `id`.
    pub fn workspace(&self, id: u64) -> Option<&Workspace> {
        self.workspaces.get(&id)
    }

    /// The project `id`.
    pub fn project(&self, id: u64) -> Option<&Project> {
        self.projects.get(&id)
    }

    /// `user`'s membership of organization `org`, as listed.
    pub fn membership(&self, org: u64, user: u64) -> Option<Membership> {
        self.members.get(&(org, user)).copied()
    }

    /// The organizations `user` is listed in, ascending.
    pub fn organizations_of(&self, user: u64) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .orgs
            .keys()
            .copied()
            .filter(|o| self.members.contains_key(&(*o, user)))
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The user of the `users` list with this email (compared case-insensitively).
    pub fn user_by_email(&self, email: &str) -> Option<u64> {
        self.emails
            .get(email.to_ascii_lowercase().as_str())
            .copied()
    }

    /// The user `id` of the `users` list.
    pub fn user(&self, id: u64) -> Option<&User> {
        self.users.get(&id)
    }

    /// Whether the user appears anywhere in the snapshot (a membership or the `users` list).
    pub fn knows_user(&self, id: u64) -> bool {
        self.known_users.contains(&id)
    }
}

fn org_item(org: u64) -> String {
    format!("organization `{org}`")
}

fn build(raw: SnapshotJson) -> Result<Snapshot, LoadError> {
    let edition = raw.edition;
    let project_total: usize = raw.organizations.iter().map(|o| o.projects.len()).sum();
    let mut s = Snapshot {
        edition,
        orgs: HashMap::with_capacity(raw.organizations.len()),
        members: HashMap::new(),
        known_users: HashSet::new(),
        workspaces: HashMap::new(),
        projects: HashMap::with_capacity(project_total),
        workspace_members: HashSet::new(),
        project_members: HashSet::new(),
        assigned: HashSet::new(),
        links: HashMap::new(),
        users: HashMap::with_capacity(raw.users.len()),
        emails: HashMap::new(),
    };
    for u in raw.users {
        let item = format!("user `{}`", u.id);
        if let Some(email) = &u.email {
            let key: Box<str> = email.to_ascii_lowercase().into();
            if let Some(other) = s.emails.insert(key, u.id) {
                return Err(LoadError::invalid(
                    item,
                    format!("email `{email}` is also user `{other}`'s"),
                ));
            }
        }
        s.known_users.insert(u.id);
        let user = User {
            id: u.id,
            email: u.email.map(Into::into),
            name: u.name.map(Into::into),
        };
        if s.users.insert(u.id, user).is_some() {
            return Err(LoadError::invalid(item, "appears twice in `users`"));
        }
    }
    for org in raw.organizations {
        add_org(&mut s, org)?;
    }
    Ok(s)
}

fn add_org(s: &mut Snapshot, raw: OrgJson) -> Result<(), LoadError> {
    let oid = raw.id;
    let item = org_item(oid);
    if s.orgs.contains_key(&oid) {
        return Err(LoadError::invalid(item, "appears twice"));
    }
    // Members, and the one owner.
    let mut owners = 0usize;
    for m in &raw.members {
        let mitem = format!("{item}, member `{}`", m.user);
        if s.members.contains_key(&(oid, m.user)) {
            return Err(LoadError::invalid(mitem, "is listed twice"));
        }
        match (m.role, m.status) {
            (None, Status::Active) => {
                return Err(LoadError::invalid(mitem, "is active but has no role"));
            }
            (Some(role), _) if !role.held_in(s.edition) => {
                return Err(LoadError::invalid(
                    mitem,
                    format!("holds `{role}`, which the teams edition does not have"),
                ));
            }
            (Some(Role::Owner), _) if m.user != raw.owner => {
                return Err(LoadError::invalid(
                    mitem,
                    format!("is a second owner (the owner is `{}`)", raw.owner),
                ));
            }
            _ => {}
        }
        if m.user == raw.owner {
            if m.role != Some(Role::Owner) || m.status != Status::Active {
                return Err(LoadError::invalid(
                    mitem,
                    "is the owner but not an active `owner` member",
                ));
            }
            owners += 1;
        }
        s.members.insert(
            (oid, m.user),
            Membership {
                role: m.role,
                status: m.status,
            },
        );
        s.known_users.insert(m.user);
    }
    if owners != 1 {
        return Err(LoadError::invalid(
            item,
            format!("owner `{}` is not among its members", raw.owner),
        ));
    }
    let is_member = |s: &Snapshot, u: u64| s.members.contains_key(&(oid, u));

    // Workspaces.
    let mut workspace_ids = Vec::with_capacity(raw.workspaces.len());
    let mut sandboxes: HashSet<u64> = HashSet::new();
    for w in raw.workspaces {
        let witem = format!("{item}, workspace `{}`", w.id);
        if let Some(other) = s.workspaces.get(&w.id) {
            return Err(LoadError::invalid(
                witem,
                format!("appears twice (also in organization `{}`)", other.org),
            ));
        }
        if let Some(owner) = w.sandbox_of {
            if !is_member(s, owner) {
                return Err(LoadError::invalid(
                    witem,
                    format!("is the sandbox of `{owner}`, who is not a member"),
                ));
            }
            if !w.members.is_empty() {
                return Err(LoadError::invalid(
                    witem,
                    "is a sandbox and cannot have members",
                ));
            }
            if !sandboxes.insert(owner) {
                return Err(LoadError::invalid(
                    witem,
                    format!("is a second sandbox of `{owner}`"),
                ));
            }
            s.workspace_members.insert((w.id, owner));
            s.links
                .entry((oid, owner))
                .or_default()
                .workspaces
                .push(w.id);
        }
        for &u in &w.members {
            if !is_member(s, u) {
                return Err(LoadError::invalid(
                    witem,
                    format!("member `{u}` is not a member of the organization"),
                ));
            }
            if !s.workspace_members.insert((w.id, u)) {
                return Err(LoadError::invalid(
                    witem,
                    format!("lists member `{u}` twice"),
                ));
            }
            s.links.entry((oid, u)).or_default().workspaces.push(w.id);
        }
        workspace_ids.push(w.id);
        let ws = Workspace {
            id: w.id,
            org: oid,
            name: w.name.map(Into::into),
            sandbox_of: w.sandbox_of,
            members: w.members,
            projects: Vec::new(),
        };
        s.workspaces.insert(w.id, ws);
    }

    // Projects.
    let mut project_ids = Vec::with_capacity(raw.projects.len());
    for p in raw.projects {
        let pitem = format!("{item}, project `{}`", p.id);
        if let Some(other) = s.projects.get(&p.id) {
            return Err(LoadError::invalid(
                pitem,
                format!("appears twice (also in organization `{}`)", other.org),
            ));
        }
        match s.workspaces.get_mut(&p.workspace) {
            Some(ws) if ws.org == oid => ws.projects.push(p.id),
            Some(ws) => {
                return Err(LoadError::invalid(
                    pitem,
                    format!(
                        "is in workspace `{}` of organization `{}`",
                        p.workspace, ws.org
                    ),
                ));
            }
            None => {
                return Err(LoadError::invalid(
                    pitem,
                    format!("is in workspace `{}`, which does not exist", p.workspace),
                ));
            }
        }
        for &u in &p.members {
            if !is_member(s, u) {
                return Err(LoadError::invalid(
                    pitem,
                    format!("member `{u}` is not a member of the organization"),
                ));
            }
            if !s.project_members.insert((p.id, u)) {
                return Err(LoadError::invalid(
                    pitem,
                    format!("lists member `{u}` twice"),
                ));
            }
            s.links.entry((oid, u)).or_default().projects.push(p.id);
        }
        let mut kinds: HashSet<(u64, bool)> = HashSet::with_capacity(p.assignments.len());
        for a in &p.assignments {
            if !is_member(s, a.user) {
                return Err(LoadError::invalid(
                    pitem,
                    format!(
                        "assigns a task to `{}`, who is not a member of the organization",
                        a.user
                    ),
                ));
            }
            if !kinds.insert((a.user, a.kind == AssignmentKind::Review)) {
                return Err(LoadError::invalid(
                    pitem,
                    format!("lists the same assignment of `{}` twice", a.user),
                ));
            }
            if s.assigned.insert((p.id, a.user)) {
                s.links
                    .entry((oid, a.user))
                    .or_default()
                    .projects
                    .push(p.id);
            }
        }
        s.links
            .entry((oid, p.created_by))
            .or_default()
            .projects
            .push(p.id);
        project_ids.push(p.id);
        let project = Project {
            id: p.id,
            org: oid,
            workspace: p.workspace,
            created_by: p.created_by,
            title: p.title.map(Into::into),
            annotators_can_view_own_data: p.settings.annotators_can_view_own_data,
        };
        s.projects.insert(p.id, project);
    }

    // Group mappings (after projects: a project mapping must name one of them).
    let mut group_roles: HashMap<Box<str>, Role> = HashMap::new();
    let mut group_projects: HashMap<Box<str>, Vec<(u64, Role)>> = HashMap::new();
    for g in raw.group_mappings {
        let gitem = format!("{item}, group mapping `{}`", g.group);
        if !g.role.held_in(s.edition) {
            return Err(LoadError::invalid(
                gitem,
                format!(
                    "maps to `{}`, which the teams edition does not have",
                    g.role
                ),
            ));
        }
        match g.project {
            None => {
                if g.role == Role::Owner {
                    return Err(LoadError::invalid(
                        gitem,
                        "maps to `owner`, which no mapping can grant",
                    ));
                }
                if group_roles
                    .insert(g.group.as_str().into(), g.role)
                    .is_some()
                {
                    return Err(LoadError::invalid(
                        gitem,
                        "is given twice for the organization",
                    ));
                }
            }
            Some(pid) => {
                if g.role > Role::Manager {
                    return Err(LoadError::invalid(
                        gitem,
                        format!(
                            "maps project `{pid}` to `{}`; a project role is at most `manager`",
                            g.role
                        ),
                    ));
                }
                if s.projects.get(&pid).is_none_or(|p| p.org != oid) {
                    return Err(LoadError::invalid(
                        gitem,
                        format!("names project `{pid}`, which is not in the organization"),
                    ));
                }
                let entry = group_projects.entry(g.group.as_str().into()).or_default();
                if entry.iter().any(|(p, _)| *p == pid) {
                    return Err(LoadError::invalid(
                        gitem,
                        format!("is given twice for project `{pid}`"),
                    ));
                }
                entry.push((pid, g.role));
            }
        }
    }

    let mut invite_tokens = Vec::with_capacity(raw.invite_tokens.len());
    for t in raw.invite_tokens {
        if t.is_empty() {
            return Err(LoadError::invalid(item, "has an empty invite token"));
        }
        invite_tokens.push(t.into_boxed_str());
    }
    workspace_ids.sort_unstable();
    project_ids.sort_unstable();
    let org = Organization {
        id: oid,
        owner: raw.owner,
        name: raw.name.map(|n| n.to_string().into_boxed_str()),
        signup_needs_invite: raw.settings.disable_signup_without_link,
        invite_tokens,
        group_roles,
        group_projects,
        workspaces: workspace_ids,
        projects: project_ids,
    };
    s.orgs.insert(oid, org);
    Ok(())
}
