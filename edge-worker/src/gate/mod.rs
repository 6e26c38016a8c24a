//! The gate: one request, start to end. Refuse what is ambiguous, load the policy, match
//! the route, authenticate, find the organization, plan, resolve the project, decide, then
//! forward or refuse. Nothing is forwarded undecided: every path that does not end in an
//! allow ends in a [`Reply`].
//!
//! - request: [`path`] (paths and queries read as the server reads them), [`body`];
//! - identity: [`credential`], [`identity`], [`jwt`], [`access`], [`csrf`];
//! - route: [`routes`] (the table), [`plan`] (action and resource), [`dm`], [`org`],
//!   [`resolve`] and [`lookup`] (the project of an object);
//! - forward: [`forward`], [`list`] (answers narrowed to the member's reach), [`signup`].

pub mod access;
pub mod body;
pub mod credential;
pub mod csrf;
pub mod dm;
pub mod forward;
pub mod identity;
pub mod jwt;
pub mod list;
pub mod lookup;
pub mod org;
pub mod own;
pub mod path;
pub mod plan;
pub mod resolve;
pub mod revision;
pub mod routes;
pub mod signup;
pub mod source;

use std::rc::Rc;

use policy_core::{Action, Decision, Policy, Principal, Reason, Request, Resource};
use worker::web_sys::{self, Response};
use worker::{D1Database, Env};

use crate::activity::{self, Record};
use crate::config::Config;
use crate::fetch::{self, Incoming};
use crate::reply::Reply;
use body::JsonBody;
use forward::{Body, Rewrite};
use lookup::Lookup;
use path::Query;
use plan::Plan;
use routes::How;
use source::Source;

use crate::store::client::Scope;

/// The largest header value, and all headers together, the Worker accepts (HTTP 431).
const MAX_HEADER: usize = 8 * 1024;
const MAX_HEADERS: usize = 32 * 1024;

/// Headers some frameworks read as the real method.
const METHOD_OVERRIDES: [&str; 3] = [
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
];

/// The request as the gate sees it.
pub struct Ask<'a> {
    /// The runtime's request (for its body).
    pub req: &'a web_sys::Request,
    /// Its headers.
    pub incoming: &'a Incoming,
    /// Its method.
    pub method: String,
    /// Its whole URL.
    pub url: String,
    /// The Worker's settings.
    pub cfg: &'a Config,
    /// Now (ms since the epoch).
    pub now: f64,
}

impl Ask<'_> {
    /// The path as received.
    pub fn raw_path(&self) -> &str {
        path::split_url(&self.url).0
    }

    /// The query as received.
    pub fn raw_query(&self) -> &str {
        path::split_url(&self.url).1
    }

    /// The path and query as received.
    pub fn path_and_query(&self) -> String {
        match self.raw_query() {
            "" => self.raw_path().to_owned(),
            q => format!("{}?{q}", self.raw_path()),
        }
    }

    /// Forwards the request to `origin` + `path_and_query`.
    pub async fn send(
        &self,
        origin: &str,
        path_and_query: &str,
        rw: &Rewrite,
        body: Body<'_>,
    ) -> Result<Response, Reply> {
        forward::forward(self.req, self.incoming, origin, path_and_query, rw, body)
            .await
            .map_err(|e| {
                worker::console_error!("labelgate: origin unreachable: {e}");
                Reply::error(502, "origin_unreachable", "the origin did not answer")
            })
    }

    /// The body, within the size limit.
    pub async fn read_body(&self) -> Result<Vec<u8>, Reply> {
        fetch::body_bytes(self.req, self.cfg.max_body)
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
    pub async fn read_decision_body(&self) -> Result<Vec<u8>, Reply> {
        let h = self.incoming;
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
                .map_or(true, |n| n > self.cfg.max_body)
        {
            return Err(Reply::error(
                413,
                "body_too_large",
                "the body is too large to decide on",
            ));
        }
        let bytes = self.read_body().await?;
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

/// What the gate knows of a request once it is decided, for what serves it.
pub struct Decided<'a> {
    /// The request.
    pub ask: &'a Ask<'a>,
    /// The facts it was decided on.
    pub source: &'a Source<'a>,
    /// The member's policy.
    pub policy: Rc<Policy>,
    /// The member.
    pub principal: Principal,
    /// Whether the member exists at all (for the store's own decisions).
    pub known: bool,
    /// The organization.
    pub org: u64,
    /// The matched row.
    pub matched: routes::Matched,
    /// The plan.
    pub plan: Plan,
    /// The action decided.
    pub action: Action,
    /// The resource decided on.
    pub resource: Resource,
    /// The query.
    pub query: Query,
    /// The JSON body read for the decision, if any.
    pub bytes: Option<Vec<u8>>,
    /// The forwarding rewrite, stamped with the decision.
    pub rw: Rewrite,
    /// The origin.
    pub origin: &'a str,
    /// The credential the origin will see (its own lookups are asked with it).
    pub cred: Option<credential::Credential>,
    /// The Worker's environment (the static assets of the web UI's pages).
    pub env: &'a Env,
}

/// Decides the request and forwards it (`Ok`: the origin's response), or answers it itself
/// (`Err`: a refusal, or an answer the Worker serves).
pub async fn run(
    ask: &Ask<'_>,
    env: &Env,
    rec: &mut Record,
    db: Option<&D1Database>,
) -> Result<Response, Reply> {
    let cfg = ask.cfg;
    let method = ask.method.as_str();
    let raw_path = ask.raw_path();
    let query = Query::parse(ask.raw_query())
        .map_err(|e| Reply::error(400, "ambiguous_query", e.to_string()))?;
    refuse_hostile_headers(ask.incoming, &query)?;
    let segments = path::canonical_segments(raw_path)
        .map_err(|e| Reply::error(400, "ambiguous_path", e.to_string()))?;
    if let Some(answer) = crate::pages::asset(env, method, &ask.url, &segments).await {
        rec.skip = true;
        return answer;
    }

    let source = Source::of(env, cfg, ask.now).await?;
    let base = source.base().clone();

    if let Some(answer) = crate::testing::serve(ask, &source, raw_path).await {
        rec.skip = true;
        return Err(answer);
    }
    if let Some(answer) = crate::admin::operator(ask, &source, raw_path).await {
        rec.skip = true;
        return answer;
    }

    let Some(m) = routes::find(routes::TABLE, method, &segments) else {
        let msg = format!("`{method} {raw_path}` is not a route of the table");
        return Err(Reply::deny(403, &base, Reason::UnknownAction, msg));
    };
    rec.page = m.row.how.is_page();
    if let How::Deny(why) = m.row.how {
        let msg = format!("`{method} {raw_path}` is never allowed through LabelGate: {why}");
        return Err(Reply::deny(403, &base, Reason::UnknownAction, msg));
    }
    let origin = cfg
        .origin
        .as_deref()
        .ok_or_else(|| Reply::error(502, "no_origin", "no origin is configured"))?;

    if m.row.how == How::Public {
        rec.action = Some(String::from("public"));
        rec.allow = true;
        rec.reason = String::from("public");
        let rw = Rewrite {
            decision: String::from("public"),
            ..Rewrite::default()
        };
        return ask
            .send(origin, &ask.path_and_query(), &rw, Body::Stream)
            .await;
    }
    if m.row.how == How::Signup {
        return signup::request(ask, &source, &query, origin, rec).await;
    }

    // The identity first (a token refresh carries it in the body), then the organization and
    // the member's standing in it, and only then the body of a request decided on its body.
    let refresh = m.row.how == How::RefreshToken;
    let mut bytes = None;
    if refresh {
        bytes = Some(ask.read_decision_body().await?);
    }
    let parse = |bytes: &Option<Vec<u8>>| match bytes {
        Some(b) => JsonBody::parse(b)
            .map_err(|e| Reply::deny(400, &base, Reason::InvalidRequest, e.to_string())),
        None => Ok(JsonBody::default()),
    };
    let (identity, mut rw, cred) =
        identity::authenticate(ask, &source, &m, &parse(&bytes)?).await?;
    rec.user = Some(identity.user);
    let principal = Principal {
        user: Some(identity.user),
        groups: identity.groups.clone(),
    };
    let who = source.user(identity.user).await?;
    let choice = org::choose(ask.incoming, &base, &who, identity.user, m.params.org)?;
    rec.org = choice.fixed();
    if let Some(store) = source.store() {
        revision::note(ask.incoming, store);
    }

    // A member who may not use the API at all is refused before anything is read or looked
    // up (a member of several organizations: in every one of them).
    if let Err((d, org)) = org::gate(&source, &principal, who.known, &choice).await? {
        rec.decided(&d, Action::OrgApiAccess, org, &Resource::org());
        return Err(denied(&d, Action::OrgApiAccess, org, &Resource::org()));
    }

    if !refresh && plan::needs_body(&m, method) {
        bytes = Some(ask.read_decision_body().await?);
    }
    let plan = plan::plan(&m, method, &query, &parse(&bytes)?)
        .map_err(|e| Reply::deny(e.status(), &base, e.reason, e.message))?;

    let lookup = cred.as_ref().map(|cred| Lookup {
        origin,
        cred,
        user: identity.user,
        ttl_ms: cfg.lookup_ttl_ms,
        now: ask.now,
    });
    let resolved = resolve::resolve(&base, &plan, lookup.as_ref()).await?;
    let org = choice.org_of(&source, &base, &resolved.resource).await?;
    rec.org = Some(org);
    // Decided on the member's policy; a refusal about an object the member's slice does
    // not hold is asked again on a fresh slice (the object may be new).
    let scope = scope_of(&m, &plan, &resolved);
    let mut policy = source
        .policy(org, &principal, who.known, false, scope)
        .await?;
    let store = source.store().is_some();
    let mut outcome = decide_on(&policy, &plan, resolved.clone(), org, &principal, store)?;
    if !outcome.0.allow && outcome.0.reason == Reason::UnknownResource && source.may_be_stale() {
        policy = source
            .policy(org, &principal, who.known, true, scope)
            .await?;
        outcome = decide_on(&policy, &plan, resolved, org, &principal, store)?;
    }
    let (decision, action, resource) = outcome;
    rec.action = Some(action.to_string());
    rec.decided(&decision, action, org, &resource);
    rec.detail = plan.list.map(|l| format!("list={}", l.name()));
    if !decision.allow {
        return Err(denied(&decision, action, org, &resource));
    }
    rw.user = Some(identity.user);
    rw.decision = stamp(
        &decision,
        action,
        org,
        &resource,
        plan.list.map(|l| l.name()),
    );
    let d = Decided {
        ask,
        source: &source,
        policy,
        principal,
        known: who.known,
        org,
        matched: m,
        plan,
        action,
        resource,
        query,
        bytes,
        rw,
        origin,
        cred: cred.clone(),
        env,
    };
    if d.action == Action::OrgViewActivityLog
        && d.matched.row.path == activity::ROUTE
        && let Some(db) = db
    {
        return Err(activity::serve(db, &d).await);
    }
    let out = match crate::admin::serve(&d).await {
        Some(answer) => answer,
        None => serve(&d).await,
    };
    if let (Ok(resp), Some(cred @ credential::Credential::Session(_)), Some(user)) =
        (&out, &d.cred, d.principal.user)
    {
        let set_cookie = resp.headers().get("set-cookie").ok().flatten();
        identity::remember_reissued_session(
            cred,
            user,
            resp.status(),
            set_cookie.as_deref(),
            ask.cfg,
            ask.now,
        );
    }
    out
}

/// The slice `plan` is decided on: the organization's when the request names no workspace
/// or project (and is no list, no project made in a sandbox, not the member's own slice),
/// touching the member it names.
fn scope_of(m: &routes::Matched, plan: &Plan, resolved: &resolve::Resolved) -> Scope {
    let r = &resolved.resource;
    let org_level = (resolved.org_level && plan.fallback.is_some())
        || (r.workspace.is_none() && r.project.is_none() && r.target_workspace.is_none());
    Scope {
        member: policy_core::member_touched(plan.action, &plan.resource),
        objects: !org_level
            || plan.list.is_some()
            || plan.default_sandbox
            || crate::admin::NEEDS_OBJECTS.contains(&m.row.path),
    }
}

/// The action and resource of `plan` for the principal in `org`, and their decision.
/// `make_sandbox`: whether the facts can make a member's sandbox on first use (the store can;
/// a KV snapshot cannot).
fn decide_on(
    policy: &Policy,
    plan: &Plan,
    resolved: resolve::Resolved,
    org: u64,
    principal: &Principal,
    make_sandbox: bool,
) -> Result<(Decision, Action, Resource), Reply> {
    let user = principal.user.unwrap_or_default();
    let (action, mut resource) = resolve::finish(policy, plan, resolved, org, user)?;
    if plan.default_sandbox && resource.workspace.is_none() && !make_sandbox {
        let msg = format!(
            "the body names no `workspace` and user `{user}` has no sandbox in the snapshot \
             (a KV snapshot cannot make one: name a workspace, or run with the store)"
        );
        return Err(Reply::deny(400, policy, Reason::InvalidRequest, msg));
    }
    if plan.default_sandbox && resource.workspace.is_none() {
        // The member's first project without a workspace: their sandbox is made then.
        let sandboxed = resolve::with_new_sandbox(policy, principal, org)?;
        resource.workspace = Some(resolve::NEW_SANDBOX);
        let decision = sandboxed.decide(&Request {
            principal: principal.clone(),
            org,
            action,
            resource: resource.clone(),
        });
        resource.workspace = None;
        return Ok((decision, action, resource));
    }
    let decision = policy.decide(&Request {
        principal: principal.clone(),
        org,
        action,
        resource: resource.clone(),
    });
    if !decision.allow
        && let Some(or) = plan.alternative
    {
        let other = policy.decide(&Request {
            principal: principal.clone(),
            org,
            action: or,
            resource: resource.clone(),
        });
        if other.allow {
            return Ok((other, or, resource));
        }
    }
    if !decision.allow && plan.narrow.is_some() {
        // A member refused the read who may use the API gets its narrowed answer.
        let api = policy.decide(&Request {
            principal: principal.clone(),
            org,
            action: Action::OrgApiAccess,
            resource: Resource::org(),
        });
        if api.allow {
            return Ok((api, Action::OrgApiAccess, Resource::org()));
        }
    }
    Ok((decision, action, resource))
}

/// An allowed request the origin serves: forwarded (a list narrowed to the member's reach),
/// and what it creates or deletes recorded in the store.
async fn serve(d: &Decided<'_>) -> Result<Response, Reply> {
    let answer = list::Answer {
        ask: d.ask,
        origin: d.origin,
        policy: &d.policy,
        principal: &d.principal,
        org: d.org,
        rw: &d.rw,
    };
    if let Some(kind) = d.plan.list {
        return answer.list(kind).await;
    }
    if d.matched.row.how == How::DmActions
        && let Some(project) = d.resource.project
    {
        return answer.dm_actions(project).await;
    }
    if let Some(answer) = own::serve(d).await {
        return answer;
    }
    if let Some(narrow) = d.plan.narrow
        && d.action == Action::OrgApiAccess
    {
        return narrowed(d, narrow).await;
    }
    if d.matched.row.path == crate::pages::ACTIVITY_PAGE {
        return crate::pages::activity_page(d.env, &d.ask.url).await;
    }
    let body = match &d.bytes {
        Some(b) => Body::Bytes(b),
        None => Body::Stream,
    };
    let resp = d
        .ask
        .send(d.origin, &d.ask.path_and_query(), &d.rw, body)
        .await?;
    if let How::Page(_) = d.matched.row.how {
        return crate::pages::after(d, d.env, resp).await;
    }
    crate::admin::sync::after(d, resp).await
}

/// The origin's answer to a request forwarded unchanged.
pub enum OriginRead {
    /// A 200, and its text.
    Text(Response, String),
    /// Any other answer, to pass on as it is.
    Other(Response),
}

impl Decided<'_> {
    /// Forwards the request unchanged and reads the answer's text when it is a 200; `what`
    /// names it in the error if it cannot be read.
    pub async fn read_origin(&self, what: &str) -> Result<OriginRead, Reply> {
        let resp = self
            .ask
            .send(
                self.origin,
                &self.ask.path_and_query(),
                &self.rw,
                Body::Stream,
            )
            .await?;
        if resp.status() != 200 {
            return Ok(OriginRead::Other(resp));
        }
        match fetch::text(&resp).await {
            Some(text) => Ok(OriginRead::Text(resp, text)),
            None => Err(Reply::error(
                502,
                "origin_answer",
                format!("{what} could not be read"),
            )),
        }
    }
}

/// The narrowed answer of a read the member was refused (see `How::ReadOr`).
async fn narrowed(d: &Decided<'_>, narrow: routes::Narrow) -> Result<Response, Reply> {
    let stamp = format!("{} narrowed", d.rw.decision);
    if narrow == routes::Narrow::Empty {
        return Err(Reply::decision(200, String::from("[]")).with("x-labelgate-decision", stamp));
    }
    let text = match d.read_origin("the origin's list").await? {
        OriginRead::Text(_, text) => text,
        OriginRead::Other(resp) => return Ok(resp),
    };
    let user = d.principal.user;
    let mine: Vec<serde_json::Value> = serde_json::from_str::<Vec<serde_json::Value>>(&text)
        .map_err(|_| Reply::error(502, "origin_answer", "the origin's list is not an array"))?
        .into_iter()
        .filter(|u| u.get("id").and_then(serde_json::Value::as_u64) == user)
        .collect();
    let body = serde_json::Value::Array(mine).to_string();
    Err(Reply::decision(200, body).with("x-labelgate-decision", stamp))
}

/// The `X-LabelGate-Decision` value: `allowed project.view org=1 project=1000`.
pub fn stamp(d: &Decision, action: Action, org: u64, res: &Resource, list: Option<&str>) -> String {
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

/// A 403 with the decision, stamped.
pub fn denied(d: &Decision, action: Action, org: u64, res: &Resource) -> Reply {
    Reply::decision(403, d.to_json()).with("x-labelgate-decision", stamp(d, action, org, res, None))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
