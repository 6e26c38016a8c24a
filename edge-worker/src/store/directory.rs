//! The directory: one more object of the store's class, named `directory`, that routes a
//! request to its organization: the organizations of a user (and whether the user exists at
//! all), the user of an email (Cloudflare Access), the organization of a project or
//! workspace. It is told by each organization's object after every change that moves these
//! (an import, a new or removed member, project or workspace): the change waits in that
//! object's outbox until the directory has it, retried by the object's alarm. Decisions are
//! never taken on the directory: it only says which organization's facts to ask.

use serde::Deserialize;
use serde_json::{Value, json};
use worker::{Env, Method, Request, RequestInit};

use crate::store::db::{Db, id, opt_text, stmt, text};
use crate::store::facts;
use crate::store::namespace::BINDING;

/// The directory object's name.
pub const NAME: &str = "directory";

const TABLES: [&str; 3] = [
    "CREATE TABLE IF NOT EXISTS dir_user_orgs (user INTEGER NOT NULL, org INTEGER NOT NULL, PRIMARY KEY (user, org))",
    "CREATE TABLE IF NOT EXISTS dir_emails (email_key TEXT PRIMARY KEY, user INTEGER NOT NULL, org INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS dir_objects (kind TEXT NOT NULL, id INTEGER NOT NULL, org INTEGER NOT NULL, PRIMARY KEY (kind, id))",
];

#[derive(Deserialize, Default)]
struct UserEntry {
    id: u64,
    email: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Changes {
    org: u64,
    replace: bool,
    add_users: Vec<UserEntry>,
    remove_users: Vec<u64>,
    add_projects: Vec<u64>,
    remove_projects: Vec<u64>,
    add_workspaces: Vec<u64>,
    remove_workspaces: Vec<u64>,
}

/// Answers `/dir/<op>`: `apply` (changes of one organization) or `lookup`.
pub fn answer(db: &Db, op: &str, body: &Value) -> Result<Value, String> {
    for t in TABLES {
        db.run(t, vec![])?;
    }
    match op {
        "apply" => {
            let c: Changes = serde_json::from_value(body.clone()).map_err(|e| e.to_string())?;
            apply(db, &c)?;
            Ok(json!({"ok": true}))
        }
        "lookup" => lookup(db, body),
        other => Err(format!("no directory route `{other}`")),
    }
}

fn apply(db: &Db, c: &Changes) -> Result<(), String> {
    let org = id(c.org);
    let mut s = Vec::new();
    if c.replace {
        s.push(stmt(
            "DELETE FROM dir_user_orgs WHERE org = ?",
            vec![org.clone()],
        ));
        s.push(stmt(
            "DELETE FROM dir_emails WHERE org = ?",
            vec![org.clone()],
        ));
        s.push(stmt(
            "DELETE FROM dir_objects WHERE org = ?",
            vec![org.clone()],
        ));
    }
    for u in &c.add_users {
        s.push(stmt(
            "INSERT OR IGNORE INTO dir_user_orgs (user, org) VALUES (?, ?)",
            vec![id(u.id), org.clone()],
        ));
        if let Some(e) = &u.email {
            s.push(stmt(
                "INSERT INTO dir_emails (email_key, user, org) VALUES (?, ?, ?) \
                 ON CONFLICT (email_key) DO UPDATE SET user = excluded.user, org = excluded.org",
                vec![text(e.to_ascii_lowercase()), id(u.id), org.clone()],
            ));
        }
    }
    for u in &c.remove_users {
        s.push(stmt(
            "DELETE FROM dir_user_orgs WHERE user = ? AND org = ?",
            vec![id(*u), org.clone()],
        ));
        s.push(stmt(
            "DELETE FROM dir_emails WHERE user = ? AND org = ?",
            vec![id(*u), org.clone()],
        ));
    }
    for (kind, add, remove) in [
        ("project", &c.add_projects, &c.remove_projects),
        ("workspace", &c.add_workspaces, &c.remove_workspaces),
    ] {
        for o in add {
            s.push(stmt(
                "INSERT INTO dir_objects (kind, id, org) VALUES (?, ?, ?) \
                 ON CONFLICT (kind, id) DO UPDATE SET org = excluded.org",
                vec![text(kind), id(*o), org.clone()],
            ));
        }
        for o in remove {
            s.push(stmt(
                "DELETE FROM dir_objects WHERE kind = ? AND id = ? AND org = ?",
                vec![text(kind), id(*o), org.clone()],
            ));
        }
    }
    db.apply(s, None)
}

fn lookup(db: &Db, body: &Value) -> Result<Value, String> {
    let num = |k: &str| body.get(k).and_then(Value::as_u64);
    let mut out = serde_json::Map::new();
    if body.get("orgs").and_then(Value::as_bool) == Some(true) {
        out.insert(
            String::from("all_orgs"),
            json!(db.ids(
                "SELECT DISTINCT org AS v FROM dir_user_orgs ORDER BY org",
                vec![]
            )?),
        );
    }
    let mut user = num("user");
    if let Some(email) = body.get("email").and_then(Value::as_str) {
        user = db.one(
            "SELECT user AS v FROM dir_emails WHERE email_key = ?",
            vec![text(email.to_ascii_lowercase())],
        )?;
        out.insert(String::from("user"), json!(user));
    }
    if let Some(u) = user {
        let orgs = db.ids(
            "SELECT org AS v FROM dir_user_orgs WHERE user = ? ORDER BY org",
            vec![id(u)],
        )?;
        out.insert(String::from("known"), json!(!orgs.is_empty()));
        out.insert(String::from("orgs"), json!(orgs));
    }
    for kind in ["project", "workspace"] {
        if let Some(o) = num(kind) {
            let org = db.one(
                "SELECT org AS v FROM dir_objects WHERE kind = ? AND id = ?",
                vec![text(kind), id(o)],
            )?;
            out.insert(format!("{kind}_org"), json!(org));
        }
    }
    Ok(Value::Object(out))
}

/// The directory's whole view of the organization in `db` (after an import), put in the
/// outbox as changes of at most 2,000 users or objects each (an outbox row stays far below
/// SQLite's and the Durable Object's limits on a value): the first replaces what the
/// directory held, the others add. Built by SQLite itself, so an organization of any size
/// costs the object's WebAssembly memory nothing.
pub fn enqueue_whole_org(db: &Db) -> Result<(), String> {
    let Some(m) = facts::meta(db)? else {
        return Ok(());
    };
    db.run(OUTBOX, vec![])?;
    let org = id(m.org);
    db.run(
        "INSERT INTO outbox (body) VALUES (json_object('org', ?, 'replace', json('true')))",
        vec![org.clone()],
    )?;
    db.run(
        "INSERT INTO outbox (body) \
         SELECT json_object('org', ?, 'add_users', json_group_array(json_object('id', user, 'email', email))) \
         FROM (SELECT m.user AS user, u.email AS email, \
                      (ROW_NUMBER() OVER (ORDER BY m.user) - 1) / 2000 AS chunk \
               FROM members m LEFT JOIN users u ON u.id = m.user) \
         GROUP BY chunk ORDER BY chunk",
        vec![org.clone()],
    )?;
    for (key, table) in [
        ("add_projects", "projects"),
        ("add_workspaces", "workspaces"),
    ] {
        db.run(
            &format!(
                "INSERT INTO outbox (body) \
                 SELECT json_object('org', ?, '{key}', json_group_array(id)) \
                 FROM (SELECT id, (ROW_NUMBER() OVER (ORDER BY id) - 1) / 2000 AS chunk FROM {table}) \
                 GROUP BY chunk ORDER BY chunk"
            ),
            vec![org.clone()],
        )?;
    }
    Ok(())
}

const OUTBOX: &str =
    "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)";

/// Puts `changes` (of the organization in `db`) in the outbox.
pub fn enqueue(db: &Db, changes: &Value) -> Result<(), String> {
    let Some(m) = facts::meta(db)? else {
        return Ok(());
    };
    let mut c = changes.clone();
    if let Some(o) = c.as_object_mut() {
        o.insert(String::from("org"), json!(m.org));
    }
    db.run(OUTBOX, vec![])?;
    db.run(
        "INSERT INTO outbox (body) VALUES (?)",
        vec![opt_text(Some(&c.to_string()))],
    )
}

/// Sends the outbox to the directory, oldest first, one change at a time; each change leaves
/// it once delivered.
pub async fn flush(db: &Db, env: &Env) -> Result<(), String> {
    db.run(OUTBOX, vec![])?;
    let stub = env
        .durable_object(BINDING)
        .and_then(|ns| ns.get_by_name(NAME))
        .map_err(|e| e.to_string())?;
    loop {
        let next = db
            .rows("SELECT seq, body FROM outbox ORDER BY seq LIMIT 1", vec![])?
            .first()
            .and_then(|r| Some((r.id(0)?, r.text(1)?)));
        let Some((seq, body)) = next else {
            return Ok(());
        };
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_body(Some(worker::wasm_bindgen::JsValue::from_str(&body)));
        let req =
            Request::new_with_init("https://store/dir/apply", &init).map_err(|e| e.to_string())?;
        let resp = stub
            .fetch_with_request(req)
            .await
            .map_err(|e| e.to_string())?;
        if resp.status_code() != 200 {
            return Err(format!("the directory answered {}", resp.status_code()));
        }
        db.run("DELETE FROM outbox WHERE seq = ?", vec![id(seq)])?;
    }
}
