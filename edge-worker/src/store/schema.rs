//! The schema of an organization's store, and its versioned migrations. `meta` holds the
//! schema version, the organization (id, owner, name, edition, settings), the revision (one
//! more on every write) and the next workspace id. Every other table is one kind of fact of
//! SPEC §4, plus the journal of changes. Migrations run once per object start, in order,
//! each in one transaction with the version it brings.

use crate::store::db::{Db, id, stmt, text};

/// The statements of each schema version, in order.
const MIGRATIONS: &[&[&str]] = &[
    // 1: the facts of SPEC §4 and the journal.
    &[
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, email_key TEXT UNIQUE, name TEXT)",
        "CREATE TABLE members (user INTEGER PRIMARY KEY, role TEXT, status TEXT NOT NULL)",
        "CREATE TABLE invite_tokens (token TEXT PRIMARY KEY)",
        "CREATE TABLE group_mappings (grp TEXT NOT NULL, project INTEGER NOT NULL, role TEXT NOT NULL, \
         PRIMARY KEY (grp, project))",
        "CREATE TABLE workspaces (id INTEGER PRIMARY KEY, name TEXT, sandbox_of INTEGER UNIQUE)",
        "CREATE TABLE workspace_members (workspace INTEGER NOT NULL, user INTEGER NOT NULL, \
         PRIMARY KEY (workspace, user))",
        "CREATE INDEX workspace_members_by_user ON workspace_members (user, workspace)",
        "CREATE TABLE projects (id INTEGER PRIMARY KEY, workspace INTEGER NOT NULL, \
         created_by INTEGER NOT NULL, title TEXT, own_data INTEGER NOT NULL DEFAULT 0)",
        "CREATE INDEX projects_by_workspace ON projects (workspace)",
        "CREATE INDEX projects_by_creator ON projects (created_by)",
        "CREATE TABLE project_members (project INTEGER NOT NULL, user INTEGER NOT NULL, \
         PRIMARY KEY (project, user))",
        "CREATE INDEX project_members_by_user ON project_members (user, project)",
        // An assignment of a task (`task` 0: of the project as a whole, as a snapshot states it).
        "CREATE TABLE assignments (project INTEGER NOT NULL, task INTEGER NOT NULL, \
         user INTEGER NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (project, user, kind, task))",
        "CREATE INDEX assignments_by_user ON assignments (user, project)",
        "CREATE TABLE journal (seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, \
         actor INTEGER, action TEXT NOT NULL, detail TEXT NOT NULL, revision INTEGER NOT NULL)",
    ],
];

/// The version this build of the Worker writes.
pub const VERSION: usize = MIGRATIONS.len();

/// The tables of facts, in the order an import fills and a wipe empties them.
pub const FACT_TABLES: [&str; 9] = [
    "users",
    "members",
    "invite_tokens",
    "group_mappings",
    "workspaces",
    "workspace_members",
    "projects",
    "project_members",
    "assignments",
];

/// The schema version of `db` (0: empty).
pub fn version(db: &Db) -> Result<usize, String> {
    db.run(
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        vec![],
    )?;
    let rows = db.rows("SELECT value FROM meta WHERE key = 'schema'", vec![])?;
    Ok(rows
        .first()
        .and_then(|r| r.text(0)?.parse().ok())
        .unwrap_or(0))
}

/// Brings `db` to [`VERSION`]. A database of a newer version is refused (an older Worker
/// must not write it).
pub fn migrate(db: &Db) -> Result<(), String> {
    let at = version(db)?;
    if at > VERSION {
        return Err(format!(
            "the store's schema is version {at}, newer than this Worker's {VERSION}"
        ));
    }
    for (i, steps) in MIGRATIONS.iter().enumerate().skip(at) {
        let mut stmts: Vec<_> = steps.iter().map(|s| stmt(*s, vec![])).collect();
        stmts.push(stmt(
            "INSERT INTO meta (key, value) VALUES ('schema', ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            vec![text((i + 1).to_string())],
        ));
        db.apply(stmts, None)?;
    }
    Ok(())
}

/// The id of a workspace the store makes in `org` (Label Studio Community has none of its
/// own): `org` x 1,000,000 + n, after the highest one there.
pub fn new_workspace_id(db: &Db, org: u64) -> Result<u64, String> {
    Ok(db
        .one(
            "SELECT COALESCE(MAX(id), ?1 * 1000000) + 1 AS v FROM workspaces WHERE id > ?1 * 1000000",
            vec![id(org)],
        )?
        .unwrap_or(org * 1_000_000 + 1))
}
