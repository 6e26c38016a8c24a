//! The Durable Object class of the store: it serves the requests of the table in
//! [`crate::store`]. (The `#[durable_object]` macro generates undocumented methods.)
#![allow(missing_docs)]

use std::cell::Cell;

use futures_util::StreamExt;
use policy_core::Principal;
use serde_json::{Value, json};
use worker::{DurableObject, Env, Request, Response, State, durable_object};

use crate::store::db::Db;
use crate::store::protocol::{Read, SignupAsk, SliceAsk, WriteAsk};
use crate::store::{directory, facts, load, ops, reach, read, schema};

/// The most task assignments an import may hold for policy-core to validate it whole; a
/// larger one has its assignments checked in SQL instead (they are most of it: 1,000,000 of
/// the large organization's 1,110,000 facts), the rest by the core, so that validating it
/// fits in the object's memory.
const VALIDATE_MAX_ASSIGNMENTS: u64 = 100_000;

/// Refuses a staged import that the core would refuse (see [`VALIDATE_MAX_ASSIGNMENTS`]).
fn validate(db: &Db, max_assignments: u64) -> Result<(), String> {
    let assignments = db
        .one("SELECT COUNT(*) AS v FROM stage_assignments", vec![])?
        .unwrap_or(0);
    let large = assignments > max_assignments;
    let staged = facts::read(
        db,
        &facts::Select {
            prefix: "stage_",
            skip_assignments: large,
            // Names and emails decide nothing: a large import is validated without them.
            users: large.then(Vec::new),
            ..facts::Select::default()
        },
    )?
    .ok_or_else(|| String::from("the import has no organization line"))?;
    policy_core::Snapshot::from_facts(staged).map_err(|e| e.to_string())?;
    if large {
        let stray = db.rows(
            "SELECT a.project, a.user, p.id IS NULL, m.user IS NULL FROM stage_assignments a \
             LEFT JOIN stage_projects p ON p.id = a.project \
             LEFT JOIN stage_members m ON m.user = a.user \
             WHERE p.id IS NULL OR m.user IS NULL LIMIT 1",
            vec![],
        )?;
        if let Some(r) = stray.first() {
            let (project, user) = (r.id(0).unwrap_or(0), r.id(1).unwrap_or(0));
            return Err(if r.id(2) == Some(1) {
                format!("an assignment names project `{project}`, which the import does not hold")
            } else {
                format!(
                    "project `{project}` assigns a task to `{user}`, who is not a member of the organization"
                )
            });
        }
    }
    Ok(())
}

/// An organization's store, or the directory.
#[allow(missing_docs)]
#[durable_object(alarm)]
pub struct Store {
    state: State,
    env: Env,
    migrated: Cell<bool>,
}

fn json_answer(status: u16, v: &Value) -> worker::Result<Response> {
    Ok(Response::from_json(v)?.with_status(status))
}

fn failure(e: String) -> worker::Result<Response> {
    worker::console_error!("labelgate store: {e}");
    json_answer(500, &json!({"error": "store_failed", "message": e}))
}

impl DurableObject for Store {
    fn new(state: State, env: Env) -> Self {
        Store {
            state,
            env,
            migrated: Cell::new(false),
        }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        match self.answer(req).await {
            Ok(resp) => Ok(resp),
            Err(e) => failure(e),
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        if let Err(e) = directory::flush(&self.db(), &self.env).await {
            worker::console_error!("labelgate store: directory outbox: {e}");
            let _ = self.state.storage().set_alarm(5_000).await;
        }
        Response::ok("")
    }
}

impl Store {
    fn db(&self) -> Db {
        Db::of(&self.state)
    }

    async fn answer(&self, mut req: Request) -> Result<Response, String> {
        let db = self.db();
        let path = req.path();
        if let Some(op) = path.strip_prefix("/dir/") {
            let body: Value = req.json().await.map_err(|e| e.to_string())?;
            let answer = directory::answer(&db, op, &body)?;
            return json_answer(200, &answer).map_err(|e| e.to_string());
        }
        if !self.migrated.get() {
            schema::migrate(&db)?;
            self.migrated.set(true);
        }
        let now = js_sys::Date::now() as u64;
        let answer = match (req.method().to_string().as_str(), path.as_str()) {
            ("POST", "/import") => return self.import(&db, &mut req, now).await,
            ("GET", "/export") => {
                let facts = facts::read(&db, &facts::Select::default())?;
                return match facts {
                    Some(f) => Response::ok(f.to_json()).map_err(|e| e.to_string()),
                    None => json_answer(404, &json!({"error": "empty_store", "message": "the store holds no organization"}))
                        .map_err(|e| e.to_string()),
                };
            }
            ("POST", "/slice") => {
                let ask: SliceAsk = req.json().await.map_err(|e| e.to_string())?;
                let revision = facts::meta(&db)?.map(|m| m.revision);
                match revision {
                    None => json!({"revision": null, "facts": null}),
                    Some(r) if ask.since == Some(r) => json!({"revision": r, "facts": null}),
                    Some(r) => {
                        let principal = Principal {
                            user: ask.user,
                            groups: ask.groups,
                        };
                        let slice =
                            reach::slice(&db, &principal, ask.known, ask.member, ask.objects)?;
                        json!({"revision": r, "facts": slice.map(|f| f.to_json())})
                    }
                }
            }
            ("GET", "/revision") => json!({"revision": facts::meta(&db)?.map(|m| m.revision)}),
            ("GET", "/stats") => json!({
                "size_bytes": db.size(),
                "revision": facts::meta(&db)?.map(|m| m.revision),
            }),
            ("POST", "/write") => {
                let ask: WriteAsk = req.json().await.map_err(|e| e.to_string())?;
                let actor =
                    Principal::from_json(&ask.actor.to_string()).map_err(|e| e.to_string())?;
                let out = ops::write(&db, &actor, ask.known, &ask.op, now, ask.fault, ask.dry)?;
                if !out.refused && !out.directory.is_null() {
                    directory::enqueue(&db, &out.directory)?;
                    self.tell_directory(&db).await;
                }
                json!({
                    "refused": out.refused,
                    "decision": out.decision.map(|d| serde_json::from_str::<Value>(&d.to_json()).unwrap_or(Value::Null)),
                    "revision": out.revision,
                    "result": out.result,
                })
            }
            ("POST", "/read") => {
                let ask: Read = req.json().await.map_err(|e| e.to_string())?;
                read::answer(&db, &ask)?
            }
            ("POST", "/adopt") => {
                let a: load::Adopt = req.json().await.map_err(|e| e.to_string())?;
                let stmts = load::adopt(&db, &a, now)?;
                db.apply(stmts, None)?;
                directory::enqueue_whole_org(&db)?;
                self.tell_directory(&db).await;
                json!({"revision": facts::meta(&db)?.map(|m| m.revision)})
            }
            ("POST", "/signup") => {
                let ask: SignupAsk = req.json().await.map_err(|e| e.to_string())?;
                read::signup(&db, ask.token.as_deref())?
            }
            (m, p) => {
                return json_answer(
                    404,
                    &json!({"error": "no_such_store_route", "message": format!("`{m} {p}`")}),
                )
                .map_err(|e| e.to_string());
            }
        };
        json_answer(200, &answer).map_err(|e| e.to_string())
    }

    /// Imports lines of JSON (one fact each), streamed into staging tables, then validated
    /// and committed at once.
    async fn import(&self, db: &Db, req: &mut Request, now: u64) -> Result<Response, String> {
        let number = |name: &str| {
            req.headers()
                .get(name)
                .ok()
                .flatten()
                .and_then(|v| v.parse::<u64>().ok())
        };
        // Tests: a failure after that many statements of the commit (the test bundle only);
        // the large path's validation from that many assignments.
        #[cfg(feature = "test-endpoints")]
        let fault = number("x-labelgate-fault").and_then(|v| usize::try_from(v).ok());
        #[cfg(not(feature = "test-endpoints"))]
        let fault = None;
        let max =
            number("x-labelgate-validate-max-assignments").unwrap_or(VALIDATE_MAX_ASSIGNMENTS);
        load::begin(db)?;
        let outcome = self.stage_lines(db, req).await;
        let rows = match outcome {
            Ok(rows) => rows,
            Err(e) => {
                load::drop_staging(db)?;
                return json_answer(400, &json!({"error": "bad_import", "message": e}))
                    .map_err(|e| e.to_string());
            }
        };
        if let Err(e) = validate(db, max) {
            load::drop_staging(db)?;
            return json_answer(400, &json!({"error": "bad_import", "message": e}))
                .map_err(|e| e.to_string());
        }
        let revision = match load::commit(db, now, rows, fault) {
            Ok(r) => r,
            Err(e) => {
                load::drop_staging(db)?;
                return json_answer(500, &json!({"error": "import_failed", "message": e}))
                    .map_err(|e| e.to_string());
            }
        };
        self.migrated.set(true);
        directory::enqueue_whole_org(db)?;
        self.tell_directory(db).await;
        json_answer(200, &json!({"revision": revision, "rows": rows})).map_err(|e| e.to_string())
    }

    async fn stage_lines(&self, db: &Db, req: &mut Request) -> Result<u64, String> {
        let mut stream = req.stream().map_err(|e| e.to_string())?;
        let mut pending: Vec<u8> = Vec::new();
        let mut rows = 0u64;
        let mut first = true;
        let handle = |text: &str, rows: &mut u64, first: &mut bool| -> Result<(), String> {
            let t = text.trim();
            if t.is_empty() {
                return Ok(());
            }
            let l = load::line(t)?;
            if *first && !matches!(l, load::Line::Org(_)) {
                return Err(String::from("the first line must be the organization"));
            }
            *first = false;
            load::run(db, load::stage(l)?)?;
            *rows += 1;
            Ok(())
        };
        while let Some(chunk) = stream.next().await {
            pending.extend_from_slice(&chunk.map_err(|e| e.to_string())?);
            while let Some(i) = pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = pending.drain(..=i).collect();
                let text = String::from_utf8(line)
                    .map_err(|_| String::from("an import line is not utf-8"))?;
                handle(&text, &mut rows, &mut first)?;
            }
        }
        let text =
            String::from_utf8(pending).map_err(|_| String::from("an import line is not utf-8"))?;
        handle(&text, &mut rows, &mut first)?;
        Ok(rows)
    }

    /// Sends the outbox's directory changes; on failure, they stay there for the alarm.
    async fn tell_directory(&self, db: &Db) {
        if let Err(e) = directory::flush(db, &self.env).await {
            worker::console_error!("labelgate store: directory: {e}; retried by the alarm");
            let _ = self.state.storage().set_alarm(5_000).await;
        }
    }
}
