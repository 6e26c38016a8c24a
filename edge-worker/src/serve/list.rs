//! Lists filtered to the member's reach: `GET /api/projects/`, `GET /api/projects/counts/`
//! and `GET /api/workspaces/`.
//!
//! Projects: the origin is asked for exactly the projects the member reaches, with Label
//! Studio's own `ids` filter (`?ids=1,2,3`, the client's `ids` intersected with
//! `policy.visible_projects`), so the origin's pagination (`count`, `next`, `previous`,
//! `page`, `page_size`) stays coherent. With nothing in reach the Worker answers the empty
//! page itself (an empty `ids` would mean "no filter" to the server). The answer is filtered
//! again (an item outside the reach is dropped, whatever the origin did), and `next` /
//! `previous` point back at the Worker.
//!
//! Workspaces (Enterprise): the answer (an array or a page) keeps only the workspaces in
//! `policy.visible_workspaces`, and a page's `count` drops by what was removed.
//!
//! The Data Manager's actions menu (`GET /api/dm/actions/?project=N`) keeps only the actions
//! the member may run on the project (see [`crate::gate::dm`]), so Label Studio's own menu
//! shows nothing the Worker would refuse.

use policy_core::{Policy, Principal, Reason, Request, Resource};
use serde_json::Value;
use worker::web_sys::Response;

use crate::gate::dm;
use crate::gate::routes::ListKind;
use crate::http::fetch;
use crate::http::forward::{Body, Rewrite};
use crate::http::path::percent_decode;
use crate::http::reply::{Answer, Reply, Served};
use crate::http::request::Ask;

/// The query parameter the projects list is filtered with.
pub const IDS: &str = "ids";

/// The client's `ids` filter: `None` without one; `Err` if repeated or not integer ids.
pub fn requested_ids(raw_query: &str) -> Result<Option<Vec<u64>>, String> {
    let mut found: Option<Vec<u64>> = None;
    for part in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        if decoded(k)? != IDS {
            continue;
        }
        if found.is_some() {
            return Err(String::from("the query's `ids` is repeated"));
        }
        let v = decoded(v)?;
        let mut ids = Vec::new();
        for id in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            ids.push(
                crate::http::path::parse_id(id)
                    .ok_or_else(|| format!("the query's `ids` holds `{id}`, not an id"))?,
            );
        }
        found = Some(ids);
    }
    Ok(found)
}

fn decoded(s: &str) -> Result<String, String> {
    let bytes = percent_decode(s, true).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| String::from("the query is not UTF-8"))
}

/// The ids to ask for: the visible ones, narrowed to the client's filter if it has one.
pub fn ids_to_ask(visible: &[u64], requested: Option<&[u64]>) -> Vec<u64> {
    match requested {
        None => visible.to_vec(),
        Some(r) => visible.iter().copied().filter(|v| r.contains(v)).collect(),
    }
}

/// `raw_query` without its `ids` parameters, with `ids=` the given ones (comma-separated).
pub fn rewrite_query(raw_query: &str, ids: &[u64]) -> String {
    let mut parts: Vec<String> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let k = p.split_once('=').map_or(*p, |(k, _)| k);
            decoded(k).map_or(true, |k| k != IDS)
        })
        .map(str::to_owned)
        .collect();
    let list: Vec<String> = ids.iter().map(u64::to_string).collect();
    parts.push(format!("{IDS}={}", list.join(",")));
    parts.join("&")
}

/// The empty page the Worker answers when nothing is in reach.
pub fn empty_page() -> String {
    String::from(r#"{"count":0,"next":null,"previous":null,"results":[]}"#)
}

fn id_of(item: &Value) -> Option<u64> {
    item.get("id").and_then(Value::as_u64)
}

/// The origin's answer keeping only items whose `id` is in `visible` (an array, or a page
/// with `results`), a page's `count` lowered by what was dropped, and `next` / `previous`
/// moved from `origin` to `public`. `None`: not JSON of either form (answered unchanged).
pub fn filter_body(text: &str, visible: &[u64], origin: &str, public: &str) -> Option<String> {
    let mut v: Value = serde_json::from_str(text).ok()?;
    let keep = |items: &mut Vec<Value>| {
        let before = items.len();
        items.retain(|item| id_of(item).is_some_and(|id| visible.contains(&id)));
        before - items.len()
    };
    match &mut v {
        Value::Array(items) => {
            keep(items);
        }
        Value::Object(page) => {
            let dropped = match page.get_mut("results") {
                Some(Value::Array(items)) => keep(items),
                _ => return None,
            };
            if dropped > 0
                && let Some(count) = page.get("count").and_then(Value::as_u64)
            {
                let count = count.saturating_sub(dropped as u64);
                page.insert(String::from("count"), Value::from(count));
            }
            for link in ["next", "previous"] {
                if let Some(Value::String(url)) = page.get_mut(link)
                    && let Some(rest) = url.strip_prefix(origin)
                {
                    *url = format!("{public}{rest}");
                }
            }
        }
        _ => return None,
    }
    Some(v.to_string())
}

/// `scheme://host[:port]` of a URL.
pub fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url.get(after_scheme..).and_then(|rest| rest.find('/')) {
        Some(i) => url.get(..after_scheme + i).unwrap_or(url),
        None => url,
    }
}

/// The Data Manager's menu (a JSON array of `{id, ...}`) keeping only the actions `allowed`
/// (by id). `None`: not a JSON array.
pub fn filter_actions(text: &str, allowed: impl Fn(&str) -> bool) -> Option<String> {
    let mut v: Value = serde_json::from_str(text).ok()?;
    let Value::Array(items) = &mut v else {
        return None;
    };
    items.retain(|item| item.get("id").and_then(Value::as_str).is_some_and(&allowed));
    Some(v.to_string())
}

/// An allowed request whose answer is narrowed to what the member may see.
pub struct Lister<'a> {
    /// The request.
    pub ask: &'a Ask<'a>,
    /// The origin.
    pub origin: &'a str,
    /// The policy in force.
    pub policy: &'a Policy,
    /// The member.
    pub principal: &'a Principal,
    /// The organization.
    pub org: u64,
    /// The forwarding rewrite (with the decision stamp).
    pub rw: &'a Rewrite,
}

impl Lister<'_> {
    fn served(&self, body: String) -> Reply {
        Reply::decision(200, body).with("x-labelgate-decision", self.rw.decision.clone())
    }

    /// Forwards with `query` and returns the origin's JSON text, or the response to pass
    /// back unchanged (an error, not JSON, or a `HEAD`).
    async fn fetch_json(&self, query: &str) -> Result<Result<(Response, String), Response>, Reply> {
        let path_and_query = match query {
            "" => self.ask.raw_path().to_owned(),
            q => format!("{}?{q}", self.ask.raw_path()),
        };
        let resp = self
            .ask
            .send(self.origin, &path_and_query, self.rw, Body::Stream)
            .await?;
        let is_json = resp
            .headers()
            .get("content-type")
            .ok()
            .flatten()
            .is_some_and(|ct| ct.contains("json"));
        if resp.status() != 200 || !is_json || self.ask.method == "HEAD" {
            return Ok(Err(resp));
        }
        let text = fetch::text(&resp).await.ok_or_else(unexpected)?;
        Ok(Ok((resp, text)))
    }

    /// A list narrowed to the member's reach (see the module's documentation).
    pub async fn list(&self, kind: ListKind) -> Served {
        let raw_query = self.ask.raw_query();
        let (visible, query) = match kind {
            ListKind::Workspaces => (
                self.policy.visible_workspaces(self.principal, self.org),
                raw_query.to_owned(),
            ),
            ListKind::Projects | ListKind::ProjectCounts => {
                let visible = self.policy.visible_projects(self.principal, self.org);
                let requested = requested_ids(raw_query)
                    .map_err(|e| Reply::deny(400, self.policy, Reason::InvalidRequest, e))?;
                let ask = ids_to_ask(&visible, requested.as_deref());
                if ask.is_empty() {
                    return Ok(Answer::Served(self.served(empty_page())));
                }
                (visible, rewrite_query(raw_query, &ask))
            }
        };
        let (resp, text) = match self.fetch_json(&query).await? {
            Ok(answer) => answer,
            Err(resp) => return Ok(Answer::Response(resp)),
        };
        let body = filter_body(
            &text,
            &visible,
            origin_of(self.origin),
            origin_of(&self.ask.url),
        )
        .ok_or_else(unexpected)?;
        with_body(&resp, &body)
    }

    /// The Data Manager's actions menu of `project`, narrowed to what the member may run.
    pub async fn dm_actions(&self, project: u64) -> Served {
        let (resp, text) = match self.fetch_json(self.ask.raw_query()).await? {
            Ok(answer) => answer,
            Err(resp) => return Ok(Answer::Response(resp)),
        };
        let may = |id: &str| {
            dm::action_of(id).is_some_and(|action| {
                self.policy
                    .decide(&Request {
                        principal: self.principal.clone(),
                        org: self.org,
                        action,
                        resource: Resource::project(project),
                    })
                    .allow
            })
        };
        let body = filter_actions(&text, may).ok_or_else(unexpected)?;
        with_body(&resp, &body)
    }
}

fn unexpected() -> Reply {
    Reply::error(502, "origin_list", "the origin's answer could not be read")
}

/// The origin's response with a new body (its headers, less the length and encoding).
fn with_body(resp: &Response, body: &str) -> Served {
    fetch::with_body(resp, body)
        .map(Answer::Response)
        .map_err(|e| {
            worker::console_error!("labelgate: list: {}", fetch::js_error(&e));
            unexpected()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actions_menu_keeps_what_is_allowed() {
        let menu = r#"[{"id":"delete_tasks","title":"Delete Tasks"},{"id":"retrieve_tasks_predictions"},{"id":"made_up"},{"title":"no id"}]"#;
        let kept = filter_actions(menu, |id| id == "retrieve_tasks_predictions").unwrap();
        assert_eq!(kept, r#"[{"id":"retrieve_tasks_predictions"}]"#);
        assert_eq!(filter_actions("[]", |_| true).unwrap(), "[]");
        assert!(filter_actions(r#"{"detail":"x"}"#, |_| true).is_none());
    }

    #[test]
    fn ids_are_read_once_and_intersected() {
        assert_eq!(requested_ids("page=2"), Ok(None));
        assert_eq!(
            requested_ids("ids=1000,1002&page=1"),
            Ok(Some(vec![1000, 1002]))
        );
        assert_eq!(requested_ids("%69ds=7"), Ok(Some(vec![7])));
        assert!(requested_ids("ids=1&ids=2").is_err());
        assert!(requested_ids("ids=1,x").is_err());
        assert_eq!(ids_to_ask(&[1, 2, 3], None), vec![1, 2, 3]);
        assert_eq!(ids_to_ask(&[1, 2, 3], Some(&[3, 9])), vec![3]);
        assert_eq!(
            rewrite_query("page=2&ids=9&%69ds=1&page_size=1", &[1, 2]),
            "page=2&page_size=1&ids=1,2"
        );
        assert_eq!(rewrite_query("", &[5]), "ids=5");
    }

    #[test]
    fn bodies_keep_what_is_visible() {
        let page = r#"{"count":3,"next":"http://o:1/api/projects/?ids=1,2&page=2","previous":null,"results":[{"id":1},{"id":9},{"id":2}]}"#;
        let out: Value =
            serde_json::from_str(&filter_body(page, &[1, 2], "http://o:1", "http://w:2").unwrap())
                .unwrap();
        assert_eq!(out["count"], 2);
        assert_eq!(out["results"].as_array().map(Vec::len), Some(2));
        assert_eq!(out["next"], "http://w:2/api/projects/?ids=1,2&page=2");
        let arr = filter_body(r#"[{"id":100},{"id":103}]"#, &[100], "", "").unwrap();
        assert_eq!(arr, r#"[{"id":100}]"#);
        assert_eq!(filter_body("not json", &[1], "", ""), None);
        assert_eq!(filter_body(r#"{"detail":"x"}"#, &[1], "", ""), None);
        assert_eq!(
            origin_of("http://127.0.0.1:8787/api/x?y"),
            "http://127.0.0.1:8787"
        );
        assert_eq!(origin_of("http://h"), "http://h");
    }
}
