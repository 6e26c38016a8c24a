//! The gate: one request, start to end. Refuse what is ambiguous, load the policy, match
//! the route, authenticate, find the organization, plan, resolve the project, decide, then
//! forward or refuse. Nothing is forwarded undecided: every path that does not end in an
//! allow ends in a [`Reply`].
//!
//! - request: [`path`] (paths and queries read as the server reads them), [`body`];
//! - identity: [`credential`], [`identity`], [`jwt`], [`access`], [`csrf`];
//! - route: [`routes`] (the table), [`plan`] (action and resource), [`dm`], [`org`],
//!   [`resolve`] and [`lookup`] (the project of an object);
//! - forward: [`active`] (only in the member's active organization), [`forward`], [`list`]
//!   (answers narrowed to the member's reach), [`redact`] (other members' emails), [`signup`].

pub mod access;
pub mod active;
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
pub mod redact;
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
        let resp = forward::forward(self.req, self.incoming, origin, path_and_query, rw, body)
            .await
            .map_err(|e| {
                worker::console_error!("labelgate: origin unreachable: {e}");
                Reply::error(502, "origin_unreachable", "the origin did not answer")
            })?;
        match rw.redact_for {
            Some(me) => redact::answer(resp, me).await,
            None => Ok(resp),
        }
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
        body::check_json_declared(h.get("content-type"), &bytes).map_err(|e| match e {
            body::BodyError::Declared(m) => Reply::error(415, "not_json", m),
            other => Reply::error(400, "invalid_request", other.to_string()),
        })?;
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
    body::check_charset(incoming.get("content-type"))
        .map_err(|e| Reply::error(415, "charset", e.to_string()))?;
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
        if m.row.path == "/logout"
            && let Some(cookie) = ask.incoming.get("cookie")
        {
            identity::forget_session(cookie, cfg, ask.now);
        }
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
        match identity::authenticate(ask, &source, &m, &parse(&bytes)?).await {
            Ok(found) => found,
            Err(refused) => {
                if let Some(user) = refused.cross_site_user {
                    // Recorded in the member's organization: their only one, or the active
                    // one Label Studio named; else in the operator's log (no organization).
                    rec.user = Some(user);
                    let orgs = source.user(user).await.map(|w| w.orgs).unwrap_or_default();
                    let active = ask
                        .incoming
                        .get("cookie")
                        .and_then(|c| identity::cached_active_org(c, cfg, ask.now));
                    rec.org = match orgs.as_slice() {
                        [only] => Some(*only),
                        _ => active.filter(|a| orgs.contains(a)),
                    };
                    rec.action = Some(String::from("cross_site"));
                }
                return Err(refused.reply);
            }
        };
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

    if !refresh && plan::needs_body(&m, method, &query) {
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
    // A change of one's own account that switches the active organization is decided in the
    // organization switched to.
    let switch = active::switch_target(m.row.how, &parse(&bytes)?)?;
    let org = match switch {
        Some(to) => match ask
            .incoming
            .get("x-labelgate-org")
            .and_then(|v| path::parse_id(v.trim()))
        {
            Some(named) if named != to => {
                return Err(Reply::error(
                    400,
                    "ambiguous_org",
                    format!(
                        "`X-LabelGate-Org` names organization `{named}` and the body switches to `{to}`"
                    ),
                ));
            }
            _ => to,
        },
        None => choice.org_of(&source, &base, &resolved.resource).await?,
    };
    rec.org = Some(org);
    // Label Studio lets a project's `organization` be written (a project moved to another
    // organization): a body may name only the organization decided in.
    if let Some(b) = &bytes
        && let Ok(body) = JsonBody::parse(b)
        && body.has("organization")
        && body.id("organization").ok().flatten() != Some(org)
    {
        return Err(Reply::deny(
            403,
            &base,
            Reason::OutOfScope,
            format!(
                "the body names another organization than this request's (`{org}`): nothing moves between organizations through LabelGate"
            ),
        ));
    }
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
    let may_see_members = policy
        .decide(&Request {
            principal: principal.clone(),
            org,
            action: Action::OrgViewMembers,
            resource: Resource::org(),
        })
        .allow;
    if !may_see_members {
        rw.redact_for = Some(identity.user);
    }
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
    active::check(&d).await?;
    if d.action == Action::OrgViewActivityLog
        && d.matched.row.path == activity::ROUTE
        && let Some(db) = db
    {
        let answer = activity::serve(db, &d).await;
        d.reprove().await?;
        return Err(answer);
    }
    // What the Worker serves itself from its store is never served on a credential Label
    // Studio has since revoked: proved again when older than `MAX_STALENESS_MS` (a write is,
    // before it is applied: `admin::Ctx::write`).
    let out = match crate::admin::serve(&d).await {
        Some(answer) => {
            d.reprove().await?;
            answer
        }
        None => serve(&d).await,
    };
    let out = match (out, d.rw.redact_for) {
        (Err(mut reply), Some(me)) if reply.status < 300 => {
            if let Some(body) = redact::redact_text(&reply.body, me) {
                reply.body = body;
            }
            Err(reply)
        }
        (out, _) => out,
    };
    if let (Ok(resp), Some(user)) = (&out, d.principal.user)
        && (200..400).contains(&resp.status())
        && (switch.is_some() || ends_credentials(&d))
    {
        identity::forget_user(user);
    }
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

/// Whether `d`, once answered, ends or changes what proved the member's credentials: a token
/// reset or rotation, a JWT blacklisted.
fn ends_credentials(d: &Decided<'_>) -> bool {
    let path = d.matched.row.path;
    d.ask.method == "POST"
        && matches!(
            path,
            "/api/current-user/reset-token"
                | "/api/token/rotate"
                | "/api/token/(refresh|blacklist)"
        )
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
    /// Proves the request's credential again when what proved it is older than
    /// `MAX_STALENESS_MS`: a write the Worker applies to its store is never made on a credential
    /// Label Studio has since revoked (a reset token, a session that ended). JWTs and Access
    /// assertions were verified on this request.
    pub async fn reprove(&self) -> Result<(), Reply> {
        match (&self.cred, self.principal.user) {
            (Some(cred), Some(user)) => {
                identity::reprove(cred, self.ask.cfg, self.ask.now, user).await
            }
            _ => Ok(()),
        }
    }

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
