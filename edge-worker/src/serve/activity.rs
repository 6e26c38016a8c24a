//! `GET /api/activity-logs/`, answered by the Worker from the activity log (D1, written by
//! `crate::activity`) for members allowed `org.view_activity_log`: the organization's
//! records, filtered and paged, newest first, each user shown by name.

use policy_core::{Policy, Reason};
use serde_json::{Value, json};
use worker::D1Database;
use worker::wasm_bindgen::JsValue;

use crate::activity::{ensure_schema, num};
use crate::decided::Decided;
use crate::http::path::Query;
use crate::http::reply::{Answer, Reply, Served};
use crate::serve::list;
use crate::source::Source;
use crate::store::protocol::Read;

const COLUMNS: &str = "id, time, request_id, method, path, user, org, action, workspace, project, allow, reason, detail, status";

/// The default and largest page of `GET /api/activity-logs/`.
pub const PAGE_SIZE: u64 = 50;
const MAX_PAGE_SIZE: u64 = 1000;

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
}
