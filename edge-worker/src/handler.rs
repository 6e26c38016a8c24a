//! Every request starts here, and flows one way. The front doors first (LabelGate's UI
//! files, the test endpoints, the operator's tools), then the gate (`crate::gate`: identity,
//! route, organization, decision), then the one server the route row names
//! (`crate::serve`), and whatever the outcome, one record of the activity log, written after
//! the response. This file owns no feature.

use worker::wasm_bindgen::JsValue;
use worker::web_sys::{self, Response};
use worker::{Context, Env};

use crate::activity::{self, Record};
use crate::config::Config;
use crate::gate::routes::Door;
use crate::gate::{self, Gate};
use crate::http::fetch::{self, Incoming};
use crate::http::path;
use crate::http::reply::{Answer, Reply, Served};
use crate::http::request::Ask;
use crate::serve;
use crate::source::Source;

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
    let out = match dispatch(&ask, &env, &mut rec, db.as_ref()).await {
        Ok(Answer::Response(resp)) => {
            rec.status = resp.status();
            Ok(resp)
        }
        Ok(Answer::Served(reply)) => {
            drain(&req, &incoming, &cfg).await;
            rec.status = reply.status;
            reply.into_response()
        }
        Err(reply) => {
            drain(&req, &incoming, &cfg).await;
            rec.status = reply.status;
            rec.refused(&reply);
            if rec.page && reply.status >= 300 {
                crate::serve::pages::refused(reply, &ask.url).into_response()
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

/// The request through the front doors, the gate and its server: an answer, or a refusal
/// (`Err`). The front doors' answers are not recorded.
async fn dispatch(
    ask: &Ask<'_>,
    env: &Env,
    rec: &mut Record,
    db: Option<&worker::D1Database>,
) -> Served {
    let screened = gate::screen(ask)?;
    let door = gate::routes::front_door(&screened.segments);
    if door == Some(Door::Asset) {
        rec.skip = true;
        let asset = serve::pages::asset(env, &ask.method, &ask.url, &screened.segments);
        return asset.await.map(Answer::Response);
    }
    let source = Source::of(env, ask.cfg, ask.now).await?;
    match door {
        Some(Door::Operator(route)) => {
            rec.skip = true;
            return crate::operator::answer(ask, &source, route).await;
        }
        #[cfg(feature = "test-endpoints")]
        Some(Door::Test(route)) => {
            if let Some(answer) = crate::testing::serve(ask, &source, route).await {
                rec.skip = true;
                return Ok(Answer::Served(answer));
            }
        }
        Some(Door::Asset) | None => {}
    }
    match gate::run(ask, &source, env, screened, rec).await? {
        Gate::Public(m) => serve::public(ask, origin(ask)?, &m).await,
        Gate::Signup(query) => serve::signup::request(ask, &source, &query, origin(ask)?, rec)
            .await
            .map(Answer::Response),
        Gate::Allowed(d) => serve::serve(&d, db).await,
    }
}

/// The origin the gate checked is configured.
fn origin<'a>(ask: &Ask<'a>) -> Result<&'a str, Reply> {
    ask.cfg
        .origin
        .as_deref()
        .ok_or_else(|| Reply::error(502, "no_origin", "no origin is configured"))
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
