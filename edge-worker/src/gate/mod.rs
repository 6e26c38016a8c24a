//! The gate: identity, route, organization, decision. It refuses what is ambiguous, matches
//! the route, authenticates, finds the organization, plans, resolves the project and
//! decides. It answers nothing: an allowed request leaves as a [`Gate`] value, every other
//! path ends in a refusal ([`Reply`]). Nothing is forwarded undecided.
//!
//! - identity: [`credential`], [`identity`], [`jwt`], [`access`], [`csrf`];
//! - route: [`routes`] (the table, and who answers each row), [`plan`] (action and
//!   resource), [`dm`] (Data Manager actions);
//! - organization: [`org`], [`active`] (only in the member's active organization),
//!   [`resolve`] and [`lookup`] (the project of an object);
//! - decision: [`decide`]; the facts it is decided on come from `crate::source`.

pub mod access;
pub mod active;
pub mod credential;
pub mod csrf;
pub mod decide;
pub mod dm;
pub mod identity;
pub mod jwt;
pub mod lookup;
pub mod org;
pub mod plan;
pub mod resolve;
pub mod routes;

use policy_core::{Action, Principal, Reason, Request, Resource};
use worker::Env;

use crate::activity::Record;
use crate::decided::Decided;
use crate::http::body::{self, JsonBody};
use crate::http::fetch::Incoming;
use crate::http::path::{self, Query};
use crate::http::reply::Reply;
use crate::http::request::Ask;
use crate::source::Source;
use decide::{decide_on, denied, scope_of, stamp};
use lookup::Lookup;
use routes::{How, Matched};

/// The largest header value, and all headers together, the Worker accepts (HTTP 431).
const MAX_HEADER: usize = 8 * 1024;
const MAX_HEADERS: usize = 32 * 1024;

/// Headers some frameworks read as the real method.
const METHOD_OVERRIDES: [&str; 3] = [
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
];

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

/// A request past the first checks: its query and its canonical path, read as Label Studio
/// reads them, with hostile headers refused.
pub struct Screened {
    /// The query.
    pub query: Query,
    /// The path's canonical segments.
    pub segments: Vec<String>,
}

/// Refuses what is ambiguous or hostile before anything else is read: a query or path Label
/// Studio could read otherwise, oversized headers, method overrides, a charset other than
/// UTF-8.
pub fn screen(ask: &Ask<'_>) -> Result<Screened, Reply> {
    let query = Query::parse(ask.raw_query())
        .map_err(|e| Reply::error(400, "ambiguous_query", e.to_string()))?;
    refuse_hostile_headers(ask.incoming, &query)?;
    let segments = path::canonical_segments(ask.raw_path())
        .map_err(|e| Reply::error(400, "ambiguous_path", e.to_string()))?;
    Ok(Screened { query, segments })
}

/// What the gate made of a request it did not refuse.
pub enum Gate<'a> {
    /// A public route: forwarded without identity.
    Public(Matched),
    /// The signup page, decided by its own server (`crate::serve::signup`) on the invite.
    Signup(Query),
    /// An allowed request, and all it was decided on.
    Allowed(Box<Decided<'a>>),
}

/// Matches, authenticates, finds the organization, plans, resolves and decides `ask`.
/// Nothing is answered here: an allowed request is a [`Gate`] value for the dispatcher to
/// hand to the one server its row names; every other path ends in a refusal. `rec` notes
/// who and what was decided, for the one activity record the dispatcher writes.
pub async fn run<'a>(
    ask: &'a Ask<'a>,
    source: &'a Source<'a>,
    env: &'a Env,
    screened: Screened,
    rec: &mut Record,
) -> Result<Gate<'a>, Reply> {
    let cfg = ask.cfg;
    let method = ask.method.as_str();
    let raw_path = ask.raw_path();
    let Screened { query, segments } = screened;
    let base = source.base().clone();

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
        return Ok(Gate::Public(m));
    }
    if m.row.how == How::Signup {
        return Ok(Gate::Signup(query));
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
        match identity::authenticate(ask, source, &m, &parse(&bytes)?).await {
            Ok(found) => found,
            Err(refused) => {
                if let Some(user) = refused.user {
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
                    if refused.cross_site {
                        rec.action = Some(String::from("cross_site"));
                    }
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
        crate::source::revision::note(ask.incoming, store);
    }

    // A member who may not use the API at all is refused before anything is read or looked
    // up (a member of several organizations: in every one of them).
    if let Err((d, org)) = org::gate(source, &principal, who.known, &choice).await? {
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
        None => choice.org_of(source, &base, &resolved.resource).await?,
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
        source,
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
        switch,
    };
    active::check(&d).await?;
    Ok(Gate::Allowed(Box::new(d)))
}
