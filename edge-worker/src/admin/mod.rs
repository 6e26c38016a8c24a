//! The administration API: Label Studio Enterprise's routes for roles, members, invites,
//! workspaces, project members, task assignments and group mappings, served by the Worker
//! from the store (Label Studio Community has none of them). Enterprise's shapes: role codes
//! `OW AD MA RE AN NO DI`, `user_id`, pages `{count, next, previous, results}`.
//!
//! Each request has been decided at the gate on the member's slice; each write is decided
//! again by the store on the facts it touches, then applied atomically with its journal
//! record (see [`crate::store::ops`]). A write's answer carries `X-LabelGate-Revision`. With
//! a KV snapshot instead of the store, these routes are forwarded to the origin as before (an
//! Enterprise server serves them), and LabelGate's own (`/api/labelgate/...`) answer 501.
//!
//! - [`members`]: memberships, invites, organization settings, group mappings, the journal;
//! - [`workspaces`]: workspaces, their members, project members, moves, assignments.
//!
//! Which route is which is the route table's `Server::Admin` (`crate::gate::routes`).

pub mod members;
pub mod workspaces;

use serde_json::{Value, json};

use crate::decided::Decided;
use crate::gate::routes::Admin;
use crate::http::body::JsonBody;
use crate::http::reply::{Answer, Reply, Served, Why};
use crate::http::request::Ask;
use crate::source::Source;
use crate::source::client::Client;
use crate::source::revision;
use crate::source::store_failed;
use crate::store::protocol::{Op, Read};

/// Serves the administration route `route` from the store; `None` without the store (the
/// request goes to the origin, an Enterprise server) or when the origin answers it after all.
pub async fn answer(d: &Decided<'_>, route: Admin) -> Option<Served> {
    let Some(store) = d.source.store() else {
        return route.needs_store().then(|| {
            Err(Reply::error(
                501,
                "needs_store",
                "this route is served from LabelGate's store, which this deployment does not have",
            ))
        });
    };
    let c = Ctx { d, store };
    match route {
        Admin::Memberships
        | Admin::Members
        | Admin::Membership
        | Admin::SetRole
        | Admin::RemoveMember
        | Admin::OrgSettings
        | Admin::Invite
        | Admin::Journal
        | Admin::GroupMappings => members::answer(&c, route).await,
        Admin::Workspaces
        | Admin::CreateWorkspace
        | Admin::Workspace
        | Admin::RenameWorkspace
        | Admin::DeleteWorkspace
        | Admin::WorkspaceMembers
        | Admin::WorkspaceMembership
        | Admin::ProjectMembers
        | Admin::ProjectMembership
        | Admin::ProjectPatch
        | Admin::Assignees => workspaces::answer(&c, route).await,
    }
}

/// A request the administration API serves, and the store.
pub struct Ctx<'a> {
    /// The decided request.
    pub d: &'a Decided<'a>,
    /// The store.
    pub store: &'a Client<'a>,
}

impl Ctx<'_> {
    /// The method.
    pub fn method(&self) -> &str {
        &self.d.ask.method
    }

    /// The JSON body (read now if the decision did not).
    pub async fn body(&self) -> Result<JsonBody, Reply> {
        let bytes = match &self.d.bytes {
            Some(b) => b.clone(),
            None => self.d.ask.read_decision_body().await?,
        };
        JsonBody::parse(&bytes).map_err(|e| {
            Reply::deny(
                400,
                self.d.source.base(),
                policy_core::Reason::InvalidRequest,
                e.to_string(),
            )
        })
    }

    /// A text field of the body that the route needs, or 400.
    pub async fn text(&self, name: &'static str) -> Result<String, Reply> {
        let body = self.body().await?;
        self.need(body.str(name), name).map(str::to_owned)
    }

    /// A body field the route needs, or 400.
    pub fn need<T>(
        &self,
        v: Result<Option<T>, crate::http::body::BodyError>,
        name: &str,
    ) -> Result<T, Reply> {
        let bad = |m: String| {
            Reply::deny(
                400,
                self.d.source.base(),
                policy_core::Reason::InvalidRequest,
                m,
            )
        };
        v.map_err(|e| bad(e.to_string()))?
            .ok_or_else(|| bad(format!("the body names no `{name}`")))
    }

    /// A write to the store by the member: its answer (201 or 200 with `ok`), or the store's
    /// refusal (403 with the decision, 400 when malformed).
    pub async fn write(&self, op: Op, ok: u16, shape: impl FnOnce(&Value) -> Value) -> Served {
        self.d.reprove().await?;
        let answer = self
            .store
            .write(self.d.org, &self.d.principal, self.d.known, op)
            .await
            .map_err(store_failed)?;
        let stamp = refusal(self.d.org, &answer)?;
        let result = answer.get("result").cloned().unwrap_or(Value::Null);
        Ok(Answer::Served(
            Reply::decision(ok, shape(&result).to_string())
                .with(revision::HEADER, stamp)
                .with("x-labelgate-decision", self.d.rw.decision.clone()),
        ))
    }

    /// The store's decision of a write, without applying it: `Ok` if it would be applied.
    pub async fn check(&self, op: Op) -> Result<(), Reply> {
        self.d.reprove().await?;
        let answer = self
            .store
            .check(self.d.org, &self.d.principal, self.d.known, op)
            .await
            .map_err(store_failed)?;
        refusal(self.d.org, &answer).map(|_| ())
    }

    /// A read of the store, answered as JSON.
    pub async fn read(&self, ask: Read, shape: impl FnOnce(Value) -> Value) -> Served {
        let answer = self
            .store
            .read(self.d.org, ask)
            .await
            .map_err(store_failed)?;
        Ok(Answer::Served(
            Reply::decision(200, shape(answer).to_string())
                .with("x-labelgate-decision", self.d.rw.decision.clone()),
        ))
    }
}

impl Ctx<'_> {
    /// A paged read of the store (`what`, given the query's `page` and `page_size`), answered
    /// as Label Studio pages its lists.
    pub async fn paged(&self, what: fn(Option<u64>, Option<u64>) -> Read) -> Served {
        let (pg, size) = paging(self.d);
        self.read(what(Some(pg), Some(size)), |a| {
            let count = a.get("count").and_then(Value::as_u64).unwrap_or(0);
            let results = a.get("results").cloned().unwrap_or(json!([]));
            page(self.d.ask, count, pg, size, results)
        })
        .await
    }
}

/// The store's answer to a write: its revision header's value, or the refusal (403 with the
/// decision, 400 when malformed).
fn refusal(org: u64, answer: &Value) -> Result<String, Reply> {
    let revision = answer.get("revision").and_then(Value::as_u64).unwrap_or(0);
    let stamp = revision::value(org, revision);
    if answer
        .get("refused")
        .and_then(Value::as_bool)
        .unwrap_or(true)
    {
        let decision = answer.get("decision").cloned().unwrap_or(Value::Null);
        let why = Why::of_json(&decision);
        let status = if why.reason == "invalid_request" {
            400
        } else {
            403
        };
        return Err(Reply {
            why: Some(why),
            ..Reply::decision(status, decision.to_string()).with(revision::HEADER, stamp)
        });
    }
    Ok(stamp)
}

/// A page as Label Studio answers it: `count`, `next` and `previous` on the Worker's URL,
/// `results`.
pub fn page(ask: &Ask<'_>, count: u64, page: u64, size: u64, results: Value) -> Value {
    let (raw_path, raw_query) = crate::http::path::split_url(&ask.url);
    let base = format!("{}{raw_path}", crate::serve::list::origin_of(&ask.url));
    let link = |p: u64| {
        format!(
            "{base}?{}",
            crate::serve::activity::page_query(raw_query, p)
        )
    };
    json!({
        "count": count,
        "next": (page * size < count).then(|| link(page + 1)),
        "previous": (page > 1).then(|| link(page - 1)),
        "results": results,
    })
}

/// `page` and `page_size` of the query (Label Studio's defaults: 1 and 30).
pub fn paging(d: &Decided<'_>) -> (u64, u64) {
    let num = |k: &str| d.query.get(k).and_then(|v| v.parse::<u64>().ok());
    (
        num("page").unwrap_or(1).max(1),
        num("page_size").unwrap_or(30).clamp(1, 1000),
    )
}

/// Whether the source is the store (for routes that only exist with it).
pub fn has_store(source: &Source<'_>) -> bool {
    source.store().is_some()
}
