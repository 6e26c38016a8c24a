//! Signup gating: `GET|POST /user/signup/` (Label Studio's signup page and form, the invite
//! link is `/user/signup/?token=...`) is decided as `org.signup` for an anonymous principal,
//! with the query's `token` as the resource's `invite_token`.
//!
//! The signup names no organization, so: a token that opens an organization which needs an
//! invite (allowed with it, refused without it) decides in that organization; otherwise the
//! signup must be allowed in every organization of the snapshot (the first refusal is the
//! answer), so that an open organization never opens a gated one. An allowed signup creates a
//! member who starts `not_activated` (the decision says so). With the store, once Label
//! Studio has signed the user up (its answer sets their session), the Worker asks Label
//! Studio who they are and records them in the store as a pending member; with a KV
//! snapshot, they are unknown to the policy, and get nothing, until the snapshot lists them.

use policy_core::{Action, Decision, Policy, Principal, Reason, Request, Resource};
use serde_json::Value;
use worker::web_sys::Response;

use crate::activity::Record;
use crate::gate::credential::Credential;
use crate::gate::lookup;
use crate::http::forward::{Body, Rewrite};
use crate::http::path::Query;
use crate::http::reply::Reply;
use crate::http::request::Ask;
use crate::source::{Source, store_failed};
use crate::store::protocol::Op;

/// A signup's decision in one organization.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// The organization.
    pub org: u64,
    /// Allowed.
    pub allow: bool,
    /// Why.
    pub reason: Reason,
    /// The decision JSON.
    pub json: String,
}

impl Verdict {
    fn of(org: u64, d: &Decision) -> Verdict {
        Verdict {
            org,
            allow: d.allow,
            reason: d.reason,
            json: d.to_json(),
        }
    }
}

/// The organization the signup is decided in, and its verdict, from each organization's
/// verdict with the token and without: a token that opens a gated organization decides
/// there; else the first refusal; else the last organization's allow. `None`: no
/// organization.
pub fn choose(verdicts: &[(Verdict, Verdict)], token: Option<&str>) -> Option<Verdict> {
    if token.is_some() {
        for (with, without) in verdicts {
            if with.allow && !without.allow {
                return Some(with.clone());
            }
        }
    }
    let mut last = None;
    for (with, _) in verdicts {
        if !with.allow {
            return Some(with.clone());
        }
        last = Some(with.clone());
    }
    last
}

/// The signup's verdict on a whole snapshot.
pub fn decide(policy: &Policy, token: Option<&str>) -> Option<Verdict> {
    let ask = |org: u64, token: Option<&str>| {
        let d = policy.decide(&Request {
            principal: Principal::default(),
            org,
            action: Action::OrgSignup,
            resource: Resource {
                invite_token: token.map(str::to_owned),
                ..Resource::default()
            },
        });
        Verdict::of(org, &d)
    };
    let verdicts: Vec<_> = policy
        .snapshot()
        .organization_ids()
        .into_iter()
        .map(|o| (ask(o, token), ask(o, None)))
        .collect();
    choose(&verdicts, token)
}

async fn decide_in_store(
    source: &Source<'_>,
    token: Option<&str>,
) -> Result<Option<Verdict>, Reply> {
    let Some(store) = source.store() else {
        return Ok(None);
    };
    let of = |org: u64, v: Value| -> Result<Verdict, Reply> {
        let allow = v.get("allow").and_then(Value::as_bool).unwrap_or(false);
        let reason = v
            .get("reason")
            .and_then(Value::as_str)
            .and_then(Reason::from_name)
            .unwrap_or(Reason::UnknownResource);
        Ok(Verdict {
            org,
            allow,
            reason,
            json: v.to_string(),
        })
    };
    let mut verdicts = Vec::new();
    for org in store.orgs().await.map_err(store_failed)? {
        let with = store.signup(org, token).await.map_err(store_failed)?;
        let without = store.signup(org, None).await.map_err(store_failed)?;
        verdicts.push((of(org, with)?, of(org, without)?));
    }
    Ok(choose(&verdicts, token))
}

/// A signup (`/user/signup/`): refused unless the organizations it could join allow it;
/// with the store, the new user is recorded as a pending member once Label Studio made them.
pub async fn request(
    ask: &Ask<'_>,
    source: &Source<'_>,
    query: &Query,
    origin: &str,
    rec: &mut Record,
) -> Result<Response, Reply> {
    let token = query.get("token").filter(|t| !t.is_empty());
    let verdict = match source {
        Source::Snapshot(policy, _) => decide(policy, token),
        Source::Store(..) => decide_in_store(source, token).await?,
    };
    let Some(v) = verdict else {
        return Err(Reply::deny(
            403,
            source.base(),
            Reason::UnknownResource,
            "there is no organization to sign up to",
        ));
    };
    let res = Resource::org();
    rec.org = Some(v.org);
    rec.action = Some(Action::OrgSignup.to_string());
    rec.allow = v.allow;
    rec.reason = v.reason.name().to_owned();
    let stamped = format!("{} org.signup org={}", v.reason.name(), v.org);
    if !v.allow {
        return Err(Reply::decision(403, v.json).with("x-labelgate-decision", stamped));
    }
    let _ = &res;
    rec.detail = Some(String::from("new_member=not_activated"));
    let rw = Rewrite {
        decision: format!("{stamped} new_member=not_activated"),
        ..Rewrite::default()
    };
    let resp = ask
        .send(origin, &ask.path_and_query(), &rw, Body::Stream)
        .await?;
    if let Some(store) = source.store()
        && ask.method == "POST"
        && let Some(cookie) = new_session(&resp)
    {
        let who = lookup::ask(
            origin,
            "/api/current-user/whoami",
            &Credential::Session(cookie),
            None,
            "whoami",
        )
        .await
        .map_err(|e| store_failed(e.0))?;
        if let Some(user) = who.as_ref().and_then(|w| lookup::id_field(w, "id")) {
            let email = who
                .as_ref()
                .and_then(|w| w.get("email"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let name = who
                .as_ref()
                .map(display_name)
                .and_then(|n| n.as_str().map(str::to_owned));
            let op = Op::SignedUp { user, email, name };
            store
                .write(v.org, &Principal::default(), false, op)
                .await
                .map_err(store_failed)?;
        }
    }
    Ok(resp)
}

/// The `sessionid` cookie Label Studio set on its answer (a signup that succeeded).
fn new_session(resp: &Response) -> Option<String> {
    let set = resp.headers().get("set-cookie").ok().flatten()?;
    set.split([',', ';'])
        .map(str::trim)
        .find(|p| p.starts_with("sessionid=") && p.len() > "sessionid=".len())
        .map(str::to_owned)
}

fn display_name(who: &Value) -> Value {
    let part = |k: &str| {
        who.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    let name = format!("{} {}", part("first_name"), part("last_name"));
    let name = name.trim();
    if name.is_empty() {
        Value::Null
    } else {
        Value::from(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Policy {
        Policy::from_snapshot_json(policy_core::DEMO_SNAPSHOT_JSON).unwrap()
    }

    #[test]
    fn gated_orgs_need_their_token() {
        let p = demo();
        // Acme (1) needs an invite; Beta (2) does not: without a token, Acme refuses.
        let v = decide(&p, None).unwrap();
        assert_eq!(
            (v.org, v.allow, v.reason),
            (1, false, Reason::SettingDisabled)
        );
        let v = decide(&p, Some("wrong")).unwrap();
        assert_eq!((v.org, v.allow), (1, false));
        let v = decide(&p, Some("demo-invite-7f3a")).unwrap();
        assert_eq!((v.org, v.allow), (1, true));
        assert!(v.json.contains("not_activated"), "{}", v.json);
    }
}
