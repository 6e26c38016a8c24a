//! LabelGate's edge authorizer: a Cloudflare Worker in front of Label Studio. Every request
//! is authenticated, mapped by method and path to one action of the policy (the route table
//! of `label-studio-api.md`), decided by `policy-core`, then forwarded unchanged or refused
//! (401 without identity, 403 with the decision, 400 when ambiguous, 503 with no policy).
//!
//! Build with `bash scripts/build-worker.sh`; run with `bash scripts/demo-worker.sh`.
#![forbid(unsafe_code)]

pub mod access;
pub mod activity;
pub mod body;
pub mod cache;
pub mod config;
pub mod credential;
pub mod fetch;
pub mod forward;
pub mod handler;
pub mod identity;
pub mod jwt;
pub mod list;
pub mod lookup;
pub mod path;
pub mod plan;
pub mod reply;
pub mod routes;
pub mod signup;
pub mod snapshot;

use worker::{Context, Env, event, web_sys};

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> worker::Result<web_sys::Response> {
    handler::handle(req, env, &ctx)
        .await
        .map_err(worker::Error::from)
}
