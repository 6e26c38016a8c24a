//! The servers of allowed requests. The gate has decided; the route row names who answers
//! ([`Server`]), and [`serve`] hands the request to that one server:
//! - [`origin`]-bound: Label Studio, the request forwarded ([`sync`] records what it creates
//!   or deletes, [`pages`] gives its pages LabelGate's UI script);
//! - [`list`]: the origin's lists filtered to the member's reach, the Data Manager's menu;
//! - [`own`]: task reads narrowed for members who may view only their own tasks;
//! - `crate::admin`: the administration API, from the store;
//! - the member's slice (`/api/labelgate/me`), the activity log and its page;
//! - [`signup`]: the signup page, on its invite (the gate hands it over undecided).

pub mod activity;
pub mod list;
pub mod own;
pub mod pages;
pub mod signup;
pub mod sync;

use policy_core::Action;
use serde_json::json;
use worker::D1Database;

use crate::decided::{Decided, OriginRead};
use crate::gate::credential::Credential;
use crate::gate::identity;
use crate::gate::routes::{self, How, Matched, Server};
use crate::http::forward::{Body, Rewrite};
use crate::http::redact;
use crate::http::reply::{Answer, Reply, Served};
use crate::http::request::Ask;

/// Serves the allowed request `d` by the server its row names, then keeps the member's
/// cached identities in step with what the answer ended or reissued.
pub async fn serve(d: &Decided<'_>, db: Option<&D1Database>) -> Served {
    // What the Worker serves itself from its store is never served on a credential Label
    // Studio has since revoked: proved again when older than `MAX_STALENESS_MS` (a write is,
    // before it is applied: `admin::Ctx::write`). `None`: the origin answers.
    let own_answer = match d.matched.row.server {
        Server::Me => Some(reproved(d, me(d)).await),
        Server::Admin(route) => match crate::admin::answer(d, route).await {
            Some(answer) => Some(reproved(d, answer).await),
            None => None,
        },
        Server::ActivityLog => match db {
            Some(db) if d.action == Action::OrgViewActivityLog => {
                let answer = activity::answer(db, d).await;
                Some(reproved(d, answer).await)
            }
            _ => None,
        },
        Server::ActivityPage => Some(
            pages::activity_page(d.env, &d.ask.url)
                .await
                .map(Answer::Response),
        ),
        Server::DmActions => match d.resource.project {
            Some(project) => Some(lister(d).dm_actions(project).await),
            None => None,
        },
        Server::Own(_) => own::narrowed(d).await,
        // A list is the origin's, filtered (below), as is an administration list without
        // the store.
        Server::List(_) | Server::Origin => None,
    };
    let out = match own_answer {
        Some(answer) => answer,
        None => match d.plan.list {
            Some(kind) => lister(d).list(kind).await,
            None => origin(d).await,
        },
    };
    let out = match (out, d.rw.redact_for) {
        (Ok(Answer::Served(mut reply)), Some(me)) => {
            if let Some(body) = redact::redact_text(&reply.body, me) {
                reply.body = body;
            }
            Ok(Answer::Served(reply))
        }
        (out, _) => out,
    };
    after_answer(d, &out);
    out
}

/// A public route: forwarded without identity (a sign-out first forgets the session).
pub async fn public(ask: &Ask<'_>, origin: &str, m: &Matched) -> Served {
    let rw = Rewrite {
        decision: String::from("public"),
        ..Rewrite::default()
    };
    if m.row.ends_session()
        && let Some(cookie) = ask.incoming.get("cookie")
    {
        identity::forget_session(cookie, ask.cfg, ask.now);
    }
    ask.send(origin, &ask.path_and_query(), &rw, Body::Stream)
        .await
        .map(Answer::Response)
}

/// What an answer ends or reissues of the member's credentials: a switch of the active
/// organization or a token reset forgets their cached identities; a session Label Studio
/// reissued is remembered.
fn after_answer(d: &Decided<'_>, out: &Served) {
    let Ok(Answer::Response(resp)) = out else {
        return;
    };
    let Some(user) = d.principal.user else { return };
    if (200..400).contains(&resp.status())
        && (d.switch.is_some() || d.matched.row.ends_credentials(&d.ask.method))
    {
        identity::forget_user(user);
    }
    if let Some(cred @ Credential::Session(_)) = &d.cred {
        let set_cookie = resp.headers().get("set-cookie").ok().flatten();
        identity::remember_reissued_session(
            cred,
            user,
            resp.status(),
            set_cookie.as_deref(),
            d.ask.cfg,
            d.ask.now,
        );
    }
}

/// `GET /api/labelgate/me`: the member's own slice (SPEC §7) and who they are, what a
/// browser decides on.
fn me(d: &Decided<'_>) -> Served {
    let facts = d.policy.slice(&d.principal, d.org);
    let body = format!(
        "{{\"principal\":{},\"org\":{},\"policy\":\"{}\",\"slice\":{}}}",
        json!({"user": d.principal.user, "groups": d.principal.groups}),
        d.org,
        d.policy.id(),
        facts.to_json()
    );
    Ok(Answer::Served(
        Reply::decision(200, body).with("cache-control", "private, no-store"),
    ))
}

/// The list answerer of `d`.
fn lister<'a>(d: &'a Decided<'a>) -> list::Lister<'a> {
    list::Lister {
        ask: d.ask,
        origin: d.origin,
        policy: &d.policy,
        principal: &d.principal,
        org: d.org,
        rw: &d.rw,
    }
}

/// `answer`, once the credential is proved again if what proved it is old.
async fn reproved(d: &Decided<'_>, answer: Served) -> Served {
    d.reprove().await?;
    answer
}

/// The origin serves `d`: forwarded (a refused read narrowed), a page given LabelGate's UI
/// script, and what it creates or deletes recorded in the store.
async fn origin(d: &Decided<'_>) -> Served {
    if let Some(narrow) = d.plan.narrow
        && d.action == Action::OrgApiAccess
    {
        return narrowed(d, narrow).await;
    }
    let body = match &d.bytes {
        Some(b) => Body::Bytes(b),
        None => Body::Stream,
    };
    let resp = d
        .ask
        .send(d.origin, &d.ask.path_and_query(), &d.rw, body)
        .await?;
    let resp = match d.matched.row.how {
        How::Page(_) => pages::after(d, resp).await?,
        _ => sync::after(d, resp).await?,
    };
    Ok(Answer::Response(resp))
}

/// The narrowed answer of a read the member was refused (see `How::ReadOr`).
async fn narrowed(d: &Decided<'_>, narrow: routes::Narrow) -> Served {
    let stamp = format!("{} narrowed", d.rw.decision);
    if narrow == routes::Narrow::Empty {
        let empty = Reply::decision(200, String::from("[]"));
        return Ok(Answer::Served(empty.with("x-labelgate-decision", stamp)));
    }
    let text = match d.read_origin("the origin's list").await? {
        OriginRead::Text(_, text) => text,
        OriginRead::Other(resp) => return Ok(Answer::Response(resp)),
    };
    let user = d.principal.user;
    let mine: Vec<serde_json::Value> = serde_json::from_str::<Vec<serde_json::Value>>(&text)
        .map_err(|_| Reply::error(502, "origin_answer", "the origin's list is not an array"))?
        .into_iter()
        .filter(|u| u.get("id").and_then(serde_json::Value::as_u64) == user)
        .collect();
    let body = serde_json::Value::Array(mine).to_string();
    Ok(Answer::Served(
        Reply::decision(200, body).with("x-labelgate-decision", stamp),
    ))
}
