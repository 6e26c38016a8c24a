//! The activity log: one record per request the Worker decides (time, request id, user,
//! organization, action, resource, allow, reason, and the HTTP status it answered), written
//! to D1 (binding `ACTIVITY`) after the response, through `ctx.wait_until`, so the request
//! path never waits on it; an isolate's concurrent records share one batch ([`log`]). The
//! API that reads it (`GET /api/activity-logs/`) is `crate::serve::activity`. Without the
//! binding nothing is recorded and that route is forwarded like any other.

use std::cell::Cell;

use policy_core::{Action, Decision, Resource};
use worker::D1Database;
use worker::wasm_bindgen::JsValue;

use crate::http::reply::{Reply, Why};

/// The D1 binding.
pub const BINDING: &str = "ACTIVITY";

/// The table, created once per isolate (`exec` runs one statement per line).
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS activity_log (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, time_ms INTEGER NOT NULL, request_id TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, user INTEGER, org INTEGER, action TEXT, workspace INTEGER, project INTEGER, allow INTEGER NOT NULL, reason TEXT NOT NULL, detail TEXT, status INTEGER NOT NULL)
CREATE INDEX IF NOT EXISTS activity_log_org_time ON activity_log (org, time_ms)";

const INSERT: &str = "INSERT INTO activity_log (time, time_ms, request_id, method, path, user, org, action, workspace, project, allow, reason, detail, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

thread_local! {
    static SCHEMA_READY: Cell<bool> = const { Cell::new(false) };
}

/// One record, filled in as the request is decided.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// Not to be recorded (the test endpoint).
    pub skip: bool,
    /// A page or file of the web UI: a refusal is answered as HTML (`crate::serve::pages`).
    pub page: bool,
    /// Milliseconds since the epoch.
    pub time_ms: u64,
    /// `Cf-Ray` if the edge gave one, else the Worker's own id.
    pub request_id: String,
    /// The method and the raw path (without the query).
    pub method: String,
    /// The raw path.
    pub path: String,
    /// The identity, once known.
    pub user: Option<u64>,
    /// The organization, once known.
    pub org: Option<u64>,
    /// The action decided (`public` for a public route).
    pub action: Option<String>,
    /// The workspace of the resource.
    pub workspace: Option<u64>,
    /// The project of the resource.
    pub project: Option<u64>,
    /// Whether the request was allowed.
    pub allow: bool,
    /// The decision's reason, or the Worker's error code.
    pub reason: String,
    /// More: `list=projects`, `new_member=not_activated`.
    pub detail: Option<String>,
    /// The HTTP status answered.
    pub status: u16,
}

impl Record {
    /// Notes a decision of the core.
    pub fn decided(&mut self, d: &Decision, action: Action, org: u64, res: &Resource) {
        self.org = Some(org);
        self.action = Some(action.to_string());
        self.workspace = res.workspace;
        self.project = res.project;
        self.allow = d.allow;
        self.reason = d.reason.name().to_owned();
    }

    /// Notes why `reply` refuses, as the Worker stated it (else as its body says), unless a
    /// decision allowed the request (a failed forward).
    pub fn refused(&mut self, reply: &Reply) {
        match &reply.why {
            Some(why) => self.refused_because(why),
            None => self.refused_by(&reply.body),
        }
    }

    /// Notes a refusal from its JSON body (`reason` or `error`), unless a decision allowed
    /// the request (an answer of the Worker itself, or a failed forward).
    pub fn refused_by(&mut self, body: &str) {
        self.refused_because(&Why::of_body(body));
    }

    fn refused_because(&mut self, why: &Why) {
        if self.allow {
            return;
        }
        if !why.reason.is_empty() {
            self.reason.clone_from(&why.reason);
        }
        if self.reason.is_empty() {
            self.reason = String::from("refused");
        }
    }
}

pub(crate) fn num(v: Option<u64>) -> JsValue {
    // Ids and times are far below 2^53: exact as JavaScript numbers.
    v.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64))
}

fn text(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::NULL, JsValue::from_str)
}

pub(crate) async fn ensure_schema(db: &D1Database) -> Result<(), String> {
    if SCHEMA_READY.with(Cell::get) {
        return Ok(());
    }
    db.exec(SCHEMA).await.map_err(|e| e.to_string())?;
    SCHEMA_READY.with(|c| c.set(true));
    Ok(())
}

fn args_of(rec: &Record, iso_time: &str) -> [JsValue; 14] {
    [
        JsValue::from_str(iso_time),
        num(Some(rec.time_ms)),
        JsValue::from_str(&rec.request_id),
        JsValue::from_str(&rec.method),
        JsValue::from_str(&rec.path),
        num(rec.user),
        num(rec.org),
        text(rec.action.as_deref()),
        num(rec.workspace),
        num(rec.project),
        JsValue::from_f64(if rec.allow { 1.0 } else { 0.0 }),
        JsValue::from_str(&rec.reason),
        text(rec.detail.as_deref()),
        JsValue::from_f64(f64::from(rec.status)),
    ]
}

/// Writes records in one batch, one round trip (retried once, the table created if it is
/// missing).
pub async fn write_all(db: &D1Database, recs: &[(Record, String)]) -> Result<(), String> {
    let mut last = String::new();
    for _ in 0..2 {
        ensure_schema(db).await?;
        let stmts = recs
            .iter()
            .map(|(rec, iso)| db.prepare(INSERT).bind(&args_of(rec, iso)))
            .collect::<worker::Result<Vec<_>>>()
            .map_err(|e| e.to_string())?;
        match db.batch(stmts).await {
            Ok(_) => return Ok(()),
            Err(e) => {
                last = e.to_string();
                SCHEMA_READY.with(|c| c.set(false));
            }
        }
    }
    Err(last)
}

thread_local! {
    /// Records waiting for the isolate's writer, and whether one is running.
    static QUEUE: std::cell::RefCell<Vec<(Record, String)>> = const { std::cell::RefCell::new(Vec::new()) };
    /// When the running writer started (ms), 0 for none.
    static WRITING: Cell<f64> = const { Cell::new(0.0) };
}

/// A writer still running after this long was cut off (a `wait_until` ends 30 s after the
/// response): the next record's request takes over.
const WRITER_GONE_MS: f64 = 60_000.0;

/// Queues a record. The first request to queue one while no writer runs becomes the writer
/// (its `wait_until` runs the returned future): after `wait_ms` it writes what is queued in
/// one batch, then what was queued meanwhile, until nothing is left. So the requests of
/// those milliseconds share one round trip, and no record waits for a later request.
pub fn log(
    db: D1Database,
    rec: Record,
    iso_time: String,
    wait_ms: f64,
) -> Option<impl Future<Output = ()>> {
    let now = rec.time_ms as f64;
    QUEUE.with_borrow_mut(|q| q.push((rec, iso_time)));
    let started = WRITING.with(Cell::get);
    if started > 0.0 && now - started < WRITER_GONE_MS {
        return None;
    }
    WRITING.with(|w| w.set(now.max(1.0)));
    Some(async move {
        if wait_ms > 0.0 {
            worker::Delay::from(std::time::Duration::from_millis(wait_ms as u64)).await;
        }
        loop {
            let batch = QUEUE.with_borrow_mut(std::mem::take);
            if batch.is_empty() {
                WRITING.with(|w| w.set(0.0));
                return;
            }
            for chunk in batch.chunks(100) {
                if let Err(e) = write_all(&db, chunk).await {
                    worker::console_error!(
                        "labelgate: activity log: {} records lost: {e}",
                        chunk.len()
                    );
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_take_the_reason_or_the_error() {
        let mut r = Record::default();
        r.refused_by(r#"{"allow":false,"reason":"deactivated"}"#);
        assert_eq!(r.reason, "deactivated");
        let mut r = Record::default();
        r.refused_by(r#"{"error":"ambiguous_path","message":"x"}"#);
        assert_eq!(r.reason, "ambiguous_path");
        let mut r = Record {
            allow: true,
            reason: String::from("allowed"),
            ..Record::default()
        };
        r.refused_by(r#"{"error":"origin_unreachable"}"#);
        assert_eq!(r.reason, "allowed");
    }
}
