//! The operator's routes, with the deployment's secret `LABELGATE_ADMIN_TOKEN` in
//! `X-LabelGate-Admin-Token` (no member may call them; nothing is forwarded to the origin):
//!
//! - `POST /api/labelgate/import?org=N`: one organization of a snapshot as lines of JSON
//!   (`tests/worker/store.mjs` writes them), replacing the organization's facts at once;
//! - `GET /api/labelgate/export?org=N`: the organization's snapshot JSON, canonical;
//! - `POST /api/labelgate/bootstrap?org=N` `{owner, name, users, projects}`: adopt an existing
//!   Label Studio (`scripts/bootstrap-store.py` reads it with an admin token): its users
//!   become pending members (the owner, the owner), its projects go into a default
//!   workspace; run again, it adds what is new and never demotes anyone;
//! - `GET /api/labelgate/stats?org=N`: the object's storage size and revision, and what this
//!   isolate keeps (slices and their size, its WebAssembly memory).

use serde_json::json;
use worker::Method;

use crate::gate::routes::Operator;
use crate::http::reply::Reply;
use crate::http::reply::{Answer, Served};
use crate::http::request::Ask;
use crate::source::client::org_object;
use crate::source::{Source, store_failed};

/// The size of this isolate's WebAssembly memory (bytes; it only grows).
fn wasm_memory() -> f64 {
    use worker::wasm_bindgen::JsCast;
    worker::wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0.0, |b| f64::from(b.byte_length()))
}

/// Equal, in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Answers the operator's route `route` (a front door of `crate::gate::routes`).
pub async fn answer(ask: &Ask<'_>, source: &Source<'_>, route: Operator) -> Served {
    let Some(store) = source.store() else {
        return Err(Reply::error(
            501,
            "needs_store",
            "this deployment has no store",
        ));
    };
    let expected = ask.cfg.admin_token.as_deref().ok_or_else(|| {
        Reply::error(
            403,
            "no_admin_token",
            "LABELGATE_ADMIN_TOKEN is not set: the operator's routes are closed",
        )
    })?;
    let given = ask.incoming.get("x-labelgate-admin-token").unwrap_or("");
    if !same(given, expected) {
        return Err(Reply::error(
            401,
            "unauthenticated",
            "the operator's token is missing or wrong",
        ));
    }
    let query = crate::http::path::Query::parse(ask.raw_query())
        .map_err(|e| Reply::error(400, "ambiguous_query", e.to_string()))?;
    let org = query
        .get("org")
        .and_then(crate::http::path::parse_id)
        .ok_or_else(|| {
            Reply::error(400, "invalid_request", "name the organization: `?org=<id>`")
        })?;
    let name = org_object(org);
    let passed = match (ask.method.as_str(), route) {
        ("POST", Operator::Import) => {
            // Streamed through: an organization of any size never sits whole in the Worker.
            let body = ask.req.body().map(worker::wasm_bindgen::JsValue::from);
            // The test bundle's fault hook: the commit fails that many statements in.
            #[cfg(feature = "test-endpoints")]
            let fault = ask
                .incoming
                .get("x-labelgate-fault")
                .filter(|_| ask.cfg.test_endpoints);
            #[cfg(not(feature = "test-endpoints"))]
            let fault: Option<&str> = None;
            let headers: Vec<(&str, &str)> = fault
                .map(|f| ("x-labelgate-fault", f))
                .into_iter()
                .collect();
            store
                .pass(&name, Method::Post, "/import", body, &headers)
                .await
        }
        ("GET", Operator::Export) => store.pass(&name, Method::Get, "/export", None, &[]).await,
        ("POST", Operator::Bootstrap) => {
            let body = ask.read_decision_body().await?;
            let mut v: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&body)
                .map_err(|e| {
                Reply::error(
                    400,
                    "invalid_request",
                    format!("the body (a JSON object): {e}"),
                )
            })?;
            v.insert(String::from("org"), json!(org));
            let v = serde_json::Value::Object(v);
            let body = Some(worker::wasm_bindgen::JsValue::from_str(&v.to_string()));
            store.pass(&name, Method::Post, "/adopt", body, &[]).await
        }
        ("GET", Operator::Stats) => {
            let (status, text) = store
                .call(&name, Method::Get, "/stats", None, &[])
                .await
                .map_err(store_failed)?;
            let mut v: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&text).unwrap_or_default();
            let (slices, bytes) = crate::source::client::kept();
            v.insert(
                String::from("isolate"),
                json!({"slices": slices, "slice_bytes": bytes, "wasm_memory_bytes": wasm_memory()}),
            );
            let v = serde_json::Value::Object(v);
            return Ok(Answer::Served(Reply::decision(status, v.to_string())));
        }
        (m, _) => {
            return Err(Reply::error(
                405,
                "method_not_allowed",
                format!("`{m} {}`", ask.raw_path().trim_end_matches('/')),
            ));
        }
    };
    passed
        .map(|r| Answer::Response(worker::web_sys::Response::from(r)))
        .map_err(store_failed)
}
