//! The activity log: one record per request the Worker decides (time, request id, user,
//! organization, action, resource, allow, reason, and the HTTP status it answered), written
//! to D1 (binding `ACTIVITY`) after the response, through `ctx.wait_until`, so the request
//! path never waits on it; an isolate's concurrent records share one batch ([`log`]). `GET /api/activity-logs/` is served from it by the Worker itself
//! (for members allowed `org.view_activity_log`), with filters and pages. Without the
//! binding nothing is recorded and that route is forwarded like any other.

use std::cell::Cell;

use policy_core::{Action, Decision, Policy, Reason, Resource};
use serde_json::{Value, json};
use worker::D1Database;
use worker::wasm_bindgen::JsValue;

use crate::decided::Decided;
use crate::http::path::Query;
use crate::http::reply::{Answer, Reply, Served};
use crate::serve::list;
use crate::source::Source;
use crate::store::protocol::Read;

/// The D1 binding.
pub const BINDING: &str = "ACTIVITY";

/// The route (of the route table) the Worker answers from the log.
pub const ROUTE: &str = "/api/activity-logs";

/// The table, created once per isolate (`exec` runs one statement per line).
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS activity_log (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, time_ms INTEGER NOT NULL, request_id TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, user INTEGER, org INTEGER, action TEXT, workspace INTEGER, project INTEGER, allow INTEGER NOT NULL, reason TEXT NOT NULL, detail TEXT, status INTEGER NOT NULL)
CREATE INDEX IF NOT EXISTS activity_log_org_time ON activity_log (org, time_ms)";

const INSERT: &str = "INSERT INTO activity_log (time, time_ms, request_id, method, path, user, org, action, workspace, project, allow, reason, detail, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

const COLUMNS: &str = "id, time, request_id, method, path, user, org, action, workspace, project, allow, reason, detail, status";

/// The default and largest page of `GET /api/activity-logs/`.
pub const PAGE_SIZE: u64 = 50;
const MAX_PAGE_SIZE: u64 = 1000;

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

    /// Notes the Worker's own refusal from its JSON body (`reason` or `error`), unless a
    /// decision allowed the request (an answer of the Worker itself, or a failed forward).
    pub fn refused_by(&mut self, body: &str) {
        if self.allow {
            return;
        }
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        if let Some(r) = v
            .get("reason")
            .or_else(|| v.get("error"))
            .and_then(Value::as_str)
        {
            self.reason = r.to_owned();
        }
        if self.reason.is_empty() {
            self.reason = String::from("refused");
        }
    }
}

fn num(v: Option<u64>) -> JsValue {
    // Ids and times are far below 2^53: exact as JavaScript numbers.
    v.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64))
}

fn text(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::NULL, JsValue::from_str)
}

async fn ensure_schema(db: &D1Database) -> Result<(), String> {
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

/// The filters and page of `GET /api/activity-logs/`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    /// `user=ID`
    pub user: Option<u64>,
    /// `project=ID`
    pub project: Option<u64>,
    /// `action=project.export`
    pub action: Option<String>,
    /// `allow=true|false`
    pub allow: Option<bool>,
    /// `since=` (epoch ms or ISO 8601), inclusive
    pub since_ms: Option<u64>,
    /// `until=` (epoch ms or ISO 8601), exclusive
    pub until_ms: Option<u64>,
    /// `page=` from 1
    pub page: u64,
    /// `page_size=` (at most 1000)
    pub page_size: u64,
}

impl Filter {
    /// Reads the filters; `time` parses an ISO 8601 time to epoch ms.
    pub fn parse(q: &Query, time: impl Fn(&str) -> Option<u64>) -> Result<Filter, String> {
        let id = |name: &str| -> Result<Option<u64>, String> {
            q.get(name)
                .map(|v| {
                    crate::http::path::parse_id(v)
                        .ok_or_else(|| format!("the query's `{name}` must be an integer"))
                })
                .transpose()
        };
        let when = |name: &str| -> Result<Option<u64>, String> {
            q.get(name)
                .map(|v| {
                    crate::http::path::parse_id(v)
                        .or_else(|| time(v))
                        .ok_or_else(|| format!("the query's `{name}` must be a time"))
                })
                .transpose()
        };
        let allow = match q.get("allow") {
            None => None,
            Some("true" | "1") => Some(true),
            Some("false" | "0") => Some(false),
            Some(v) => return Err(format!("the query's `allow` `{v}` is not true or false")),
        };
        let page = id("page")?.unwrap_or(1);
        let page_size = id("page_size")?.unwrap_or(PAGE_SIZE);
        if page == 0 || page_size == 0 || page_size > MAX_PAGE_SIZE {
            return Err(format!(
                "`page` starts at 1 and `page_size` is 1 to {MAX_PAGE_SIZE}"
            ));
        }
        Ok(Filter {
            user: id("user")?,
            project: id("project")?,
            action: q.get("action").map(str::to_owned),
            allow,
            since_ms: when("since")?,
            until_ms: when("until")?,
            page,
            page_size,
        })
    }

    /// The `WHERE` clause (always within `org`) and its arguments.
    pub fn clause(&self, org: u64) -> (String, Vec<Arg>) {
        let mut sql = String::from("org = ?");
        let mut args = vec![Arg::Num(org)];
        let mut add = |cond: &str, arg: Arg| {
            sql.push_str(" AND ");
            sql.push_str(cond);
            args.push(arg);
        };
        if let Some(u) = self.user {
            add("user = ?", Arg::Num(u));
        }
        if let Some(p) = self.project {
            add("project = ?", Arg::Num(p));
        }
        if let Some(a) = &self.action {
            add("action = ?", Arg::Text(a.clone()));
        }
        if let Some(a) = self.allow {
            add("allow = ?", Arg::Num(u64::from(a)));
        }
        if let Some(t) = self.since_ms {
            add("time_ms >= ?", Arg::Num(t));
        }
        if let Some(t) = self.until_ms {
            add("time_ms < ?", Arg::Num(t));
        }
        (sql, args)
    }
}

/// An SQL argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// An integer.
    Num(u64),
    /// A string.
    Text(String),
}

impl Arg {
    fn js(&self) -> JsValue {
        match self {
            Arg::Num(n) => num(Some(*n)),
            Arg::Text(t) => JsValue::from_str(t),
        }
    }
}

/// `raw_query` with `page` set to `page`.
pub fn page_query(raw_query: &str, page: u64) -> String {
    let mut parts: Vec<String> = raw_query
        .split('&')
        .filter(|p| !p.is_empty() && p.split_once('=').map_or(*p, |(k, _)| k) != "page")
        .map(str::to_owned)
        .collect();
    parts.push(format!("page={page}"));
    parts.join("&")
}

/// How a user shows in a record: by name, or "Deleted User" when the facts no longer have
/// them.
pub fn user_shown(id: u64, email: Option<&str>, name: Option<&str>, known: bool) -> Value {
    if known {
        json!({"id": id, "email": email, "name": name})
    } else {
        json!({"id": id, "email": null, "name": "Deleted User"})
    }
}

/// A user as a snapshot shows them.
pub fn user_in(policy: &Policy, id: u64) -> Value {
    match policy.snapshot().user(id) {
        Some(u) => user_shown(id, u.email.as_deref(), u.name.as_deref(), true),
        None => user_shown(id, None, None, policy.snapshot().knows_user(id)),
    }
}

/// A record as the API shows it, with its user as `users` shows them.
pub fn show(users: &dyn Fn(u64) -> Value, row: &Value) -> Value {
    let user = row.get("user").and_then(Value::as_u64).map(users);
    json!({
        "id": row.get("id"),
        "time": row.get("time"),
        "request_id": row.get("request_id"),
        "method": row.get("method"),
        "path": row.get("path"),
        "user": user,
        "organization": row.get("org"),
        "action": row.get("action"),
        "workspace": row.get("workspace"),
        "project": row.get("project"),
        "allow": row.get("allow").and_then(Value::as_u64).is_some_and(|a| a == 1),
        "reason": row.get("reason"),
        "detail": row.get("detail"),
        "status": row.get("status"),
    })
}

/// The page of records of `org` that `filter` asks, newest first, as
/// `{"count", "next", "previous", "results"}`; links are `base` (the Worker's URL of the
/// route) with the client's query and another `page`.
pub async fn page(
    db: &D1Database,
    source: &Source<'_>,
    org: u64,
    filter: &Filter,
    base: &str,
    raw_query: &str,
) -> Result<String, String> {
    ensure_schema(db).await?;
    let (clause, args) = filter.clause(org);
    let js: Vec<JsValue> = args.iter().map(Arg::js).collect();
    let count: u64 = db
        .prepare(format!(
            "SELECT COUNT(*) AS n FROM activity_log WHERE {clause}"
        ))
        .bind(&js)
        .map_err(|e| e.to_string())?
        .first::<u64>(Some("n"))
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or(0);
    let offset = (filter.page - 1).saturating_mul(filter.page_size);
    let mut js = js;
    js.push(num(Some(filter.page_size)));
    js.push(num(Some(offset)));
    let rows: Vec<Value> = db
        .prepare(format!(
            "SELECT {COLUMNS} FROM activity_log WHERE {clause} ORDER BY id DESC LIMIT ? OFFSET ?"
        ))
        .bind(&js)
        .map_err(|e| e.to_string())?
        .all()
        .await
        .map_err(|e| e.to_string())?
        .results::<Value>()
        .map_err(|e| e.to_string())?;
    let link = |p: u64| format!("{base}?{}", page_query(raw_query, p));
    let next = (offset.saturating_add(filter.page_size) < count).then(|| link(filter.page + 1));
    let previous = (filter.page > 1).then(|| link(filter.page - 1));
    let ids: Vec<u64> = rows
        .iter()
        .filter_map(|r| r.get("user").and_then(Value::as_u64))
        .collect();
    let names = users_of(source, org, &ids).await?;
    let shown = |id: u64| {
        names
            .iter()
            .find(|(i, _)| *i == id)
            .map_or_else(|| user_shown(id, None, None, false), |(_, v)| v.clone())
    };
    let results: Vec<Value> = rows.iter().map(|r| show(&shown, r)).collect();
    Ok(json!({"count": count, "next": next, "previous": previous, "results": results}).to_string())
}

/// How the users of `ids` show: from the snapshot, or asked of the store (a user no longer a
/// member is "Deleted User").
async fn users_of(source: &Source<'_>, org: u64, ids: &[u64]) -> Result<Vec<(u64, Value)>, String> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    match source {
        Source::Snapshot(policy, _) => Ok(ids.iter().map(|i| (*i, user_in(policy, *i))).collect()),
        Source::Store(client, _) => {
            let answer = client.read(org, Read::Users { ids: ids.to_vec() }).await?;
            Ok(answer
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|u| {
                    let id = u.get("id").and_then(Value::as_u64)?;
                    let text = |k: &str| u.get(k).and_then(Value::as_str);
                    let member = u.get("member").and_then(Value::as_bool).unwrap_or(false);
                    Some((id, user_shown(id, text("email"), text("name"), member)))
                })
                .collect())
        }
    }
}

/// `GET /api/activity-logs/`, answered from D1: the organization's records, filtered, a page.
pub async fn answer(db: &D1Database, d: &Decided<'_>) -> Served {
    let (policy, org, query, ask, rw) = (d.source.base(), d.org, &d.query, d.ask, &d.rw);
    let time = |s: &str| {
        let ms = js_sys::Date::parse(s);
        (ms.is_finite() && ms >= 0.0).then_some(ms as u64)
    };
    let filter = match Filter::parse(query, time) {
        Ok(f) => f,
        Err(e) => return Err(Reply::deny(400, policy, Reason::InvalidRequest, e)),
    };
    let (raw_path, raw_query) = crate::http::path::split_url(&ask.url);
    let base = format!("{}{raw_path}", list::origin_of(&ask.url));
    match page(db, d.source, org, &filter, &base, raw_query).await {
        Ok(body) => Ok(Answer::Served(
            Reply::decision(200, body).with("x-labelgate-decision", rw.decision.clone()),
        )),
        Err(e) => {
            worker::console_error!("labelgate: activity log: {e}");
            Err(Reply::error(
                503,
                "activity_log_unavailable",
                "the activity log could not be read",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_and_bind() {
        let q = Query::parse("user=14&allow=false&action=project.export&since=1000&until=2026-01-01T00:00:00Z&page=2&page_size=10").unwrap();
        let f = Filter::parse(&q, |_| Some(5000)).unwrap();
        assert_eq!(f.user, Some(14));
        assert_eq!(f.allow, Some(false));
        assert_eq!((f.since_ms, f.until_ms), (Some(1000), Some(5000)));
        assert_eq!((f.page, f.page_size), (2, 10));
        let (sql, args) = f.clause(1);
        assert_eq!(
            sql,
            "org = ? AND user = ? AND action = ? AND allow = ? AND time_ms >= ? AND time_ms < ?"
        );
        assert_eq!(args.len(), 6);
        let bad = |s: &str| Filter::parse(&Query::parse(s).unwrap(), |_| None).is_err();
        assert!(bad("allow=maybe"));
        assert!(bad("since=yesterday"));
        assert!(bad("page=0"));
        assert!(bad("page_size=5000"));
        assert!(bad("user=x"));
        assert_eq!(page_query("user=1&page=3", 4), "user=1&page=4");
    }

    #[test]
    fn deleted_users_show_as_such() {
        let p = Policy::from_snapshot_json(policy_core::DEMO_SNAPSHOT_JSON).unwrap();
        let row = json!({"id": 1, "user": 14, "allow": 1, "org": 1});
        let users = |id| user_in(&p, id);
        let shown = show(&users, &row);
        assert_eq!(shown["user"]["name"], "Ann Annotator");
        assert_eq!(shown["allow"], true);
        let shown = show(&users, &json!({"id": 2, "user": 777, "allow": 0}));
        assert_eq!(shown["user"]["name"], "Deleted User");
        assert_eq!(shown["allow"], false);
        assert_eq!(show(&users, &json!({"id": 3}))["user"], Value::Null);
    }

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
