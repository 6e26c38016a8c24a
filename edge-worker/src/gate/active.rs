//! Label Studio runs an organization-level request in the member's *active organization*
//! (`request.user.active_organization`: the users list, a new project, the invite link,
//! labels, organization webhooks...), whatever organization the Worker decided it in. So a
//! forwarded request that names no project and no workspace, on a row whose Label Studio view
//! acts in the active organization ([`crate::gate::routes::Row::active_org`]), is forwarded
//! only when the two agree. The member's active organization is what the origin's `whoami`
//! says for the request's own credential, asked for this request (a list the Worker filters
//! to the member's reach may use one up to `MAX_STALENESS_MS` old). When they differ the
//! request is refused (409), saying how to switch.
//!
//! A switch (`PATCH /api/users/{self}/` naming `active_organization`) is decided in the
//! organization switched to, where the member must be active ([`switch_target`]), and ends
//! the member's cached identities in this isolate, so the next request sees the new one.

use policy_core::Action;

use crate::decided::Decided;
use crate::gate::credential::Credential;
use crate::gate::identity::{self, NoIdentity};
use crate::gate::routes::How;
use crate::http::body::JsonBody;
use crate::http::reply::Reply;

/// The organization a change of one's own account switches to, if its body names one.
pub fn switch_target(how: How, body: &JsonBody) -> Result<Option<u64>, Reply> {
    if how != How::SelfOnly || !body.has("active_organization") {
        return Ok(None);
    }
    match body.id("active_organization") {
        Ok(Some(org)) => Ok(Some(org)),
        Ok(None) | Err(_) => Err(Reply::error(
            400,
            "invalid_request",
            "the body's `active_organization` must be an organization id",
        )),
    }
}

/// Whether Label Studio will run `d` in the member's active organization.
pub fn depends(d: &Decided<'_>) -> bool {
    let row = d.matched.row;
    let org_level = d.resource.project.is_none()
        && d.resource.workspace.is_none()
        && d.resource.target_workspace.is_none();
    row.active_org
        && org_level
        && !d.matched.row.how.is_page()
        && !matches!(
            row.how,
            How::Public | How::Signup | How::SelfOnly | How::RefreshToken | How::Deny(_)
        )
        && d.action != Action::OrgSignup
}

/// Refuses `d` when Label Studio would run it in another organization than the one decided.
pub async fn check(d: &Decided<'_>) -> Result<(), Reply> {
    if !depends(d) {
        return Ok(());
    }
    let Some(cred) = &d.cred else {
        return Ok(());
    };
    if matches!(cred, Credential::Access(_)) {
        // No Label Studio credential: the origin cannot run the request as anyone.
        return Ok(());
    }
    let cfg = d.ask.cfg;
    // Asked of the origin now: a switch made a moment ago in another isolate is seen. Only a
    // list the Worker filters to the decided organization's reach (projects, their counts)
    // may use a `whoami` up to `MAX_STALENESS_MS` old: run in another organization, its
    // answer holds nothing the member reaches, and is emptied, never disclosed.
    let max_age = match d.matched.row.how {
        How::List(_) if crate::gate::csrf::is_safe(&d.ask.method) => cfg.max_staleness_ms,
        _ => 0.0,
    };
    let proved = identity::proved(cred, cfg, d.ask.now, max_age)
        .await
        .map_err(|e| match e {
            NoIdentity::Unreachable(_) => {
                Reply::error(502, "origin_unreachable", "the origin did not answer")
            }
            NoIdentity::Unauthenticated(m) | NoIdentity::UnknownEmail(m) => {
                Reply::unauthenticated(m)
            }
        })?
        .ok_or_else(|| Reply::unauthenticated("the origin no longer accepts this credential"))?;
    if proved.active_org == Some(d.org) {
        return Ok(());
    }
    let user = d.principal.user.unwrap_or(0);
    let active = proved
        .active_org
        .map_or_else(|| String::from("none"), |o| format!("organization `{o}`"));
    Err(Reply::error(
        409,
        "active_organization",
        format!(
            "Label Studio would run this request in your active organization ({active}), and LabelGate decided it in organization `{org}`: switch first with `PATCH /api/users/{user}/` {{\"active_organization\": {org}}}, or send `X-LabelGate-Org: {}`",
            proved.active_org.map_or_else(
                || String::from("<your active organization>"),
                |o| o.to_string()
            ),
            org = d.org,
        ),
    ))
}
