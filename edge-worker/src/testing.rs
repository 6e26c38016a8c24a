//! The test harness's endpoints, compiled only with the feature `test-endpoints` (the test
//! bundle, `edge-worker/build-test/`) and answered only with `LABELGATE_TEST_ENDPOINTS=1`
//! (never in `wrangler.toml`), never recorded in the activity log:
//!
//! - `POST /__labelgate/decide` (a request of SPEC §4): its decision on the facts in force:
//!   the KV snapshot, or with the store the principal's slice of the request's organization
//!   (the path every request of the gate takes);
//! - `POST /__labelgate/store-slice` `{org, user, groups, known}`: the store's slice, as it
//!   answers it;
//! - `POST /__labelgate/store-write` `{org, actor, known, op, dry, fault}`: a write of the
//!   store (`dry`: decided, not applied; `fault`: fail after that many statements).

use policy_core::Principal;
use serde_json::{Value, json};
use worker::Method;

use crate::gate::routes::Test;
use crate::http::reply::Reply;
use crate::http::request::Ask;
use crate::source::client::{SliceScope, org_object};
use crate::source::{Source, store_failed};

/// Serves the test endpoint `route` (a front door of `crate::gate::routes`), or `None` when
/// the switch is off or the method is not `POST` (the gate then finds no such route).
pub async fn serve(ask: &Ask<'_>, source: &Source<'_>, route: Test) -> Option<Reply> {
    if !ask.cfg.test_endpoints || ask.method != "POST" {
        return None;
    }
    Some(match answer(ask, source, route).await {
        Ok(r) | Err(r) => r,
    })
}

async fn answer(ask: &Ask<'_>, source: &Source<'_>, route: Test) -> Result<Reply, Reply> {
    let bytes = ask.read_body().await?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let store = match (source, route) {
        (Source::Snapshot(policy, version), Test::Decide) => {
            return Ok(Reply::decision(200, policy.decide_json(&text))
                .with("x-labelgate-snapshot", version.clone()));
        }
        (Source::Store(client, _), _) => client,
        _ => {
            return Err(Reply::error(
                404,
                "no_test_endpoint",
                "this endpoint needs the store",
            ));
        }
    };
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let org = v.get("org").and_then(Value::as_u64).unwrap_or(0);
    match route {
        Test::Decide => {
            // The request's own reading decides what is malformed; a readable one is decided
            // on its principal's slice of its organization.
            let principal = v
                .get("principal")
                .and_then(|p| Principal::from_json(&p.to_string()).ok());
            let (Some(principal), Some(org)) = (principal, v.get("org").and_then(Value::as_u64))
            else {
                return Ok(Reply::decision(200, source.base().decide_json(&text)));
            };
            // A signup is decided by the store on the invite tokens, as the gate does.
            if v.get("action").and_then(Value::as_str) == Some("org.signup")
                && v.get("resource")
                    .is_some_and(|r| r.get("workspace").is_none() && r.get("project").is_none())
            {
                let token = v.pointer("/resource/invite_token").and_then(Value::as_str);
                let d = store.signup(org, token).await.map_err(store_failed)?;
                if !d.is_null() {
                    return Ok(Reply::decision(200, d.to_string()));
                }
            }
            let known = match principal.user {
                Some(u) => source.user(u).await?.known,
                None => false,
            };
            // The slice the gate would ask for: touching the member the request names, the
            // organization's when it names no workspace or project.
            let resource = v
                .get("resource")
                .and_then(|r| policy_core::Resource::from_json(&r.to_string()).ok());
            let action = policy_core::Action::from_name(
                v.get("action").and_then(Value::as_str).unwrap_or(""),
            );
            let scope = SliceScope {
                member: action
                    .zip(resource.as_ref())
                    .and_then(|(a, r)| policy_core::member_touched(a, r)),
                objects: resource.as_ref().is_none_or(|r| {
                    r.workspace.is_some() || r.project.is_some() || r.target_workspace.is_some()
                }),
            };
            let policy = source.policy(org, &principal, known, false, scope).await?;
            Ok(Reply::decision(200, policy.decide_json(&text)))
        }
        Test::StoreSlice => {
            let principal = Principal {
                user: v.get("user").and_then(Value::as_u64),
                groups: serde_json::from_value(v.get("groups").cloned().unwrap_or(json!([])))
                    .unwrap_or_default(),
            };
            let ask = json!({
                "user": principal.user,
                "groups": principal.groups,
                "known": v.get("known").and_then(Value::as_bool).unwrap_or(false),
            });
            let (status, text) = store
                .call(
                    &org_object(org),
                    Method::Post,
                    "/slice",
                    Some(ask.to_string()),
                    &[],
                )
                .await
                .map_err(store_failed)?;
            Ok(Reply::decision(status, text))
        }
        Test::StoreWrite => {
            // The tests name a write as the journal does (`{"op": "set_role", ...}`); the
            // store reads the protocol's form (`{"set_role": {...}}`, `store::protocol::Op`).
            let text = match v {
                Value::Object(mut ask) => {
                    if let Some(Value::Object(op)) = ask.get_mut("op")
                        && let Some(Value::String(name)) = op.remove("op")
                    {
                        let fields = std::mem::take(op);
                        op.insert(name, Value::Object(fields));
                    }
                    Value::Object(ask).to_string()
                }
                _ => text,
            };
            let (status, text) = store
                .call(&org_object(org), Method::Post, "/write", Some(text), &[])
                .await
                .map_err(store_failed)?;
            Ok(Reply::decision(status, text))
        }
    }
}
