//! The store's tables as policy-core [`Facts`]: the whole organization (the export), a
//! superset of a member's slice (which the core then cuts to the exact slice), and the facts
//! one write is decided on. Lists of ids are bound as one JSON array (`json_each`), never as
//! one parameter each (Durable Objects bind at most 100).

use policy_core::{
    AssignmentFacts, AssignmentKind, Edition, Facts, GroupMapping, MemberFacts, OrgFacts,
    OrgSettings, ProjectFacts, ProjectSettings, Role, Status, UserFacts, WorkspaceFacts,
};

use crate::store::db::{Arg, Db, id, text};

/// The organization's own row of facts (`meta`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meta {
    /// Its id.
    pub org: u64,
    /// Its owner.
    pub owner: u64,
    /// Its name.
    pub name: Option<String>,
    /// The edition.
    pub edition: Edition,
    /// `disable_signup_without_link`.
    pub signup_needs_invite: bool,
    /// One more on every write.
    pub revision: u64,
}

/// The organization's `meta`, or `None` for an empty store.
pub fn meta(db: &Db) -> Result<Option<Meta>, String> {
    meta_of(db, "")
}

/// The `meta` of the live tables (`prefix` empty) or of an import's staged ones (`stage_`).
fn meta_of(db: &Db, prefix: &str) -> Result<Option<Meta>, String> {
    let rows: Vec<(String, String)> = db
        .rows(&format!("SELECT key, value FROM {prefix}meta"), vec![])?
        .iter()
        .filter_map(|r| Some((r.text(0)?, r.text(1)?)))
        .collect();
    let get = |k: &str| rows.iter().find(|r| r.0 == k).map(|r| r.1.as_str());
    let num = |k: &str| get(k).and_then(|v| v.parse::<u64>().ok());
    let (Some(org), Some(owner)) = (num("org"), num("owner")) else {
        return Ok(None);
    };
    Ok(Some(Meta {
        org,
        owner,
        name: get("name").map(str::to_owned),
        edition: match get("edition") {
            Some("teams") => Edition::Teams,
            _ => Edition::Enterprise,
        },
        signup_needs_invite: get("signup") == Some("1"),
        revision: num("revision").unwrap_or(0),
    }))
}

/// A JSON array of ids, bound as one value for `json_each(?)`.
pub fn id_list(ids: &[u64]) -> Arg {
    let items: Vec<String> = ids.iter().map(u64::to_string).collect();
    text(format!("[{}]", items.join(",")))
}

/// A role's contract name.
pub fn role_of(name: Option<&str>) -> Option<Role> {
    name.and_then(Role::from_name)
}

fn status_of(name: &str) -> Status {
    match name {
        "active" => Status::Active,
        "deactivated" => Status::Deactivated,
        _ => Status::NotActivated,
    }
}

/// What of the organization to read.
#[derive(Clone, Debug, Default)]
pub struct Select {
    /// Members: every one (`None`), or these users.
    pub members: Option<Vec<u64>>,
    /// Workspaces: every one (`None`), or these.
    pub workspaces: Option<Vec<u64>>,
    /// Projects: every one (`None`), or these.
    pub projects: Option<Vec<u64>>,
    /// Workspace and project members, assignments: everyone's (`None`), or this user's.
    pub user: Option<u64>,
    /// Group mappings: every group's (`None`), or these groups'.
    pub groups: Option<Vec<String>>,
    /// Users: every one (`None`), or these.
    pub users: Option<Vec<u64>>,
    /// The tables: the live ones (empty), or an import's staged ones (`stage_`).
    pub prefix: &'static str,
    /// Leaves the assignments out (a large import validates them in SQL).
    pub skip_assignments: bool,
}

/// `AND <column> IN (ids)` when a list is given (bound as `json_each(?)`).
fn within(column: &str, ids: &Option<Vec<u64>>, args: &mut Vec<Arg>) -> String {
    match ids {
        None => String::new(),
        Some(list) => {
            args.push(id_list(list));
            format!(" AND {column} IN (SELECT value FROM json_each(?))")
        }
    }
}

fn of_user(column: &str, user: Option<u64>, args: &mut Vec<Arg>) -> String {
    match user {
        None => String::new(),
        Some(u) => {
            args.push(id(u));
            format!(" AND {column} = ?")
        }
    }
}

/// The facts of the organization that `sel` selects, in canonical order; `None` for an empty
/// store.
pub fn read(db: &Db, sel: &Select) -> Result<Option<Facts>, String> {
    let p = sel.prefix;
    let Some(m) = meta_of(db, p)? else {
        return Ok(None);
    };
    let mut args = Vec::new();
    let q = format!(
        "SELECT user, role, status FROM {p}members WHERE 1 = 1{} ORDER BY user",
        within("user", &sel.members, &mut args)
    );
    let members = db
        .rows(&q, args)?
        .iter()
        .filter_map(|r| {
            Some(MemberFacts {
                user: r.id(0)?,
                role: role_of(r.text(1).as_deref()),
                status: status_of(&r.text(2)?),
            })
        })
        .collect();

    let mut args = Vec::new();
    let q = format!(
        "SELECT id, name, sandbox_of FROM {p}workspaces WHERE 1 = 1{} ORDER BY id",
        within("id", &sel.workspaces, &mut args)
    );
    let mut workspaces: Vec<WorkspaceFacts> = db
        .rows(&q, args)?
        .iter()
        .filter_map(|w| {
            Some(WorkspaceFacts {
                id: w.id(0)?,
                name: w.text(1),
                members: Vec::new(),
                sandbox_of: w.id(2),
            })
        })
        .collect();
    let mut args = Vec::new();
    let q = format!(
        "SELECT workspace AS a, user AS b FROM {p}workspace_members WHERE 1 = 1{}{} ORDER BY workspace, user",
        within("workspace", &sel.workspaces, &mut args),
        of_user("user", sel.user, &mut args)
    );
    for r in db.rows(&q, args)? {
        let (Some(w), Some(u)) = (r.id(0), r.id(1)) else {
            continue;
        };
        if let Ok(i) = workspaces.binary_search_by_key(&w, |x| x.id)
            && let Some(ws) = workspaces.get_mut(i)
        {
            ws.members.push(u);
        }
    }

    let mut args = Vec::new();
    let q = format!(
        "SELECT id, workspace, created_by, title, own_data FROM {p}projects WHERE 1 = 1{} ORDER BY id",
        within("id", &sel.projects, &mut args)
    );
    let mut projects: Vec<ProjectFacts> = db
        .rows(&q, args)?
        .iter()
        .filter_map(|p| {
            Some(ProjectFacts {
                id: p.id(0)?,
                workspace: p.id(1)?,
                created_by: p.id(2)?,
                title: p.text(3),
                members: Vec::new(),
                settings: ProjectSettings {
                    annotators_can_view_own_data: p.id(4).unwrap_or(0) != 0,
                },
                assignments: Vec::new(),
            })
        })
        .collect();
    let mut args = Vec::new();
    let q = format!(
        "SELECT project AS a, user AS b FROM {p}project_members WHERE 1 = 1{}{} ORDER BY project, user",
        within("project", &sel.projects, &mut args),
        of_user("user", sel.user, &mut args)
    );
    for r in db.rows(&q, args)? {
        let (Some(p), Some(u)) = (r.id(0), r.id(1)) else {
            continue;
        };
        if let Ok(i) = projects.binary_search_by_key(&p, |x| x.id)
            && let Some(pr) = projects.get_mut(i)
        {
            pr.members.push(u);
        }
    }
    let mut args = Vec::new();
    let q = format!(
        "SELECT DISTINCT project, user, kind FROM {p}assignments WHERE {}{}{} \
         ORDER BY project, user, kind",
        if sel.skip_assignments { "0" } else { "1" },
        within("project", &sel.projects, &mut args),
        of_user("user", sel.user, &mut args)
    );
    for r in db.rows(&q, args)? {
        let (Some(p), Some(user)) = (r.id(0), r.id(1)) else {
            continue;
        };
        let kind = if r.text(2).as_deref() == Some("review") {
            AssignmentKind::Review
        } else {
            AssignmentKind::Annotate
        };
        if let Ok(i) = projects.binary_search_by_key(&p, |x| x.id)
            && let Some(pr) = projects.get_mut(i)
        {
            pr.assignments.push(AssignmentFacts { user, kind });
        }
    }

    let project_ids: Vec<u64> = projects.iter().map(|p| p.id).collect();
    let mut group_mappings = Vec::new();
    for r in db.rows(
        &format!("SELECT grp, project, role FROM {p}group_mappings ORDER BY grp, project"),
        vec![],
    )? {
        let (Some(grp), Some(project), Some(role)) = (r.text(0), r.id(1), r.text(2)) else {
            continue;
        };
        let group_kept = sel.groups.as_ref().is_none_or(|g| g.contains(&grp));
        let project_kept = project == 0 || project_ids.binary_search(&project).is_ok();
        if let (true, true, Some(role)) = (group_kept, project_kept, Role::from_name(&role)) {
            group_mappings.push(GroupMapping {
                group: grp,
                role,
                project: (project != 0).then_some(project),
            });
        }
    }
    let invite_tokens = db
        .rows(
            &format!("SELECT token FROM {p}invite_tokens ORDER BY token"),
            vec![],
        )?
        .iter()
        .filter_map(|t| t.text(0))
        .collect();

    let mut args = Vec::new();
    let q = format!(
        "SELECT id, email, name FROM {p}users WHERE 1 = 1{} ORDER BY id",
        within("id", &sel.users, &mut args)
    );
    let users = db
        .rows(&q, args)?
        .iter()
        .filter_map(|u| {
            Some(UserFacts {
                id: u.id(0)?,
                email: u.text(1),
                name: u.text(2),
            })
        })
        .collect();

    let mut facts = Facts {
        edition: m.edition,
        organizations: vec![OrgFacts {
            id: m.org,
            owner: m.owner,
            name: m.name,
            settings: OrgSettings {
                disable_signup_without_link: m.signup_needs_invite,
            },
            invite_tokens,
            members,
            group_mappings,
            workspaces,
            projects,
        }],
        users,
    };
    facts.canonicalize();
    Ok(Some(facts))
}
