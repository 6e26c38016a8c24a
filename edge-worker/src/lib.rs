//! LabelGate's edge authorizer: a Cloudflare Worker in front of Label Studio. Every request
//! is authenticated, mapped by method and path to one action of the policy (the route table
//! of `label-studio-api.md`), decided by `policy-core`, then forwarded unchanged or refused
//! (401 without identity, 403 with the decision, 400 when ambiguous, 503 with no policy).
//!
//! Build with `bash scripts/build-worker.sh`; run with `bash scripts/demo-worker.sh`.
#![forbid(unsafe_code)]

//!
//! One request flows one way: [`handler`] (the dispatcher: front doors, then the gate, then
//! the one server the route row names, then one activity record) → [`gate`] (identity →
//! route → organization → decision, answering nothing) → [`decided`] (the handoff) →
//! [`serve`] (the servers of allowed requests) or [`admin`] (the administration API).
//!
//! Its parts, by folder:
//! - [`http`]: request, path, body, reply, fetch, forward, redaction, rewriter;
//! - [`gate`]: identity, route, organization, decision;
//! - [`source`]: where the gate's facts come from, Worker side (the store's client, the KV
//!   snapshot, the revision a request must be decided on);
//! - [`serve`]: the origin, filtered lists, own tasks, signup, sync, pages;
//! - [`admin`]: the administration API (roles, members, workspaces, assignments), served
//!   from the store;
//! - [`operator`]: the operator's tools (import, export, bootstrap of the store);
//! - [`activity`]: the activity log; `testing`: the test endpoints (feature `test-endpoints`);
//! - [`store`]: the Durable Object only: one per organization (SQLite), and the directory;
//! - [`config`], [`cache`], [`codes`] (Label Studio's role codes): what they all share.

pub mod activity;
pub mod admin;
pub mod cache;
pub mod codes;
pub mod config;
pub mod decided;
pub mod gate;
pub mod handler;
pub mod http;
pub mod operator;
pub mod serve;
pub mod source;
pub mod store;
#[cfg(feature = "test-endpoints")]
pub mod testing;

use worker::{Context, Env, event, web_sys};

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> worker::Result<web_sys::Response> {
    handler::handle(req, env, &ctx)
        .await
        .map_err(worker::Error::from)
}
