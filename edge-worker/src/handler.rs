//! Every request starts here: it is dispatched to the gate (`crate::gate`: identity, route,
//! decision, forward), and whatever the outcome, it leaves one record of the activity log,
//! written after the response. This file owns no feature.

use worker::wasm_bindgen::JsValue;
use worker::web_sys::{self, Response};
use worker::{Context, Env};

use crate::activity::{self, Record};
use crate::config::Config;
use crate::fetch::{self, Incoming};
use crate::gate::{self, Ask, path};

/// Handles one request; every outcome is a response, and (with the `ACTIVITY` binding) one
/// record of the activity log, written after the response through `ctx.wait_until`.
pub async fn handle(req: web_sys::Request, env: Env, ctx: &Context) -> Result<Response, JsValue> {
    let cfg = Config::from_env(&env);
    let now = js_sys::Date::now();
    let incoming = Incoming::of(&req.headers());
    let ask = Ask {
        req: &req,
        incoming: &incoming,
        method: req.method(),
        url: req.url(),
        cfg: &cfg,
        now,
    };
    let mut rec = Record {
        time_ms: now as u64,
        request_id: request_id(&incoming, now),
        method: ask.method.clone(),
        path: path::split_url(&ask.url).0.to_owned(),
        ..Record::default()
    };
    let db = env.d1(activity::BINDING).ok();
    let out = match gate::run(&ask, &env, &mut rec, db.as_ref()).await {
        Ok(resp) => {
            rec.status = resp.status();
            Ok(resp)
        }
        Err(reply) => {
            drain(&req, &incoming, &cfg).await;
            rec.status = reply.status;
            rec.refused_by(&reply.body);
            if rec.page && reply.status >= 300 {
                crate::pages::refused(reply, &ask.url).into_response()
            } else {
                reply.into_response()
            }
        }
    };
    if let Some(db) = db
        && !rec.skip
    {
        let iso = js_sys::Date::new(&JsValue::from_f64(now))
            .to_iso_string()
            .as_string()
            .unwrap_or_default();
        if let Some(writer) = activity::log(db, rec, iso, cfg.activity_batch_ms) {
            ctx.wait_until(writer);
        }
    }
    out
}

/// `Cf-Ray` when the edge gave one, else an id of the Worker's own.
fn request_id(incoming: &Incoming, now: f64) -> String {
    match incoming.get("cf-ray") {
        Some(ray) if !ray.is_empty() && ray.len() <= 64 => ray.to_owned(),
        _ => format!(
            "lg-{:x}-{:08x}",
            now as u64,
            (js_sys::Math::random() * f64::from(u32::MAX)) as u32
        ),
    }
}

/// Reads and drops a small unread body before the Worker answers itself, so that the
/// runtime can keep the client's connection open (it closes it on an unread body).
async fn drain(req: &web_sys::Request, incoming: &Incoming, cfg: &Config) {
    if req.body_used() || req.body().is_none() {
        return;
    }
    let small = incoming
        .get("content-length")
        .and_then(|n| n.trim().parse::<usize>().ok())
        .is_some_and(|n| n <= cfg.max_body);
    if small {
        let _ = fetch::body_bytes(req, cfg.max_body).await;
    }
}
