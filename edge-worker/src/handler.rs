//! One request, start to end: refuse what is ambiguous, load the policy, match the route,
//! authenticate, plan, resolve the project, decide, then forward or refuse. Nothing is
//! forwarded undecided: every path that does not end in an allow ends in a [`Reply`].

use std::rc::Rc;

use policy_core::{Action, Decision, Policy, Principal, Reason, Request, Resource};
use worker::wasm_bindgen::JsValue;
use worker::web_sys::{self, Response};
use worker::{Context, D1Database, Env};

use crate::activity::{self, Filter, Record};
use crate::body::JsonBody;
use crate::config::Config;
use crate::credential::{self, Carried};
use crate::fetch::{self, Incoming};
use crate::forward::{self, Body, Rewrite};
use crate::identity::{self, Identity, NoIdentity};
use crate::list;
use crate::lookup::{Lookup, Unresolved};
use crate::path::{self, Query};
use crate::plan::{self, Plan, Source};
use crate::reply::Reply;
use crate::routes::{self, How, ListKind, Matched};
use crate::signup;
use crate::snapshot;

/// The largest header value, and all headers together, the Worker accepts (HTTP 431).
const MAX_HEADER: usize = 8 * 1024;
const MAX_HEADERS: usize = 32 * 1024;

/// Headers some frameworks read as the real method.
const METHOD_OVERRIDES: [&str; 3] = [
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
];

/// The test harness's endpoint (`LABELGATE_TEST_ENDPOINTS=1` only).
const TEST_DECIDE: &str = "/__labelgate/decide";

/// Handles one request; every outcome is a response, and (with the `ACTIVITY` binding) one
/// record of the activity log, written after the response through `ctx.wait_until`.
pub async fn handle(req: web_sys::Request, env: Env, ctx: &Context) -> Result<Response, JsValue> {
    let cfg = Config::from_env(&env);
    let now = js_sys::Date::now();
    let incoming = Incoming::of(&req.headers());
    let url = req.url();
    let mut rec = Record {
        time_ms: now as u64,
        request_id: request_id(&incoming, now),
        method: req.method(),
        path: split_url(&url).0.to_owned(),
        ..Record::default()
    };
    let db = env.d1(activity::BINDING).ok();
    let out = match run(&req, &incoming, &env, &cfg, now, &mut rec, db.as_ref()).await {
        Ok(resp) => {
            rec.status = resp.status();
            Ok(resp)
        }
        Err(reply) => {
            drain(&req, &incoming, &cfg).await;
            rec.status = reply.status;
            rec.refused_by(&reply.body);
            reply.into_response()
        }
    };
    if let Some(db) = db
        && !rec.skip
    {
        let iso = js_sys::Date::new(&JsValue::from_f64(now))
            .to_iso_string()
            .as_string()
            .unwrap_or_default();
        ctx.wait_until(async move {
            if let Err(e) = activity::write(&db, &rec, &iso).await {
                worker::console_error!("labelgate: activity log: {e}");
            }
        });
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

/// The raw path and query of a serialized URL (`https://host/p?q#f`).
fn split_url(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let rest = url.get(after_scheme..).unwrap_or("");
    let path_and_query = rest.find('/').and_then(|i| rest.get(i..)).unwrap_or("/");
    let path_and_query = path_and_query.split('#').next().unwrap_or("/");
    path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""))
}

fn refuse_hostile_headers(incoming: &Incoming, query: &Query) -> Result<(), Reply> {
    let total: usize = incoming.iter().map(|(k, v)| k.len() + v.len() + 4).sum();
    if total > MAX_HEADERS || incoming.iter().any(|(_, v)| v.len() > MAX_HEADER) {
        return Err(Reply::error(
            431,
            "headers_too_large",
            "the request headers are too large",
        ));
    }
    if let Some((name, _)) = incoming.iter().find(|(k, _)| METHOD_OVERRIDES.contains(k)) {
        return Err(Reply::error(
            400,
            "method_override",
            format!("the `{name}` header is not accepted"),
        ));
    }
    if query.get("_method").is_some() {
        return Err(Reply::error(
            400,
            "method_override",
            "the `_method` parameter is not accepted",
        ));
    }
    Ok(())
}

/// Decides `req` and forwards it (`Ok`: the origin's response), or answers it itself (`Err`:
/// a refusal, or the test endpoint's decision).
async fn run(
    req: &web_sys::Request,
    incoming: &Incoming,
    env: &Env,
    cfg: &Config,
    now: f64,
    rec: &mut Record,
    db: Option<&D1Database>,
) -> Result<Response, Reply> {
    let method = req.method();
    let url = req.url();
    let (raw_path, raw_query) = split_url(&url);
    let query =
        Query::parse(raw_query).map_err(|e| Reply::error(400, "ambiguous_query", e.to_string()))?;
    refuse_hostile_headers(incoming, &query)?;
    let segments = path::canonical_segments(raw_path)
        .map_err(|e| Reply::error(400, "ambiguous_path", e.to_string()))?;

    let Some((policy, version)) = snapshot::current(env, now, cfg.snapshot_check_ms).await else {
        return Err(Reply::error(
            503,
            "no_policy",
            "no policy snapshot is loaded",
        ));
    };

    if cfg.test_endpoints && method == "POST" && raw_path == TEST_DECIDE {
        rec.skip = true;
        let bytes = read_body(req, cfg).await?;
        let text = String::from_utf8_lossy(&bytes);
        return Err(
            Reply::decision(200, policy.decide_json(&text)).with("x-labelgate-snapshot", version)
        );
    }

    let Some(m) = routes::find(routes::TABLE, &method, &segments) else {
        let msg = format!("`{method} {raw_path}` is not a route of the table");
        return Err(Reply::deny(403, &policy, Reason::UnknownAction, msg));
    };
    let origin = cfg
        .origin
        .as_deref()
        .ok_or_else(|| Reply::error(502, "no_origin", "no origin is configured"))?;
    let path_and_query = match raw_query {
        "" => raw_path.to_owned(),
        q => format!("{raw_path}?{q}"),
    };

    if m.row.how == How::Public {
        rec.action = Some(String::from("public"));
        rec.allow = true;
        rec.reason = String::from("public");
        let rw = Rewrite {
            decision: String::from("public"),
            ..Rewrite::default()
        };
        return send(req, incoming, origin, &path_and_query, &rw, Body::Stream).await;
    }

    if m.row.how == How::Signup {
        return signup_request(req, incoming, &policy, &query, origin, &path_and_query, rec).await;
    }

    // The identity first (a token refresh carries it in the body), then the organization and
    // the member's standing in it, and only then the body of a request decided on its body.
    let refresh = m.row.how == How::RefreshToken;
    let mut bytes = None;
    if refresh {
        bytes = Some(read_decision_body(req, incoming, cfg).await?);
    }
    let parse = |bytes: &Option<Vec<u8>>| match bytes {
        Some(b) => JsonBody::parse(b)
            .map_err(|e| Reply::deny(400, &policy, Reason::InvalidRequest, e.to_string())),
        None => Ok(JsonBody::default()),
    };
    let (identity, mut rw, cred) =
        authenticate(incoming, cfg, &policy, &m, &parse(&bytes)?, now).await?;
    rec.user = Some(identity.user);
    let principal = Principal {
        user: Some(identity.user),
        groups: identity.groups.clone(),
    };
    let org = organization(incoming, &policy, identity.user, m.params.org)?;
    rec.org = Some(org);

    // A member who may not use the API at all is refused before anything is read or looked up.
    let gate = policy.decide(&Request {
        principal: principal.clone(),
        org,
        action: Action::OrgApiAccess,
        resource: Resource::org(),
    });
    if !gate.allow {
        rec.decided(&gate, Action::OrgApiAccess, org, &Resource::org());
        return Err(denied(&gate, Action::OrgApiAccess, org, &Resource::org()));
    }

    if !refresh && plan::needs_body(&m, &method) {
        bytes = Some(read_decision_body(req, incoming, cfg).await?);
    }
    let plan = plan::plan(&m, &method, &query, &parse(&bytes)?)
        .map_err(|e| Reply::deny(400, &policy, Reason::InvalidRequest, e.0))?;
    rec.action = Some(plan.action.to_string());

    let resource = match &cred {
        Some(cred) => {
            let lookup = Lookup {
                origin,
                cred,
                user: identity.user,
                ttl_ms: cfg.lookup_ttl_ms,
                now,
            };
            resolve(&policy, &plan, &lookup, org, identity.user).await?
        }
        None => resolve_without_lookups(&policy, &plan, org, identity.user)?,
    };
    let decision = policy.decide(&Request {
        principal: principal.clone(),
        org,
        action: plan.action,
        resource: resource.clone(),
    });
    rec.decided(&decision, plan.action, org, &resource);
    rec.detail = plan.list.map(|l| format!("list={}", l.name()));
    if !decision.allow {
        return Err(denied(&decision, plan.action, org, &resource));
    }
    rw.user = Some(identity.user);
    rw.decision = stamp(
        &decision,
        plan.action,
        org,
        &resource,
        plan.list.map(|l| l.name()),
    );
    if plan.action == Action::OrgViewActivityLog
        && let Some(db) = db
    {
        return Err(
            serve_activity_log(db, &policy, org, &query, &url, raw_path, raw_query, &rw).await,
        );
    }
    if let Some(kind) = plan.list {
        let list = ListRequest {
            raw_path,
            raw_query,
            url: &url,
            origin,
            principal: &principal,
            org,
            kind,
        };
        return serve_list(req, incoming, &policy, &list, &rw).await;
    }
    let body = match &bytes {
        Some(b) => Body::Bytes(b),
        None => Body::Stream,
    };
    send(req, incoming, origin, &path_and_query, &rw, body).await
}

/// A signup (`/user/signup/`): refused unless the organizations it could join allow it.
async fn signup_request(
    req: &web_sys::Request,
    incoming: &Incoming,
    policy: &Policy,
    query: &Query,
    origin: &str,
    path_and_query: &str,
    rec: &mut Record,
) -> Result<Response, Reply> {
    let token = query.get("token").filter(|t| !t.is_empty());
    let Some((org, d)) = signup::decide(policy, token) else {
        return Err(Reply::deny(
            403,
            policy,
            Reason::UnknownResource,
            "the snapshot has no organization to sign up to",
        ));
    };
    let res = Resource::org();
    rec.decided(&d, Action::OrgSignup, org, &res);
    if !d.allow {
        return Err(denied(&d, Action::OrgSignup, org, &res));
    }
    rec.detail = Some(String::from("new_member=not_activated"));
    let rw = Rewrite {
        decision: format!(
            "{} new_member=not_activated",
            stamp(&d, Action::OrgSignup, org, &res, None)
        ),
        ..Rewrite::default()
    };
    send(req, incoming, origin, path_and_query, &rw, Body::Stream).await
}

/// `GET /api/activity-logs/`, answered from D1: the organization's records, filtered, a page.
#[allow(clippy::too_many_arguments)]
async fn serve_activity_log(
    db: &D1Database,
    policy: &Policy,
    org: u64,
    query: &Query,
    url: &str,
    raw_path: &str,
    raw_query: &str,
    rw: &Rewrite,
) -> Reply {
    let time = |s: &str| {
        let ms = js_sys::Date::parse(s);
        (ms.is_finite() && ms >= 0.0).then_some(ms as u64)
    };
    let filter = match Filter::parse(query, time) {
        Ok(f) => f,
        Err(e) => return Reply::deny(400, policy, Reason::InvalidRequest, e),
    };
    let base = format!("{}{raw_path}", list::origin_of(url));
    match activity::page(db, policy, org, &filter, &base, raw_query).await {
        Ok(body) => Reply::decision(200, body).with("x-labelgate-decision", rw.decision.clone()),
        Err(e) => {
            worker::console_error!("labelgate: activity log: {e}");
            Reply::error(
                503,
                "activity_log_unavailable",
                "the activity log could not be read",
            )
        }
    }
}

/// A list request, allowed, to be answered with only what the member reaches.
struct ListRequest<'a> {
    raw_path: &'a str,
    raw_query: &'a str,
    url: &'a str,
    origin: &'a str,
    principal: &'a Principal,
    org: u64,
    kind: ListKind,
}

/// Forwards a list narrowed to the member's reach (see [`crate::list`]) and filters the answer.
async fn serve_list(
    req: &web_sys::Request,
    incoming: &Incoming,
    policy: &Policy,
    l: &ListRequest<'_>,
    rw: &Rewrite,
) -> Result<Response, Reply> {
    let (visible, query) = match l.kind {
        ListKind::Workspaces => (
            policy.visible_workspaces(l.principal, l.org),
            l.raw_query.to_owned(),
        ),
        ListKind::Projects | ListKind::ProjectCounts => {
            let visible = policy.visible_projects(l.principal, l.org);
            let requested = list::requested_ids(l.raw_query)
                .map_err(|e| Reply::deny(400, policy, Reason::InvalidRequest, e))?;
            let ask = list::ids_to_ask(&visible, requested.as_deref());
            if ask.is_empty() {
                return Err(Reply::decision(200, list::empty_page())
                    .with("x-labelgate-decision", rw.decision.clone()));
            }
            (visible, list::rewrite_query(l.raw_query, &ask))
        }
    };
    let path_and_query = match query.as_str() {
        "" => l.raw_path.to_owned(),
        q => format!("{}?{q}", l.raw_path),
    };
    let resp = send(req, incoming, l.origin, &path_and_query, rw, Body::Stream).await?;
    let is_json = resp
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .is_some_and(|ct| ct.contains("json"));
    if resp.status() != 200 || !is_json || req.method() == "HEAD" {
        return Ok(resp);
    }
    let unexpected = || Reply::error(502, "origin_list", "the origin's list could not be read");
    let text = fetch::text(&resp).await.ok_or_else(unexpected)?;
    let body = list::filter_body(
        &text,
        &visible,
        list::origin_of(l.origin),
        list::origin_of(l.url),
    )
    .ok_or_else(unexpected)?;
    filtered_response(&resp, &body).map_err(|e| {
        worker::console_error!("labelgate: list: {}", fetch::js_error(&e));
        unexpected()
    })
}

/// The origin's response with a new body (its headers, less the length and encoding).
fn filtered_response(resp: &Response, body: &str) -> Result<Response, JsValue> {
    let headers = web_sys::Headers::new_with_headers(&resp.headers())?;
    headers.delete("content-length")?;
    headers.delete("content-encoding")?;
    let init = web_sys::ResponseInit::new();
    init.set_status(resp.status());
    init.set_headers(&headers);
    Response::new_with_opt_str_and_init(Some(body), &init)
}

async fn send(
    req: &web_sys::Request,
    incoming: &Incoming,
    origin: &str,
    path_and_query: &str,
    rw: &Rewrite,
    body: Body<'_>,
) -> Result<Response, Reply> {
    forward::forward(req, incoming, origin, path_and_query, rw, body)
        .await
        .map_err(|e| {
            worker::console_error!("labelgate: origin unreachable: {e}");
            Reply::error(502, "origin_unreachable", "the origin did not answer")
        })
}

/// The `X-LabelGate-Decision` value: `allowed project.view org=1 project=1000`.
fn stamp(d: &Decision, action: Action, org: u64, res: &Resource, list: Option<&str>) -> String {
    let mut s = format!("{} {action} org={org}", d.reason.name());
    for (name, v) in [
        ("workspace", res.workspace),
        ("project", res.project),
        ("member", res.member),
        ("subject", res.subject),
    ] {
        if let Some(v) = v {
            s.push_str(&format!(" {name}={v}"));
        }
    }
    if let Some(list) = list {
        s.push_str(&format!(" list={list}"));
    }
    s
}

fn denied(d: &Decision, action: Action, org: u64, res: &Resource) -> Reply {
    Reply::decision(403, d.to_json()).with("x-labelgate-decision", stamp(d, action, org, res, None))
}

async fn read_body(req: &web_sys::Request, cfg: &Config) -> Result<Vec<u8>, Reply> {
    fetch::body_bytes(req, cfg.max_body)
        .await
        .map_err(|e| match e {
            None => Reply::error(413, "body_too_large", "the body is too large to decide on"),
            Some(e) => {
                worker::console_error!("labelgate: body: {e}");
                Reply::error(400, "unreadable_body", "the body could not be read")
            }
        })
}

/// The body the decision reads: JSON, not encoded, within the size limit.
async fn read_decision_body(
    req: &web_sys::Request,
    h: &Incoming,
    cfg: &Config,
) -> Result<Vec<u8>, Reply> {
    if let Some(enc) = h
        .get("content-encoding")
        .filter(|e| !e.eq_ignore_ascii_case("identity"))
    {
        return Err(Reply::error(
            415,
            "encoded_body",
            format!("a `{enc}` body cannot be decided on"),
        ));
    }
    if let Some(len) = h.get("content-length")
        && len
            .trim()
            .parse::<usize>()
            .map_or(true, |n| n > cfg.max_body)
    {
        return Err(Reply::error(
            413,
            "body_too_large",
            "the body is too large to decide on",
        ));
    }
    let bytes = read_body(req, cfg).await?;
    if !bytes.iter().all(u8::is_ascii_whitespace) {
        let json = h.get("content-type").is_some_and(|ct| {
            let mime = ct.split(';').next().unwrap_or("").trim();
            mime.eq_ignore_ascii_case("application/json")
        });
        if !json {
            return Err(Reply::error(
                415,
                "not_json",
                "this route is decided on a json body",
            ));
        }
    }
    Ok(bytes)
}

/// The identity, the header rewrite that keeps only the credential decided on, and that
/// credential (for lookups).
async fn authenticate(
    h: &Incoming,
    cfg: &Config,
    policy: &Policy,
    m: &Matched,
    body: &JsonBody,
    now: f64,
) -> Result<(Identity, Rewrite, Option<credential::Credential>), Reply> {
    if m.row.how == How::RefreshToken {
        let token = body
            .str("refresh")
            .ok()
            .flatten()
            .ok_or_else(|| Reply::unauthenticated("the body names no `refresh` token"))?;
        let id = identity::refresh_identity(token, cfg, now).map_err(no_identity)?;
        let cookie = h.get("cookie").map(|_| String::new());
        let rw = Rewrite {
            strip_authorization: true,
            strip_api_key: true,
            cookie,
            ..Rewrite::default()
        };
        return Ok((id, rw, None));
    }
    let carried = Carried {
        api_key: h.get("x-api-key").map(str::to_owned),
        authorization: h.get("authorization").map(str::to_owned),
        cookie: h.get("cookie").map(str::to_owned),
        access: h.get("cf-access-jwt-assertion").map(str::to_owned),
    };
    let chosen =
        credential::choose(&carried, &cfg.session_cookie).map_err(Reply::unauthenticated)?;
    let id = identity::identify(&chosen, cfg, policy, now)
        .await
        .map_err(no_identity)?;
    let rw = Rewrite {
        strip_authorization: chosen.strip_authorization,
        strip_api_key: false,
        cookie: chosen.cookie_rewrite.clone(),
        ..Rewrite::default()
    };
    Ok((id, rw, Some(chosen.primary)))
}

fn no_identity(e: NoIdentity) -> Reply {
    match e {
        NoIdentity::Unauthenticated(m) => Reply::unauthenticated(m),
        NoIdentity::UnknownEmail(email) => Reply::error(
            403,
            "unknown_principal",
            format!("no user of the snapshot has the email `{email}`"),
        ),
        NoIdentity::Unreachable(e) => {
            worker::console_error!("labelgate: whoami: {e}");
            Reply::error(502, "origin_unreachable", "the origin did not answer")
        }
    }
}

/// The organization the request acts in: the path's, `X-LabelGate-Org`, or the member's
/// only one. `0` in the path means the only one, so with several it is ambiguous.
fn organization(
    incoming: &Incoming,
    policy: &Policy,
    user: u64,
    in_path: Option<u64>,
) -> Result<u64, Reply> {
    let named = match incoming.get("x-labelgate-org") {
        None => None,
        Some(v) => Some(path::parse_id(v.trim()).ok_or_else(|| {
            Reply::error(
                400,
                "bad_org_header",
                "`X-LabelGate-Org` must be an organization id",
            )
        })?),
    };
    let only = || {
        let orgs = policy.snapshot().organizations_of(user);
        match orgs.as_slice() {
            [org] => Ok(*org),
            [] if policy.snapshot().knows_user(user) => Err(Reply::deny(
                403,
                policy,
                Reason::NotMember,
                format!("user `{user}` is not a member of any organization"),
            )),
            [] => Err(Reply::deny(
                403,
                policy,
                Reason::UnknownPrincipal,
                format!("user `{user}` is not known"),
            )),
            _ => Err(Reply::error(
                400,
                "organization_needed",
                "you belong to several organizations: name one with `X-LabelGate-Org`",
            )),
        }
    };
    match (in_path, named) {
        (None | Some(0), None) => only(),
        (Some(0), Some(n)) => match only() {
            Ok(o) if o == n => Ok(o),
            Ok(_) | Err(_) => Err(Reply::error(
                400,
                "ambiguous_org",
                "organization `0` in the path is ambiguous here: name the organization in the path",
            )),
        },
        (Some(p), Some(n)) if p != n => Err(Reply::error(
            400,
            "ambiguous_org",
            format!("the path names organization `{p}` and `X-LabelGate-Org` names `{n}`"),
        )),
        (Some(o), _) | (None, Some(o)) => Ok(o),
    }
}

/// The member's sandbox in `org`.
fn sandbox_of(policy: &Policy, org: u64, user: u64) -> Option<u64> {
    let snap = policy.snapshot();
    snap.organization(org)?
        .workspaces
        .iter()
        .copied()
        .find(|w| {
            snap.workspace(*w)
                .is_some_and(|ws| ws.sandbox_of == Some(user))
        })
}

fn finish(
    policy: &Policy,
    plan: &Plan,
    org: u64,
    user: u64,
    project: Option<u64>,
    author: Option<u64>,
) -> Result<Resource, Reply> {
    let mut res = plan.resource.clone();
    res.project = project;
    if plan.subject_from_object {
        res.subject = author;
    } else if plan.subject_self && res.subject.is_none() {
        res.subject = Some(user);
    }
    if plan.default_sandbox {
        res.workspace = Some(sandbox_of(policy, org, user).ok_or_else(|| {
            Reply::deny(
                400,
                policy,
                Reason::InvalidRequest,
                format!("the body names no `workspace` and user `{user}` has no sandbox"),
            )
        })?);
    }
    Ok(res)
}

fn one_project(policy: &Policy, found: &[u64]) -> Result<Option<u64>, Reply> {
    match found {
        [] => Ok(None),
        [first, rest @ ..] if rest.iter().all(|p| p == first) => Ok(Some(*first)),
        _ => Err(Reply::deny(
            400,
            policy,
            Reason::InvalidRequest,
            "the request names more than one project",
        )),
    }
}

fn resolve_without_lookups(
    policy: &Policy,
    plan: &Plan,
    org: u64,
    user: u64,
) -> Result<Resource, Reply> {
    let mut ids = Vec::new();
    for s in &plan.projects {
        match s {
            Source::Id(p) => ids.push(*p),
            Source::Object(path) => {
                return Err(Reply::deny(
                    403,
                    policy,
                    Reason::UnknownResource,
                    format!("`{path}` cannot be resolved to a project"),
                ));
            }
        }
    }
    let project = one_project(policy, &ids)?;
    finish(policy, plan, org, user, project, None)
}

async fn resolve(
    policy: &Rc<Policy>,
    plan: &Plan,
    lookup: &Lookup<'_>,
    org: u64,
    user: u64,
) -> Result<Resource, Reply> {
    let mut ids = Vec::new();
    let mut author = None;
    for s in &plan.projects {
        match s {
            Source::Id(p) => ids.push(*p),
            Source::Object(path) => match lookup.project_of(path).await {
                Ok((p, a)) => {
                    ids.push(p);
                    author = author.or(a);
                }
                Err(Unresolved::Object(path)) => {
                    return Err(Reply::deny(
                        403,
                        policy,
                        Reason::UnknownResource,
                        format!("`{path}` names no project this member can see"),
                    ));
                }
                Err(Unresolved::Unreachable(e)) => {
                    worker::console_error!("labelgate: lookup: {e}");
                    return Err(Reply::error(
                        502,
                        "origin_unreachable",
                        "the origin did not answer",
                    ));
                }
            },
        }
    }
    let project = one_project(policy, &ids)?;
    finish(policy, plan, org, user, project, author)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_organization_comes_from_the_path_the_header_or_the_only_one() {
        let policy = Policy::from_snapshot_json(policy_core::DEMO_SNAPSHOT_JSON).unwrap();
        let none = Incoming::default();
        let one = Incoming::from_pairs(&[("x-labelgate-org", "1")]);
        let two = Incoming::from_pairs(&[("x-labelgate-org", "2")]);
        assert_eq!(organization(&none, &policy, 12, None).ok(), Some(1));
        assert_eq!(organization(&none, &policy, 12, Some(0)).ok(), Some(1));
        assert_eq!(organization(&one, &policy, 12, Some(0)).ok(), Some(1));
        assert_eq!(
            organization(&two, &policy, 12, None).ok(),
            Some(2),
            "the core says not_member"
        );
        // Ann is in organizations 1 and 2.
        assert_eq!(
            organization(&none, &policy, 14, None).unwrap_err().status,
            400
        );
        assert_eq!(organization(&one, &policy, 14, None).ok(), Some(1));
        assert_eq!(
            organization(&two, &policy, 14, Some(0)).unwrap_err().status,
            400
        );
        assert_eq!(
            organization(&one, &policy, 14, Some(2)).unwrap_err().status,
            400
        );
        assert_eq!(organization(&none, &policy, 14, Some(2)).ok(), Some(2));
        let unknown = organization(&none, &policy, 99, None).unwrap_err();
        assert!(unknown.body.contains("unknown_principal"));
        let bad = Incoming::from_pairs(&[("x-labelgate-org", "one")]);
        assert_eq!(
            organization(&bad, &policy, 12, None).unwrap_err().status,
            400
        );
    }

    #[test]
    fn the_decision_stamp_names_the_resource() {
        let policy = Policy::from_snapshot_json(policy_core::DEMO_SNAPSHOT_JSON).unwrap();
        let res = Resource::project(1000);
        let d = policy.decide(&Request {
            principal: Principal::user(12),
            org: 1,
            action: Action::ProjectExport,
            resource: res.clone(),
        });
        assert_eq!(
            stamp(&d, Action::ProjectExport, 1, &res, None),
            "allowed project.export org=1 project=1000"
        );
    }

    #[test]
    fn urls_split_into_path_and_query() {
        assert_eq!(split_url("http://h:1/api/x/?a=1#f"), ("/api/x/", "a=1"));
        assert_eq!(split_url("http://h"), ("/", ""));
        assert_eq!(split_url("https://h/p?"), ("/p", ""));
        assert_eq!(split_url("http://h//api?x=%2F"), ("//api", "x=%2F"));
    }
}
