//! What the store answers without changing anything: pages of members (Enterprise's shape,
//! role codes `OW AD MA RE AN NO DI`), one member, the members of a workspace or project,
//! the journal of changes, and the decision of a signup (on the invite tokens, which no
//! slice carries).

use policy_core::{
    Action, Facts, MemberFacts, OrgFacts, Principal, Request, Resource, Role, Status,
};
use serde_json::{Value, json};

use crate::store::db::{Db, id};
use crate::store::facts::{self, role_of};
use crate::store::protocol::Read;
use crate::store::reach;

fn status_of(name: &str) -> Status {
    match name {
        "active" => Status::Active,
        "deactivated" => Status::Deactivated,
        _ => Status::NotActivated,
    }
}

/// A member as `MEMBER_SELECT` reads them.
struct MemberRow {
    user: u64,
    role: Option<String>,
    status: String,
    email: Option<String>,
    name: Option<String>,
}

fn members(db: &Db, sql: &str, args: Vec<crate::store::db::Arg>) -> Result<Vec<MemberRow>, String> {
    Ok(db
        .rows(sql, args)?
        .iter()
        .filter_map(|r| {
            Some(MemberRow {
                user: r.id(0)?,
                role: r.text(1),
                status: r.text(2)?,
                email: r.text(3),
                name: r.text(4),
            })
        })
        .collect())
}

fn member_json(org: u64, r: &MemberRow) -> Value {
    let status = status_of(&r.status);
    let (first, last) = match r
        .name
        .as_deref()
        .map(|n| n.split_once(' ').unwrap_or((n, "")))
    {
        Some((f, l)) => (f.to_owned(), l.to_owned()),
        None => (String::new(), String::new()),
    };
    json!({
        "user_id": r.user,
        "organization": org,
        "role": crate::codes::code_of(role_of(r.role.as_deref()), status),
        "status": status.name(),
        "user": {"id": r.user, "email": r.email, "first_name": first, "last_name": last},
    })
}

const MEMBER_SELECT: &str = "SELECT m.user AS user, m.role AS role, m.status AS status, \
     u.email AS email, u.name AS name FROM members m LEFT JOIN users u ON u.id = m.user";

fn page_of(page: Option<u64>, size: Option<u64>) -> (u64, u64) {
    (page.unwrap_or(1).max(1), size.unwrap_or(30).clamp(1, 1000))
}

/// Answers a read ([`Read`]).
pub fn answer(db: &Db, ask: &Read) -> Result<Value, String> {
    let m = facts::meta(db)?.ok_or_else(|| String::from("the store holds no organization"))?;
    Ok(match ask {
        Read::Members { page, page_size } => {
            let (page, size) = page_of(*page, *page_size);
            let count = db
                .one("SELECT COUNT(*) AS v FROM members", vec![])?
                .unwrap_or(0);
            let rows = members(
                db,
                &format!("{MEMBER_SELECT} ORDER BY m.user LIMIT ? OFFSET ?"),
                vec![id(size), id((page - 1) * size)],
            )?;
            json!({
                "count": count,
                "page": page,
                "page_size": size,
                "results": rows.iter().map(|r| member_json(m.org, r)).collect::<Vec<_>>(),
            })
        }
        Read::Member { user } => {
            let rows = members(
                db,
                &format!("{MEMBER_SELECT} WHERE m.user = ?"),
                vec![id(*user)],
            )?;
            rows.first().map_or(Value::Null, |r| member_json(m.org, r))
        }
        Read::Roles { users } => {
            let rows = members(
                db,
                &format!(
                    "{MEMBER_SELECT} WHERE m.user IN (SELECT value FROM json_each(?)) ORDER BY m.user"
                ),
                vec![crate::store::facts::id_list(users)],
            )?;
            Value::Array(rows.iter().map(|r| member_json(m.org, r)).collect())
        }
        Read::AssignedTasks { project, user } => json!(db.ids(
            "SELECT DISTINCT task AS v FROM assignments \
                 WHERE project = ? AND user = ? AND kind = 'annotate' AND task != 0 ORDER BY task",
            vec![id(*project), id(*user)],
        )?),
        Read::WorkspaceMembers { workspace } => members_of(
            db,
            m.org,
            "workspace_members",
            "workspace",
            Some(*workspace),
        )?,
        Read::ProjectMembers { project } => {
            members_of(db, m.org, "project_members", "project", Some(*project))?
        }
        Read::Journal { page, page_size } => {
            let (page, size) = page_of(*page, *page_size);
            let count = db
                .one("SELECT COUNT(*) AS v FROM journal", vec![])?
                .unwrap_or(0);
            let rows = db.rows(
                "SELECT seq, time_ms, actor, action, detail, revision FROM journal \
                 ORDER BY seq DESC LIMIT ? OFFSET ?",
                vec![id(size), id((page - 1) * size)],
            )?;
            json!({
                "count": count,
                "results": rows.iter().map(|j| json!({
                    "seq": j.id(0), "time_ms": j.id(1), "actor": j.id(2), "action": j.text(3),
                    "detail": j.text(4), "revision": j.id(5),
                })).collect::<Vec<_>>(),
            })
        }
        Read::Users { ids } => {
            // Users' names and emails for the activity log, and whether they are members.
            let rows = members(
                db,
                "SELECT m.user AS user, m.role AS role, m.status AS status, u.email AS email, \
                 u.name AS name FROM members m LEFT JOIN users u ON u.id = m.user \
                 WHERE m.user IN (SELECT value FROM json_each(?))",
                vec![crate::store::facts::id_list(ids)],
            )?;
            Value::Array(
                rows.iter()
                    .map(
                        |r| json!({"id": r.user, "email": r.email, "name": r.name, "member": true}),
                    )
                    .collect(),
            )
        }
        Read::GroupMappings => {
            let rows = db.rows(
                "SELECT grp, project, role FROM group_mappings ORDER BY grp, project",
                vec![],
            )?;
            Value::Array(
                rows.iter()
                    .map(|g| {
                        let project = g.id(1).filter(|p| *p != 0);
                        json!({"group": g.text(0), "role": g.text(2), "project": project})
                    })
                    .collect(),
            )
        }
    })
}

/// The decision of `org.signup` with `token`, on the organization, its settings and tokens.
pub fn signup(db: &Db, token: Option<&str>) -> Result<Value, String> {
    let Some(f) = facts::read(
        db,
        &facts::Select {
            members: Some(Vec::new()),
            workspaces: Some(Vec::new()),
            projects: Some(Vec::new()),
            groups: Some(Vec::new()),
            users: Some(Vec::new()),
            ..facts::Select::default()
        },
    )?
    else {
        return Ok(Value::Null);
    };
    let Some(org) = f.organizations.first().map(|o| (o.id, o.owner)) else {
        return Ok(Value::Null);
    };
    // The owner's membership makes the facts whole enough to load; signup reads none of it.
    let facts = Facts {
        organizations: f
            .organizations
            .into_iter()
            .map(|o| OrgFacts {
                members: vec![MemberFacts {
                    user: org.1,
                    role: Some(Role::Owner),
                    status: Status::Active,
                }],
                ..o
            })
            .collect(),
        ..f
    };
    let policy = reach::policy_of(facts)?;
    let mut res = Resource::org();
    res.invite_token = token.map(str::to_owned);
    let d = policy.decide(&Request {
        principal: Principal::default(),
        org: org.0,
        action: Action::OrgSignup,
        resource: res,
    });
    serde_json::from_str(&d.to_json()).map_err(|e| e.to_string())
}

/// The members listed in `table` (`workspace_members`, `project_members`) for `column` = `of`.
fn members_of(
    db: &Db,
    org: u64,
    table: &str,
    column: &str,
    of: Option<u64>,
) -> Result<Value, String> {
    let rows = members(
        db,
        &format!(
            "{MEMBER_SELECT} WHERE m.user IN (SELECT user FROM {table} WHERE {column} = ?) ORDER BY m.user"
        ),
        vec![id(of.unwrap_or(0))],
    )?;
    Ok(Value::Array(
        rows.iter().map(|r| member_json(org, r)).collect(),
    ))
}
