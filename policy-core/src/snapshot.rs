//! The snapshot of SPEC §4: the facts, validated completely and indexed once, so that a
//! check costs a few hash lookups whatever the size of the organization.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use hashbrown::{HashMap, HashSet};

use crate::error::LoadError;
use crate::facts::{AssignmentKind, Facts, OrgFacts};
use crate::role::{Edition, Role, Status};

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
    /// Its direct members, as listed.
    pub(crate) members: Vec<u64>,
    /// Its task assignments, as listed.
    pub(crate) assignments: Vec<(u64, AssignmentKind)>,
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
        Snapshot::from_facts(Facts::from_json(text)?)
    }

    /// Validates and indexes facts (read from JSON, or filled by a store). On any error
    /// nothing is loaded, and the error names the offending item.
    pub fn from_facts(facts: Facts) -> Result<Snapshot, LoadError> {
        build(facts)
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

fn build(raw: Facts) -> Result<Snapshot, LoadError> {
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

fn add_org(s: &mut Snapshot, raw: OrgFacts) -> Result<(), LoadError> {
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
            members: p.members,
            assignments: p.assignments.iter().map(|a| (a.user, a.kind)).collect(),
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
