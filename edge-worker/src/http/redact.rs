//! Other members' emails, for members who may not see the organization's members
//! (`org.view_members`: annotators and reviewers by default). Label Studio puts user records
//! in many answers besides `/api/users/`: a project's `created_by`, its annotators
//! (`/api/projects/{id}/annotators/`), a task's expanded `completed_by`, every annotation's
//! `created_username` ("First Last email, id"), a draft's `user` (the email), exports'
//! `created_by`, the state machine's `triggered_by`, the Data Manager's forms. One rule
//! narrows them all, in every JSON answer such a member gets (forwarded or served by the
//! Worker): a user record keeps who it is (`id`, names, `avatar`, `initials`), and loses
//! how to reach them (`email`, `phone`, a `username` that is an email); a text that names a
//! user loses its email. The member's own record is left whole.

use serde_json::{Map, Value};
use worker::web_sys::Response;

use crate::http::fetch;
use crate::http::reply::Reply;

/// The fields of a user record a member who may not see the members does not get.
const CONTACT: [&str; 2] = ["email", "phone"];

/// What stands for a removed email in a text.
const HIDDEN: &str = "";

/// Whether an object is a user record: it has an `email` and says who it is.
fn is_user(o: &Map<String, Value>) -> bool {
    o.contains_key("email")
        && [
            "id",
            "first_name",
            "last_name",
            "username",
            "initials",
            "avatar",
        ]
        .iter()
        .any(|k| o.contains_key(*k))
}

fn id_of(o: &Map<String, Value>, key: &str) -> Option<u64> {
    match o.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::Object(u) => u.get("id").and_then(Value::as_u64),
        _ => None,
    }
}

/// `s` without the words that are emails.
fn without_emails(s: &str) -> String {
    let words: Vec<&str> = s
        .split(' ')
        .filter(|w| !w.contains('@'))
        .map(|w| w.trim_end_matches(','))
        .collect();
    let mut out = words.join(" ");
    // "First Last email, 5" keeps its ", id".
    if let Some((_, id)) = s.rsplit_once(", ")
        && id.bytes().all(|b| b.is_ascii_digit())
        && !id.is_empty()
    {
        let name = out.trim_end_matches(id).trim_end().to_owned();
        out = format!("{name}, {id}");
    }
    out.trim().to_owned()
}

/// Narrows `v` for member `me` (see the module's note). Returns whether anything changed.
pub fn redact(v: &mut Value, me: u64) -> bool {
    match v {
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, item| redact(item, me) | changed),
        Value::Object(o) => {
            let mut changed = false;
            if is_user(o) && id_of(o, "id") != Some(me) {
                for k in CONTACT {
                    if o.get(k).is_some_and(|v| !v.is_null() && v != "") {
                        o.insert(k.to_owned(), Value::String(String::from(HIDDEN)));
                        changed = true;
                    }
                }
                if let Some(Value::String(u)) = o.get("username")
                    && u.contains('@')
                {
                    let id = id_of(o, "id").map_or_else(String::new, |i| i.to_string());
                    o.insert(
                        String::from("username"),
                        Value::String(format!("user {id}")),
                    );
                    changed = true;
                }
            }
            // whoami's `active_organization_meta` names the organization's creator by email.
            if let Some(Value::Object(meta)) = o.get_mut("active_organization_meta")
                && meta.get("email").is_some_and(|e| !e.is_null() && e != "")
            {
                meta.insert(String::from("email"), Value::String(String::from(HIDDEN)));
                changed = true;
            }
            let author = id_of(o, "completed_by").or_else(|| id_of(o, "created_by"));
            if let Some(Value::String(s)) = o.get("created_username")
                && s.contains('@')
                && author != Some(me)
            {
                let s = without_emails(s);
                o.insert(String::from("created_username"), Value::String(s));
                changed = true;
            }
            // A draft's `user` is its author's email; a state change's `triggered_by`, a
            // record (above).
            if let Some(Value::String(s)) = o.get("user")
                && s.contains('@')
            {
                o.insert(String::from("user"), Value::String(String::from(HIDDEN)));
                changed = true;
            }
            for (_, child) in o.iter_mut() {
                changed |= redact(child, me);
            }
            changed
        }
        _ => false,
    }
}

/// `text` narrowed for `me` when it is JSON holding an email, else `None` (unchanged).
pub fn redact_text(text: &str, me: u64) -> Option<String> {
    if !text.contains('@') {
        return None;
    }
    let mut v: Value = serde_json::from_str(text).ok()?;
    redact(&mut v, me).then(|| v.to_string())
}

/// A JSON answer narrowed for `me`, who may not see other members' emails.
pub async fn answer(resp: Response, me: u64) -> Result<Response, Reply> {
    let json = resp
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("json"));
    if !json {
        return Ok(resp);
    }
    let Some(text) = fetch::text(&resp).await else {
        return Err(Reply::error(
            502,
            "origin_answer",
            "the origin's answer could not be read",
        ));
    };
    let body = redact_text(&text, me).unwrap_or(text);
    fetch::with_body(&resp, &body)
        .map_err(|e| Reply::error(502, "origin_answer", fetch::js_error(&e)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn other_members_lose_their_emails_and_the_member_keeps_theirs() {
        let mut v = json!({
            "id": 3, "title": "p",
            "created_by": {"id": 1, "first_name": "Olga", "last_name": "Owner", "email": "olga@x.test", "avatar": null},
            "annotators": [{"id": 5, "email": "me@x.test", "username": "me@x.test"},
                           {"id": 6, "email": "ann@x.test", "username": "ann@x.test", "phone": "+1"}],
            "annotations": [
                {"id": 9, "completed_by": 6, "created_username": "Ann Other ann@x.test, 6"},
                {"id": 10, "completed_by": 5, "created_username": " me@x.test, 5"}
            ],
            "drafts": [{"id": 2, "user": "ann@x.test"}],
            "data": {"text": "write to help@x.test"},
            "active_organization_meta": {"title": "Acme", "email": "olga@x.test"}
        });
        assert!(redact(&mut v, 5));
        assert_eq!(v["created_by"]["email"], "");
        assert_eq!(v["created_by"]["first_name"], "Olga");
        assert_eq!(v["annotators"][0]["email"], "me@x.test");
        assert_eq!(v["annotators"][1]["email"], "");
        assert_eq!(v["annotators"][1]["phone"], "");
        assert_eq!(v["annotators"][1]["username"], "user 6");
        assert_eq!(v["annotations"][0]["created_username"], "Ann Other, 6");
        assert_eq!(v["annotations"][1]["created_username"], " me@x.test, 5");
        assert_eq!(v["drafts"][0]["user"], "");
        assert_eq!(
            v["data"]["text"], "write to help@x.test",
            "task data is not a user record"
        );
        assert!(!v.to_string().contains("ann@x.test") && !v.to_string().contains("olga@"));
        assert_eq!(redact_text(r#"{"a": 1}"#, 5), None);
        assert_eq!(redact_text(r#"{"id": 5, "email": "me@x.test"}"#, 5), None);
        assert!(redact_text(r#"[{"id": 6, "email": "a@x.test"}]"#, 5).is_some());
    }
}
