//! Members and the organization: `GET /api/organizations/{id}/memberships` (a page, with
//! roles), `GET .../memberships/{user}/`, `POST|PATCH .../memberships` `{user_id, role}`
//! (assign, activate with a role, deactivate with `DI`, back to pending with `NO`),
//! `DELETE .../memberships/{user}/`, the invite link and its reset (Label Studio's own token,
//! mirrored into the store so that the signup gate knows it), `PATCH /api/organizations/{id}`
//! `{disable_signup_without_link}`, group mappings (`/api/labelgate/group-mappings`), the
//! journal of changes (`/api/labelgate/journal`) and the member's own slice
//! (`/api/labelgate/me`).
//!
//! Community has its own members list (without roles): the store holds the truth about roles,
//! so it answers.

use serde_json::{Value, json};

use crate::admin::Ctx;
use crate::decided::OriginRead;
use crate::gate::routes::Admin;
use crate::http::fetch;
use crate::http::forward::Body;
use crate::http::reply::Reply;
use crate::http::reply::{Answer, Served};
use crate::source::revision;
use crate::source::store_failed;
use crate::store::protocol::{Op, Read};

/// The contract's name of a role code (`OW`) or name (`owner`).
fn role_name(code: &str) -> Option<&'static str> {
    crate::codes::role_change(code).map(policy_core::RoleChange::name)
}

/// `GET /api/organizations/{id}/memberships`: Label Studio's own members list (its users,
/// their activity, its pages), each with the role and status the store holds (`role` code,
/// `status`, `user_id`): a user the store does not hold as a member shows `role: null`,
/// `status: "removed"`. `GET /api/labelgate/members` is the store's own list.
async fn with_roles(c: &Ctx<'_>) -> Served {
    let d = c.d;
    let (resp, text) = match d.read_origin("the members list").await? {
        OriginRead::Text(resp, text) => (resp, text),
        OriginRead::Other(resp) => return Ok(Answer::Response(resp)),
    };
    let Ok(mut page) = serde_json::from_str::<Value>(&text) else {
        return crate::http::fetch::with_body(&resp, &text)
            .map(Answer::Response)
            .map_err(|e| Reply::error(502, "origin_answer", crate::http::fetch::js_error(&e)));
    };
    let users: Vec<u64> = page
        .get("results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.pointer("/user/id").and_then(Value::as_u64))
        .collect();
    let roles = c
        .store
        .read(d.org, Read::Roles { users })
        .await
        .map_err(store_failed)?;
    let of = |u: u64| {
        roles.as_array().and_then(|a| {
            a.iter()
                .find(|r| r.get("user_id").and_then(Value::as_u64) == Some(u))
        })
    };
    if let Some(Value::Array(items)) = page.get_mut("results") {
        for m in items.iter_mut() {
            let Some(u) = m.pointer("/user/id").and_then(Value::as_u64) else {
                continue;
            };
            let (role, status) = match of(u) {
                Some(r) => (r.get("role").cloned(), r.get("status").cloned()),
                None => (None, Some(json!("removed"))),
            };
            if let Some(o) = m.as_object_mut() {
                o.insert(String::from("user_id"), json!(u));
                o.insert(String::from("role"), role.unwrap_or(Value::Null));
                o.insert(String::from("status"), status.unwrap_or(Value::Null));
            }
        }
    }
    for link in ["next", "previous"] {
        if let Some(Value::String(url)) = page.get_mut(link)
            && let Some(rest) = url.strip_prefix(d.origin)
        {
            *url = format!("{}{rest}", crate::serve::list::origin_of(&d.ask.url));
        }
    }
    crate::http::fetch::with_body(&resp, &page.to_string())
        .map(Answer::Response)
        .map_err(|e| Reply::error(502, "origin_answer", crate::http::fetch::js_error(&e)))
}

/// `POST|PATCH .../memberships` `{user_id, role}`: a member's role (or status).
async fn set_role(c: &Ctx<'_>) -> Served {
    let body = c.body().await?;
    let member = c.need(body.id("user_id"), "user_id")?;
    let code = c.need(body.str("role"), "role")?;
    let Some(role) = role_name(code) else {
        return Err(Reply::error(
            400,
            "invalid_request",
            format!("`{code}` is not a role"),
        ));
    };
    let op = Op::SetRole {
        member,
        role: role.to_owned(),
    };
    c.write(op, 200, |_| json!({"user_id": member, "role": code}))
        .await
}

pub(crate) async fn answer(c: &Ctx<'_>, route: Admin) -> Option<Served> {
    let d = c.d;
    let p = &d.matched.params;
    Some(match route {
        Admin::Memberships => with_roles(c).await,
        Admin::Members => {
            c.paged(|page, page_size| Read::Members { page, page_size })
                .await
        }
        Admin::Membership => {
            let member = p.member.unwrap_or(0);
            let answer = c.store.read(d.org, Read::Member { user: member }).await;
            match answer.map_err(store_failed) {
                Ok(Value::Null) => Err(Reply::error(
                    404,
                    "not_found",
                    format!("user `{member}` is not a member"),
                )),
                Ok(v) => Ok(Answer::Served(Reply::decision(200, v.to_string()))),
                Err(e) => Err(e),
            }
        }
        Admin::SetRole => set_role(c).await,
        Admin::RemoveMember => {
            let member = p.member.unwrap_or(0);
            c.write(
                Op::RemoveMember { member },
                200,
                |_| json!({"user_id": member, "removed": true}),
            )
            .await
        }
        Admin::OrgSettings => return settings(c).await,
        Admin::Invite => {
            return Some(invite(c).await);
        }
        Admin::Journal => {
            c.paged(|page, page_size| Read::Journal { page, page_size })
                .await
        }
        Admin::GroupMappings => return Some(mappings(c, c.method()).await),
        _ => return None,
    })
}

/// `PATCH /api/organizations/{id}` with `disable_signup_without_link`: the store's setting;
/// the rest of the body, if any, goes to the origin.
async fn settings(c: &Ctx<'_>) -> Option<Served> {
    let body = match c.body().await {
        Ok(b) => b,
        Err(e) => return Some(Err(e)),
    };
    if !body.has("disable_signup_without_link") {
        return None;
    }
    let value = match c.need(
        body.boolean("disable_signup_without_link"),
        "disable_signup_without_link",
    ) {
        Ok(v) => v,
        Err(e) => return Some(Err(e)),
    };
    let op = Op::SetSettings {
        disable_signup_without_link: value,
    };
    let stored = c
        .write(op, 200, |_| json!({"disable_signup_without_link": value}))
        .await;
    let rest = body.without(&["disable_signup_without_link"]);
    if rest.is_empty() || matches!(&stored, Err(r) if r.status >= 400) {
        return Some(stored);
    }
    let bytes = rest.to_json().into_bytes();
    Some(
        c.d.ask
            .send(
                c.d.origin,
                &c.d.ask.path_and_query(),
                &c.d.rw,
                Body::Bytes(&bytes),
            )
            .await
            .map(Answer::Response),
    )
}

/// The invite link and its reset: Label Studio's own token (its signup checks it), which
/// the store mirrors for the signup gate. Label Studio answers a read with 200 and a reset
/// with 201, both with `{invite_url, token}`: the store then holds that token alone, so the
/// link Label Studio rotated away is refused at once and the new one works. A reset whose
/// answer cannot be read, or that the store cannot record, is an error, never a silent
/// success with the old link still open.
async fn invite(c: &Ctx<'_>) -> Served {
    let d = c.d;
    let resp = d
        .ask
        .send(d.origin, &d.ask.path_and_query(), &d.rw, Body::Stream)
        .await?;
    if !matches!(resp.status(), 200 | 201) {
        return Ok(Answer::Response(resp));
    }
    let text = fetch::text(&resp).await.ok_or_else(|| {
        Reply::error(
            502,
            "origin_answer",
            "the origin's invite could not be read",
        )
    })?;
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let token = v
        .get("token")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            v.get("invite_url")
                .and_then(Value::as_str)
                .and_then(|u| u.split("token=").nth(1))
                .map(|t| t.split('&').next().unwrap_or(t).to_owned())
        })
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(Reply::error(
            502,
            "origin_answer",
            "the origin's invite names no token, so the signup gate cannot follow it",
        ));
    };
    let answer = c
        .store
        .write(d.org, &d.principal, d.known, Op::SetInviteToken { token })
        .await
        .map_err(store_failed)?;
    let stamp = revision::value(
        d.org,
        answer.get("revision").and_then(Value::as_u64).unwrap_or(0),
    );
    fetch::with_header(&resp, Some(&text), revision::HEADER, &stamp)
        .map(Answer::Response)
        .map_err(|e| Reply::error(502, "origin_answer", fetch::js_error(&e)))
}

/// `GET` the organization's group mappings, `POST {group, role, project?}` one, `DELETE
/// {group, project?}` one.
async fn mappings(c: &Ctx<'_>, method: &str) -> Served {
    if method == "GET" {
        return c.read(Read::GroupMappings, |v| v).await;
    }
    let body = c.body().await?;
    let group = c.need(body.str("group"), "group")?.to_owned();
    let project = body
        .id("project")
        .map_err(|e| Reply::error(400, "invalid_request", e.to_string()))?;
    if method == "DELETE" {
        return c
            .write(
                Op::RemoveGroupMapping { group, project },
                200,
                |_| json!({"removed": true}),
            )
            .await;
    }
    let role = c.need(body.str("role"), "role")?;
    let role = role_name(role).unwrap_or(role).to_owned();
    let op = Op::SetGroupMapping {
        group: group.clone(),
        role: role.clone(),
        project,
    };
    c.write(
        op,
        201,
        |_| json!({"group": group, "role": role, "project": project}),
    )
    .await
}
