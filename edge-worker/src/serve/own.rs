//! "Can view own" means own (SPEC's matrix: an annotator views project data "if permitted in
//! project settings, can view own"). A member whom the core refuses another member's data in
//! a project (`project.view_data` for another subject) sees only their own tasks there:
//! those assigned to them (the store's task assignments, `annotate`) and those they have
//! annotated (Label Studio's own `annotators` filter, asked with their credential). See
//! `docs/POLICY.md`.
//!
//! - `GET /api/tasks/` (the SDK's and the Data Manager's task list, with `project` or
//!   `view`): narrowed at the origin, its `selectedItems` set to the own tasks (the view's or
//!   the request's filters and ordering kept), so Label Studio's `total` and pages count
//!   them only; the answer is checked, and an answer holding another task is refused (502).
//!   No own task: the Worker answers the empty page itself.
//! - `GET /api/tasks/{id}/`, `GET /api/tasks/{id}/annotations/`, `GET /api/predictions/{id}/`
//!   and `GET /api/predictions/?task=`: the task must be one of the own ones, else 403
//!   `out_of_scope`.
//! - `GET /api/projects/{id}/tasks/` (Label Studio cannot narrow it) and predictions listed by
//!   project: 403 `out_of_scope`, naming the route that is narrowed instead.

use std::cell::RefCell;

use policy_core::{Action, Reason, Request};
use serde_json::{Value, json};

use crate::cache::{TtlCache, key};
use crate::decided::Decided;
use crate::gate::lookup;
use crate::gate::routes::{OwnRead, Server};
use crate::http::forward::Body;
use crate::http::reply::{Answer, Reply, Served};
use crate::store::protocol::Read;

/// A subject that is nobody: deciding `project.view_data` for them asks whether the member
/// may see another member's data.
const SOMEONE_ELSE: u64 = u64::MAX >> 12;

/// Label Studio's largest task page (`TASK_API_PAGE_SIZE_MAX` is at least this).
const PAGE: u64 = 100;

thread_local! {
    static OWN: RefCell<TtlCache<Vec<u64>>> = RefCell::new(TtlCache::new(4096));
}

/// What the request reads of a project's tasks, if it is one of the reads its row names.
fn reads(d: &Decided<'_>) -> Option<OwnRead> {
    let Server::Own(read) = d.matched.row.server else {
        return None;
    };
    let asked = match read {
        OwnRead::Chosen => d.ask.method == "POST" && d.action == Action::ProjectViewData,
        _ => d.ask.method == "GET",
    };
    asked.then_some(read)
}

/// Whether the member may see only their own data in the decided request's project.
pub fn only_own(d: &Decided<'_>) -> bool {
    if d.resource.project.is_none() {
        return false;
    }
    let mut res = d.resource.clone();
    res.subject = Some(SOMEONE_ELSE);
    !d.policy
        .decide(&Request {
            principal: d.principal.clone(),
            org: d.org,
            action: Action::ProjectViewData,
            resource: res,
        })
        .allow
}

/// Serves a task read of a member who sees only their own tasks; `None` for anything else
/// (forwarded as decided).
pub async fn narrowed(d: &Decided<'_>) -> Option<Served> {
    let reads = reads(d)?;
    let project = d.resource.project?;
    if !only_own(d) {
        return None;
    }
    Some(match reads {
        OwnRead::Unfilterable => Err(refuse(
            d,
            format!(
                "`{} {}` lists every task of project `{project}`, and user `{}` may view only their own: ask `{instead}{project}`, which LabelGate narrows to them",
                d.ask.method,
                d.matched.row.path,
                user(d),
                instead = "GET /api/tasks/?project=",
            ),
        )),
        OwnRead::List => list(d, project).await,
        OwnRead::Chosen => chosen(d, project).await,
        OwnRead::Task => match task_named(d).await {
            Ok(task) => check(d, project, task).await,
            Err(e) => Err(e),
        },
        OwnRead::Predictions => match d.query.get("task").and_then(crate::http::path::parse_id) {
            Some(task) => check(d, project, Some(task)).await,
            None => Err(refuse(
                d,
                format!(
                    "predictions listed by project hold every task's, and user `{}` may view only their own: ask `GET /api/predictions/?task=` one of them",
                    user(d)
                ),
            )),
        },
    })
}

fn user(d: &Decided<'_>) -> u64 {
    d.principal.user.unwrap_or(0)
}

fn refuse(d: &Decided<'_>, message: String) -> Reply {
    Reply::deny(403, &d.policy, Reason::OutOfScope, message).with(
        "x-labelgate-decision",
        format!("out_of_scope {} org={} own_tasks", d.action, d.org),
    )
}

/// Forwards `d` as decided when `task` is one of the member's own tasks, else refuses it.
async fn check(d: &Decided<'_>, project: u64, task: Option<u64>) -> Served {
    let own = own_tasks(d, project).await?;
    match task {
        Some(t) if own.binary_search(&t).is_ok() => d
            .ask
            .send(d.origin, &d.ask.path_and_query(), &d.rw, Body::Stream)
            .await
            .map(Answer::Response),
        _ => Err(refuse(
            d,
            format!(
                "task `{}` is not one of user `{}`'s own in project `{project}` (assigned to them or annotated by them), and they may view only their own",
                task.map_or_else(|| String::from("?"), |t| t.to_string()),
                user(d)
            ),
        )),
    }
}

/// A `next_task` that chooses among tasks, for a member who may view only their own: it may
/// name only own tasks, by id; filters, tabs and "all but" cannot be checked and are refused.
async fn chosen(d: &Decided<'_>, project: u64) -> Served {
    let body = d
        .bytes
        .as_deref()
        .map(crate::http::body::JsonBody::parse)
        .transpose()
        .ok()
        .flatten()
        .unwrap_or_default();
    let Some(ids) = crate::gate::dm::chosen_ids(&d.query, &body) else {
        return Err(refuse(
            d,
            format!(
                "this labeling stream chooses its task by a filter, an ordering, a tab or \"all but\", and user `{}` may view only their own tasks in project `{project}`: label from the stream as it is, or choose own tasks by id",
                user(d)
            ),
        ));
    };
    let own = own_tasks(d, project).await?;
    if let Some(t) = ids.iter().find(|t| own.binary_search(t).is_err()) {
        return Err(refuse(
            d,
            format!(
                "task `{t}` is not one of user `{}`'s own in project `{project}` (assigned to them or annotated by them), and they may view only their own",
                user(d)
            ),
        ));
    }
    let bytes = d.bytes.as_deref().unwrap_or_default();
    d.ask
        .send(d.origin, &d.ask.path_and_query(), &d.rw, Body::Bytes(bytes))
        .await
        .map(Answer::Response)
}

/// The task the path names: a task's id, or the task of a prediction (asked of the origin).
async fn task_named(d: &Decided<'_>) -> Result<Option<u64>, Reply> {
    let Some(path) = d.matched.params.objects.first() else {
        return Ok(None);
    };
    let id = path
        .split('/')
        .filter(|s| !s.is_empty())
        .nth(2)
        .and_then(crate::http::path::parse_id);
    if path.starts_with("/api/tasks/") {
        return Ok(id);
    }
    let Some(cred) = &d.cred else {
        return Ok(None);
    };
    let answer = lookup::ask(d.origin, path, cred, d.principal.user, "object")
        .await
        .map_err(|e| Reply::error(502, "origin_unreachable", e.0))?;
    Ok(answer.and_then(|v| lookup::id_field(&v, "task")))
}

/// The member's own tasks in `project` (ascending): assigned to them, or annotated by them.
/// Kept per isolate for `MAX_STALENESS_MS`.
pub async fn own_tasks(d: &Decided<'_>, project: u64) -> Result<Vec<u64>, Reply> {
    let user = user(d);
    let k = key(&[b"own", &user.to_le_bytes(), &project.to_le_bytes()]);
    let now = d.ask.now;
    if let Some(v) = OWN.with_borrow(|c| c.get(&k, now)) {
        return Ok(v);
    }
    let mut own = match d.source.store() {
        Some(store) => {
            let v = store
                .read(d.org, Read::AssignedTasks { project, user })
                .await
                .map_err(crate::source::store_failed)?;
            v.as_array()
                .map(|a| a.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_default()
        }
        None => Vec::new(),
    };
    own.extend(annotated(d, project, user).await?);
    own.sort_unstable();
    own.dedup();
    let ttl = d.ask.cfg.max_staleness_ms;
    OWN.with_borrow_mut(|c| c.put(k, own.clone(), now, ttl));
    Ok(own)
}

/// The tasks of `project` that `user` has annotated, asked of the origin with the member's
/// credential (Label Studio's `annotators` filter).
async fn annotated(d: &Decided<'_>, project: u64, user: u64) -> Result<Vec<u64>, Reply> {
    let query = json!({
        "filters": {"conjunction": "and", "items": [{
            "filter": "filter:tasks:annotators", "operator": "contains", "type": "List", "value": user,
        }]},
        "selectedItems": {"all": true, "excluded": []},
    });
    task_ids(d, project, &query).await
}

/// The ids of the tasks of `project` that a Data Manager `query` (filters, selected items)
/// selects, asked of the origin with the request's credential, page by page.
pub async fn task_ids(d: &Decided<'_>, project: u64, query: &Value) -> Result<Vec<u64>, Reply> {
    let Some(cred) = &d.cred else {
        return Ok(Vec::new());
    };
    let user = d.principal.user;
    let q = encode(&query.to_string());
    let mut out = Vec::new();
    for page in 1..=10_000u64 {
        let path = format!("/api/tasks/?project={project}&page={page}&page_size={PAGE}&query={q}");
        let answer = lookup::ask(d.origin, &path, cred, user, "tasks")
            .await
            .map_err(|e| Reply::error(502, "origin_unreachable", e.0))?;
        let Some(v) = answer else {
            break;
        };
        let tasks = v.get("tasks").and_then(Value::as_array);
        let n = tasks.map_or(0, Vec::len);
        out.extend(
            tasks
                .into_iter()
                .flatten()
                .filter_map(|t| t.get("id")?.as_u64()),
        );
        let total = v.get("total").and_then(Value::as_u64).unwrap_or(0);
        if n == 0 || out.len() as u64 >= total {
            break;
        }
    }
    Ok(out)
}

/// `GET /api/tasks/` narrowed to the member's own tasks, its answer checked.
async fn list(d: &Decided<'_>, project: u64) -> Served {
    let own = own_tasks(d, project).await?;
    if own.is_empty() {
        // Label Studio reads an empty `included` as "every task": answered here.
        let empty =
            json!({"total_annotations": 0, "total_predictions": 0, "total": 0, "tasks": []});
        return Ok(Answer::Served(
            Reply::decision(200, empty.to_string()).with(
                "x-labelgate-decision",
                format!("{} own_tasks=0", d.rw.decision),
            ),
        ));
    }
    // The filters and ordering: the request's `query`, or its view's.
    let mut asked: Value = match d.query.get("query") {
        Some(q) => serde_json::from_str(q).map_err(|_| {
            Reply::deny(
                400,
                &d.policy,
                Reason::InvalidRequest,
                String::from("`query` is not JSON"),
            )
        })?,
        None => json!({}),
    };
    if let Some(view) = d.query.get("view").and_then(crate::http::path::parse_id) {
        asked = view_data(d, view).await?;
    }
    let narrowed = json!({
        "filters": asked.get("filters").cloned().unwrap_or(Value::Null),
        "ordering": asked.get("ordering").cloned().unwrap_or(json!([])),
        "selectedItems": {"all": false, "included": own},
    });
    let (path, raw_query) = crate::http::path::split_url(&d.ask.url);
    let mut parts: Vec<String> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let k = p.split_once('=').map_or(*p, |(k, _)| k);
            !matches!(k, "view" | "query" | "project")
        })
        .map(str::to_owned)
        .collect();
    parts.push(format!("project={project}"));
    parts.push(format!("query={}", encode(&narrowed.to_string())));
    let target = format!("{path}?{}", parts.join("&"));
    let resp = d.ask.send(d.origin, &target, &d.rw, Body::Stream).await?;
    if resp.status() != 200 {
        return Ok(Answer::Response(resp));
    }
    let text = crate::http::fetch::text(&resp)
        .await
        .ok_or_else(unreadable)?;
    // Only the ids are read (not the tasks' data): the check costs little on a large page.
    let page: Page = serde_json::from_str(&text).map_err(|_| unreadable())?;
    let stray = page
        .tasks
        .iter()
        .map(|t| t.id)
        .find(|id| own.binary_search(id).is_err());
    if let Some(id) = stray {
        worker::console_error!("labelgate: the origin answered task {id} outside the own tasks");
        return Err(Reply::error(
            502,
            "origin_answer",
            "the origin's task list held a task outside the member's own: refused",
        ));
    }
    crate::http::fetch::with_body(&resp, &text)
        .map(Answer::Response)
        .map_err(|e| Reply::error(502, "origin_answer", crate::http::fetch::js_error(&e)))
}

/// A page of the task list, as far as the check reads it.
#[derive(serde::Deserialize)]
struct Page {
    tasks: Vec<TaskId>,
}

#[derive(serde::Deserialize)]
struct TaskId {
    id: u64,
}

/// A Data Manager view's `data` (its filters and ordering), asked of the origin.
async fn view_data(d: &Decided<'_>, view: u64) -> Result<Value, Reply> {
    let Some(cred) = &d.cred else {
        return Ok(json!({}));
    };
    let answer = lookup::ask(
        d.origin,
        &format!("/api/dm/views/{view}/"),
        cred,
        d.principal.user,
        "object",
    )
    .await
    .map_err(|e| Reply::error(502, "origin_unreachable", e.0))?;
    Ok(answer
        .and_then(|v| v.get("data").cloned())
        .unwrap_or_else(|| json!({})))
}

fn unreadable() -> Reply {
    Reply::error(
        502,
        "origin_answer",
        "the origin's task list could not be read",
    )
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    crate::http::path::percent_encode(s, b"")
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn values_are_percent_encoded() {
        assert_eq!(encode(r#"{"a": [1]}"#), "%7B%22a%22%3A%20%5B1%5D%7D");
        assert_eq!(encode("abc-_.~"), "abc-_.~");
    }
}
