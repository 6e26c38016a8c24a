//! LabelGate's edge authorizer: a Cloudflare Worker in front of Label Studio. Every request
//! is authenticated, mapped by method and path to one action of the policy (the route table
//! of `label-studio-api.md`), decided by `policy-core`, then forwarded unchanged or refused
//! (401 without identity, 403 with the decision, 400 when ambiguous, 503 with no policy).
//!
//! Build with `bash scripts/build-worker.sh`; run with `bash scripts/demo-worker.sh`.
#![forbid(unsafe_code)]

//!
//! Its parts, by folder:
//! - [`gate`]: request -> identity -> route -> decision -> forward;
//! - [`admin`]: the administration API (roles, members, workspaces, assignments), served
//!   from the store, and the store kept in step with Label Studio;
//! - [`store`]: the facts, one Durable Object per organization (SQLite), and the directory;
//!   [`snapshot`]: the alternative, a whole snapshot in KV; [`activity`]: the activity log;
//! - [`pages`]: Label Studio's web UI through the edge (refusal pages, the injected UI
//!   script, LabelGate's own UI files);
//! - [`handler`]: dispatches each request and owns no feature; [`config`], [`reply`],
//!   [`fetch`], [`cache`]: what they all share.

pub mod activity;
pub mod admin;
pub mod cache;
pub mod config;
pub mod fetch;
pub mod gate;
pub mod handler;
pub mod pages;
pub mod reply;
pub mod snapshot;
pub mod store;
pub mod testing;

use worker::{Context, Env, event, web_sys};

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> worker::Result<web_sys::Response> {
    handler::handle(req, env, &ctx)
        .await
        .map_err(worker::Error::from)
}
