//! The facts a member's decisions need, read from the store. For a slice, the tables give a
//! superset (everything linked to the member: their memberships, the workspaces that are not
//! another's sandbox, the projects they are linked to, or every project for an
//! administrator), and `policy_core::Policy::slice` cuts it to the exact slice of SPEC §7,
//! so the store and the core share one definition. For a write, the facts of the objects
//! it names, whatever the reach, so it is decided exactly as on the whole organization.

use policy_core::{Facts, Matrix, Policy, Principal, Resource, Role, Status, UserFacts};

use crate::store::db::{Db, id};
use crate::store::facts::{self, Meta, Select, id_list, role_of};

thread_local! {
    /// The default matrix, parsed (and hashed) once per isolate, not per request.
    static DEFAULT_MATRIX: Result<Matrix, String> =
        Matrix::default_matrix().map_err(|e| e.to_string());
}

/// The default matrix (SPEC's table), as this isolate parsed it.
pub fn default_matrix() -> Result<Matrix, String> {
    DEFAULT_MATRIX.with(Clone::clone)
}

/// The default matrix the store decides with.
pub fn policy_of(facts: Facts) -> Result<Policy, String> {
    Policy::from_facts(default_matrix()?, facts).map_err(|e| format!("the store's facts: {e}"))
}

/// The principal's organization role: their active membership's, raised by the
/// organization's mappings of their groups; `None` if they are not an active member or
/// mapped at all.
fn org_role(db: &Db, principal: &Principal) -> Result<Option<Role>, String> {
    let Some(user) = principal.user else {
        return Ok(None);
    };
    let rows = db.rows(
        "SELECT role, status FROM members WHERE user = ?",
        vec![id(user)],
    )?;
    let groups = serde_json::to_string(&principal.groups).map_err(|e| e.to_string())?;
    let mapped = db
        .rows(
            "SELECT role FROM group_mappings WHERE project = 0 AND grp IN (SELECT value FROM json_each(?))",
            vec![crate::store::db::text(groups)],
        )?
        .iter()
        .filter_map(|r| Role::from_name(&r.text(0)?))
        .max();
    Ok(match rows.first() {
        Some(m) if m.text(1).as_deref() == Some("active") => {
            role_of(m.text(0).as_deref()).max(mapped)
        }
        Some(_) => None,
        None => mapped,
    })
}

fn with_known_user(mut facts: Facts, user: Option<u64>, known: bool) -> Facts {
    if let Some(u) = user
        && known
        && !facts.users.iter().any(|x| x.id == u)
    {
        facts.users.push(UserFacts {
            id: u,
            email: None,
            name: None,
        });
        facts.canonicalize();
    }
    facts
}

/// The slice of the store's organization for `principal` (`known`: the user exists
/// somewhere, so that an outsider is `not_member`, not `unknown_principal`), touching
/// `member` (a request that names them: `policy_core::member_touched`); without workspaces
/// and projects unless `objects` (`Policy::org_slice`).
pub fn slice(
    db: &Db,
    principal: &Principal,
    known: bool,
    member: Option<u64>,
    objects: bool,
) -> Result<Option<Facts>, String> {
    let Some(Meta { org, owner, .. }) = facts::meta(db)? else {
        return Ok(None);
    };
    let user = principal.user.unwrap_or(u64::MAX);
    let role = org_role(db, principal)?;
    let groups = serde_json::to_string(&principal.groups).map_err(|e| e.to_string())?;
    let workspaces = if objects {
        db.ids(
            "SELECT id AS v FROM workspaces WHERE sandbox_of IS NULL OR sandbox_of = ?",
            vec![id(user)],
        )?
    } else {
        Vec::new()
    };
    let projects = match role {
        _ if !objects => Vec::new(),
        None => Vec::new(),
        Some(r) if r >= Role::Administrator => db.ids(
            "SELECT p.id AS v FROM projects p JOIN workspaces w ON w.id = p.workspace \
             WHERE w.sandbox_of IS NULL OR w.sandbox_of = ?",
            vec![id(user)],
        )?,
        Some(_) => db.ids(
            "SELECT p.id AS v FROM projects p JOIN workspaces w ON w.id = p.workspace \
             WHERE (w.sandbox_of IS NULL OR w.sandbox_of = ?1) AND ( \
               w.sandbox_of = ?1 \
               OR p.workspace IN (SELECT workspace FROM workspace_members WHERE user = ?1) \
               OR p.id IN (SELECT project FROM project_members WHERE user = ?1) \
               OR p.id IN (SELECT project FROM assignments WHERE user = ?1) \
               OR p.created_by = ?1 \
               OR p.id IN (SELECT project FROM group_mappings WHERE project != 0 \
                           AND grp IN (SELECT value FROM json_each(?2))))",
            vec![id(user), crate::store::db::text(groups)],
        )?,
    };
    let sel = Select {
        members: Some([user, owner].into_iter().chain(member).collect()),
        workspaces: Some(workspaces),
        projects: Some(projects),
        user: Some(user),
        groups: Some(principal.groups.clone()),
        users: Some(vec![user]),
        ..Select::default()
    };
    let Some(candidate) = facts::read(db, &sel)? else {
        return Ok(None);
    };
    let policy = policy_of(with_known_user(candidate, principal.user, known))?;
    Ok(Some(if objects {
        policy.slice_touching(principal, org, member)
    } else {
        policy.org_slice(principal, org, member)
    }))
}

/// The facts a write by `principal` on `res` is decided on: the organization, the principal's
/// and the named member's memberships, the workspaces and projects it names (a workspace
/// with its projects, a project with its workspace), the principal's sandbox.
pub fn for_write(
    db: &Db,
    principal: &Principal,
    res: &Resource,
    known: bool,
) -> Result<Option<Facts>, String> {
    let Some(m) = facts::meta(db)? else {
        return Ok(None);
    };
    let user = principal.user.unwrap_or(u64::MAX);
    let mut projects: Vec<u64> = res.project.into_iter().collect();
    let mut workspaces: Vec<u64> = [res.workspace, res.target_workspace]
        .into_iter()
        .flatten()
        .collect();
    if let Some(w) = res.workspace {
        projects.extend(db.ids(
            "SELECT id AS v FROM projects WHERE workspace = ?",
            vec![id(w)],
        )?);
    }
    workspaces.extend(db.ids(
        "SELECT workspace AS v FROM projects WHERE id IN (SELECT value FROM json_each(?)) \
         UNION SELECT id AS v FROM workspaces WHERE sandbox_of = ?",
        vec![id_list(&projects), id(user)],
    )?);
    workspaces.sort_unstable();
    workspaces.dedup();
    let mut members = vec![user, m.owner];
    members.extend(res.member);
    members.extend(db.ids(
        "SELECT sandbox_of AS v FROM workspaces WHERE id IN (SELECT value FROM json_each(?)) \
         AND sandbox_of IS NOT NULL",
        vec![id_list(&workspaces)],
    )?);
    let sel = Select {
        members: Some(members),
        workspaces: Some(workspaces),
        projects: Some(projects),
        user: Some(user),
        groups: Some(principal.groups.clone()),
        users: Some([user].into_iter().chain(res.member).collect()),
        ..Select::default()
    };
    Ok(facts::read(db, &sel)?.map(|f| with_known_user(f, principal.user, known)))
}

/// Whether `user` is a member of the organization (any status).
pub fn is_member(db: &Db, user: u64) -> Result<bool, String> {
    Ok(db
        .one("SELECT 1 AS v FROM members WHERE user = ?", vec![id(user)])?
        .is_some())
}

/// A member's status, if they are one.
pub fn status_of(db: &Db, user: u64) -> Result<Option<Status>, String> {
    let rows = db.rows("SELECT status FROM members WHERE user = ?", vec![id(user)])?;
    Ok(rows
        .first()
        .map(|m| match m.text(0).as_deref().unwrap_or("") {
            "active" => Status::Active,
            "deactivated" => Status::Deactivated,
            _ => Status::NotActivated,
        }))
}
