//! Importing an organization into its store, and exporting it. SPEC §4's snapshot stays the
//! exchange format: an import is one organization of a snapshot as lines of JSON (one fact
//! per line, see [`line`]), streamed, so that an organization of any size fits in an
//! object's memory; an export is the organization's facts as snapshot JSON, in canonical
//! order. An import fills staging tables while it reads, then replaces the facts in one
//! transaction (with the journal record and the new revision): a broken import leaves the
//! store as it was.

use serde::Deserialize;

use crate::store::db::{Arg, Db, Stmt, id, opt_text, stmt, text};
use crate::store::schema::FACT_TABLES;

/// The organization line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrgLine {
    id: u64,
    owner: u64,
    name: Option<String>,
    #[serde(default)]
    edition: Option<String>,
    #[serde(default)]
    disable_signup_without_link: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserLine {
    id: u64,
    email: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MemberLine {
    user: u64,
    role: Option<String>,
    status: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MappingLine {
    group: String,
    role: String,
    project: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WorkspaceLine {
    id: u64,
    name: Option<String>,
    sandbox_of: Option<u64>,
    #[serde(default)]
    members: Vec<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssignmentLine {
    user: u64,
    kind: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProjectLine {
    id: u64,
    workspace: u64,
    created_by: u64,
    title: Option<String>,
    #[serde(default)]
    annotators_can_view_own_data: bool,
    #[serde(default)]
    members: Vec<u64>,
    #[serde(default)]
    assignments: Vec<AssignmentLine>,
}

/// One line of an import.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Line {
    /// The organization (first).
    Org(OrgLine),
    /// A user (id, email, name).
    User(UserLine),
    /// A membership.
    Member(MemberLine),
    /// A valid invite token.
    Token(String),
    /// A group mapping.
    Mapping(MappingLine),
    /// A workspace, with its members.
    Workspace(WorkspaceLine),
    /// A project, with its members and assignments.
    Project(ProjectLine),
}

/// Reads one line of an import.
pub(crate) fn line(text: &str) -> Result<Line, String> {
    serde_json::from_str(text).map_err(|e| format!("import line: {e}"))
}

/// Creates empty staging tables for an import.
pub fn begin(db: &Db) -> Result<(), String> {
    for t in FACT_TABLES {
        db.run(&format!("DROP TABLE IF EXISTS stage_{t}"), vec![])?;
        db.run(
            &format!("CREATE TABLE stage_{t} AS SELECT * FROM {t} WHERE 0"),
            vec![],
        )?;
    }
    db.run("DROP TABLE IF EXISTS stage_meta", vec![])?;
    db.run(
        "CREATE TABLE stage_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        vec![],
    )?;
    Ok(())
}

fn insert(table: &str, columns: &str, args: Vec<Arg>) -> Stmt {
    let marks = vec!["?"; args.len()].join(", ");
    stmt(
        format!("INSERT INTO stage_{table} ({columns}) VALUES ({marks})"),
        args,
    )
}

/// The staging statements of one line.
pub(crate) fn stage(l: Line) -> Result<Vec<Stmt>, String> {
    Ok(match l {
        Line::Org(o) => {
            let edition = o.edition.unwrap_or_else(|| String::from("enterprise"));
            if edition != "enterprise" && edition != "teams" {
                return Err(format!("`{edition}` is not an edition"));
            }
            let mut s = vec![
                stmt(
                    "INSERT INTO stage_meta VALUES ('org', ?)",
                    vec![text(o.id.to_string())],
                ),
                stmt(
                    "INSERT INTO stage_meta VALUES ('owner', ?)",
                    vec![text(o.owner.to_string())],
                ),
                stmt(
                    "INSERT INTO stage_meta VALUES ('edition', ?)",
                    vec![text(edition)],
                ),
                stmt(
                    "INSERT INTO stage_meta VALUES ('signup', ?)",
                    vec![text(if o.disable_signup_without_link {
                        "1"
                    } else {
                        "0"
                    })],
                ),
            ];
            if let Some(n) = o.name {
                s.push(stmt(
                    "INSERT INTO stage_meta VALUES ('name', ?)",
                    vec![text(n)],
                ));
            }
            s
        }
        Line::User(u) => {
            let key = u.email.as_deref().map(str::to_ascii_lowercase);
            vec![insert(
                "users",
                "id, email, email_key, name",
                vec![
                    id(u.id),
                    opt_text(u.email.as_deref()),
                    opt_text(key.as_deref()),
                    opt_text(u.name.as_deref()),
                ],
            )]
        }
        Line::Member(m) => vec![insert(
            "members",
            "user, role, status",
            vec![id(m.user), opt_text(m.role.as_deref()), text(m.status)],
        )],
        Line::Token(t) => vec![insert("invite_tokens", "token", vec![text(t)])],
        Line::Mapping(g) => vec![insert(
            "group_mappings",
            "grp, project, role",
            vec![text(g.group), id(g.project.unwrap_or(0)), text(g.role)],
        )],
        Line::Workspace(w) => {
            let mut s = vec![insert(
                "workspaces",
                "id, name, sandbox_of",
                vec![
                    id(w.id),
                    opt_text(w.name.as_deref()),
                    w.sandbox_of.map_or(Arg::Null, id),
                ],
            )];
            for u in w.members {
                s.push(insert(
                    "workspace_members",
                    "workspace, user",
                    vec![id(w.id), id(u)],
                ));
            }
            s
        }
        Line::Project(p) => {
            let mut s = vec![insert(
                "projects",
                "id, workspace, created_by, title, own_data",
                vec![
                    id(p.id),
                    id(p.workspace),
                    id(p.created_by),
                    opt_text(p.title.as_deref()),
                    id(u64::from(p.annotators_can_view_own_data)),
                ],
            )];
            for u in p.members {
                s.push(insert(
                    "project_members",
                    "project, user",
                    vec![id(p.id), id(u)],
                ));
            }
            for a in p.assignments {
                if a.kind != "annotate" && a.kind != "review" {
                    return Err(format!("`{}` is not an assignment kind", a.kind));
                }
                s.push(insert(
                    "assignments",
                    "project, task, user, kind",
                    vec![id(p.id), id(0), id(a.user), text(a.kind)],
                ));
            }
            s
        }
    })
}

/// Runs staging statements (outside a transaction: the import is made atomic at commit).
pub fn run(db: &Db, stmts: Vec<Stmt>) -> Result<(), String> {
    for s in stmts {
        db.run(&s.sql, s.args)?;
    }
    Ok(())
}

/// Replaces the facts with the staged ones, in one transaction with the journal record; the
/// revision goes on from the old one. `fault`: a test's failure that many statements in.
pub fn commit(db: &Db, now_ms: u64, rows: u64, fault: Option<usize>) -> Result<u64, String> {
    let staged_org = db.one(
        "SELECT CAST(value AS INTEGER) AS v FROM stage_meta WHERE key = 'org'",
        vec![],
    )?;
    if staged_org.is_none() {
        return Err(String::from("the import has no organization line"));
    }
    let revision = db
        .one(
            "SELECT CAST(value AS INTEGER) AS v FROM meta WHERE key = 'revision'",
            vec![],
        )?
        .unwrap_or(0)
        + 1;
    let mut stmts = Vec::new();
    for t in FACT_TABLES {
        stmts.push(stmt(format!("DELETE FROM {t}"), vec![]));
        stmts.push(stmt(
            format!("INSERT INTO {t} SELECT * FROM stage_{t}"),
            vec![],
        ));
    }
    stmts.push(stmt(
        "DELETE FROM meta WHERE key IN ('org', 'owner', 'name', 'edition', 'signup')",
        vec![],
    ));
    stmts.push(stmt(
        "INSERT INTO meta SELECT key, value FROM stage_meta",
        vec![],
    ));
    stmts.push(stmt(
        "INSERT INTO meta (key, value) VALUES ('revision', ?) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        vec![text(revision.to_string())],
    ));
    stmts.push(stmt(
        "INSERT INTO journal (time_ms, actor, action, detail, revision) VALUES (?, NULL, 'import', ?, ?)",
        vec![id(now_ms), text(format!("{{\"rows\":{rows}}}")), id(revision)],
    ));
    db.apply(stmts, fault)?;
    drop_staging(db)?;
    Ok(revision)
}

/// Removes the staging tables (after a commit, or a failed import).
pub fn drop_staging(db: &Db) -> Result<(), String> {
    for t in FACT_TABLES {
        db.run(&format!("DROP TABLE IF EXISTS stage_{t}"), vec![])?;
    }
    db.run("DROP TABLE IF EXISTS stage_meta", vec![])
}

/// What a bootstrap adopts from an existing Label Studio.
#[derive(Deserialize)]
pub struct Adopt {
    /// The organization (Label Studio's id).
    pub org: u64,
    /// Its name.
    pub name: Option<String>,
    /// Its owner, for a store that has none yet (else the first user).
    pub owner: Option<u64>,
    /// Its users.
    #[serde(default)]
    pub users: Vec<AdoptUser>,
    /// Its projects.
    #[serde(default)]
    pub projects: Vec<AdoptProject>,
    /// The workspace new projects go to (default `Default`).
    pub workspace: Option<String>,
}

/// A user of Label Studio.
#[derive(Deserialize)]
pub struct AdoptUser {
    /// Id.
    pub id: u64,
    /// Email.
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
}

/// A project of Label Studio.
#[derive(Deserialize)]
pub struct AdoptProject {
    /// Id.
    pub id: u64,
    /// Creator.
    pub created_by: Option<u64>,
    /// Title.
    pub title: Option<String>,
}

/// The statements of a bootstrap: the organization if the store is empty, every user not yet
/// a member as pending (the owner, active owner), every project not yet known into the
/// default workspace (made if missing). Nobody's role changes: run again, it only adds.
pub fn adopt(db: &Db, a: &Adopt, now_ms: u64) -> Result<Vec<Stmt>, String> {
    let existing = crate::store::facts::meta(db)?;
    let mut users: Vec<&AdoptUser> = a.users.iter().collect();
    users.sort_unstable_by_key(|u| u.id);
    let owner = match &existing {
        Some(m) => m.owner,
        None => a
            .owner
            .or_else(|| users.first().map(|u| u.id))
            .ok_or_else(|| {
                String::from("a bootstrap of an empty store needs an owner or a user")
            })?,
    };
    let mut s = Vec::new();
    if existing.is_none() {
        for (k, v) in [
            ("org", a.org.to_string()),
            ("owner", owner.to_string()),
            ("edition", String::from("enterprise")),
            ("signup", String::from("1")),
            ("revision", String::from("0")),
        ] {
            s.push(stmt(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                vec![text(k), text(v)],
            ));
        }
        if let Some(n) = &a.name {
            s.push(stmt(
                "INSERT INTO meta (key, value) VALUES ('name', ?)",
                vec![text(n.as_str())],
            ));
        }
        s.push(stmt(
            "INSERT OR IGNORE INTO members (user, role, status) VALUES (?, 'owner', 'active')",
            vec![id(owner)],
        ));
    }
    for u in users {
        let key = u.email.as_deref().map(str::to_ascii_lowercase);
        s.push(stmt(
            "INSERT INTO users (id, email, email_key, name) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE \
             SET email = excluded.email, email_key = excluded.email_key, name = COALESCE(excluded.name, users.name)",
            vec![id(u.id), opt_text(u.email.as_deref()), opt_text(key.as_deref()), opt_text(u.name.as_deref())],
        ));
        s.push(stmt(
            "INSERT OR IGNORE INTO members (user, role, status) VALUES (?, NULL, 'not_activated')",
            vec![id(u.id)],
        ));
    }
    let title = a
        .workspace
        .clone()
        .unwrap_or_else(|| String::from("Default"));
    let workspace = match db.one(
        "SELECT id AS v FROM workspaces WHERE name = ? AND sandbox_of IS NULL ORDER BY id LIMIT 1",
        vec![text(title.as_str())],
    )? {
        Some(w) => w,
        None => {
            let w = crate::store::schema::new_workspace_id(db, a.org)?;
            s.push(stmt(
                "INSERT INTO workspaces (id, name) VALUES (?, ?)",
                vec![id(w), text(title)],
            ));
            w
        }
    };
    for p in &a.projects {
        s.push(stmt(
            "INSERT OR IGNORE INTO projects (id, workspace, created_by, title) VALUES (?, ?, ?, ?)",
            vec![
                id(p.id),
                id(workspace),
                id(p.created_by.unwrap_or(owner)),
                opt_text(p.title.as_deref()),
            ],
        ));
    }
    s.push(stmt(
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'",
        vec![],
    ));
    s.push(stmt(
        "INSERT INTO journal (time_ms, actor, action, detail, revision) VALUES \
         (?, NULL, 'bootstrap', ?, (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'revision'))",
        vec![
            id(now_ms),
            text(format!("{{\"users\":{},\"projects\":{}}}", a.users.len(), a.projects.len())),
        ],
    ));
    Ok(s)
}
