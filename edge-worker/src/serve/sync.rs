//! The store in step with Label Studio: once the origin has answered an allowed request that
//! creates or deletes something LabelGate keeps facts about, the store records it before the
//! answer reaches the client, and the answer carries the new revision.
//!
//! - `POST /api/projects/` (201): the new project, created by the member, in the workspace the
//!   body named or else the member's sandbox (made on first use). The member's very next
//!   request to it is decided on that record.
//! - `POST /api/projects/{id}/duplicate/` (Enterprise's, 200 or 201 with the copy's `id`):
//!   the copy, made by the member, in the workspace the body named or else the original's.
//! - `DELETE /api/projects/{id}/` (204): the project leaves the store.
//! - `DELETE /api/users/{id}/` (204): the member leaves the organization's store.

use serde_json::Value;
use worker::web_sys::Response;

use crate::decided::Decided;
use crate::gate::routes::How;
use crate::http::body::JsonBody;
use crate::http::fetch;
use crate::http::reply::Reply;
use crate::source::revision;
use crate::source::store_failed;
use crate::store::protocol::Op;

/// The origin's answer to `d`, after the store recorded what it made or removed.
pub async fn after(d: &Decided<'_>, resp: Response) -> Result<Response, Reply> {
    let Some(store) = d.source.store() else {
        return Ok(resp);
    };
    let status = resp.status();
    let op = match (d.ask.method.as_str(), d.matched.row.how, status) {
        ("POST", How::CreateProject, 201) => {
            let text = fetch::text(&resp).await.ok_or_else(unreadable)?;
            let made: Value = serde_json::from_str(&text).map_err(|_| unreadable())?;
            let Some(project) = made.get("id").and_then(Value::as_u64) else {
                return Err(unreadable());
            };
            let body = d
                .bytes
                .as_deref()
                .map(JsonBody::parse)
                .transpose()
                .ok()
                .flatten()
                .unwrap_or_default();
            let op = Op::ProjectCreated {
                project,
                workspace: d.resource.workspace.filter(|_| body.has("workspace")),
                title: title_of(&made),
            };
            let revision = record(d, store, op).await?;
            return stamped(&resp, Some(&text), revision, d.org);
        }
        ("POST", How::Duplicate, 200 | 201) => {
            let text = fetch::text(&resp).await.ok_or_else(unreadable)?;
            let made: Value = serde_json::from_str(&text).map_err(|_| unreadable())?;
            let Some(project) = made.get("id").and_then(Value::as_u64) else {
                return Err(unreadable());
            };
            let op = Op::ProjectCreated {
                project,
                workspace: d.resource.target_workspace.or(d.resource.workspace),
                title: title_of(&made),
            };
            let revision = record(d, store, op).await?;
            return stamped(&resp, Some(&text), revision, d.org);
        }
        ("DELETE", How::Act(policy_core::Action::ProjectDelete), 204) => Op::ProjectDeleted {
            project: d.resource.project.ok_or_else(unreadable)?,
        },
        ("DELETE", How::Act(policy_core::Action::OrgRemoveMember), 204) => Op::RemoveMember {
            member: d.resource.member.ok_or_else(unreadable)?,
        },
        _ => return Ok(resp),
    };
    let revision = record(d, store, op).await?;
    stamped(&resp, None, revision, d.org)
}

/// The title Label Studio gave a project it made.
fn title_of(made: &Value) -> Option<String> {
    made.get("title").and_then(Value::as_str).map(str::to_owned)
}

fn unreadable() -> Reply {
    Reply::error(
        502,
        "origin_answer",
        "the origin's answer could not be read, so the store could not record it",
    )
}

async fn record(
    d: &Decided<'_>,
    store: &crate::source::client::Client<'_>,
    op: Op,
) -> Result<u64, Reply> {
    let answer = store
        .write(d.org, &d.principal, d.known, op)
        .await
        .map_err(store_failed)?;
    if answer.get("refused").and_then(Value::as_bool) == Some(true) {
        worker::console_error!(
            "labelgate: the store refused to record `{}`: {answer}",
            d.ask.path_and_query()
        );
    }
    Ok(answer.get("revision").and_then(Value::as_u64).unwrap_or(0))
}

fn stamped(
    resp: &Response,
    text: Option<&str>,
    revision: u64,
    org: u64,
) -> Result<Response, Reply> {
    fetch::with_header(
        resp,
        text,
        revision::HEADER,
        &revision::value(org, revision),
    )
    .map_err(|e| Reply::error(502, "origin_answer", fetch::js_error(&e)))
}
