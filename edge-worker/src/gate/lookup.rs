//! What the Worker asks the origin, always with the request's own credential: who a legacy
//! token or session is (`whoami`), and which project a task, annotation, draft or other
//! object belongs to. Answers are cached per isolate under a hash of the credential, so
//! one member's lookup never serves another. Each lookup carries `X-LabelGate-Lookup`.

use std::cell::RefCell;

use serde_json::Value;
use worker::web_sys::Headers;

use crate::cache::{TtlCache, key};
use crate::gate::credential::Credential;
use crate::http::fetch;

/// The origin could not be asked (HTTP 502).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreachable(pub String);

/// GETs `path` at `origin` with `cred`: `Ok(Some(json))` on a 200 with a JSON body,
/// `Ok(None)` on any other answer.
pub async fn ask(
    origin: &str,
    path: &str,
    cred: &Credential,
    user: Option<u64>,
    purpose: &str,
) -> Result<Option<Value>, Unreachable> {
    Ok(ask_status(origin, path, cred, user, purpose).await?.1)
}

/// [`ask`], with the origin's status: `(status, Some(json))` on a 200 with a JSON body.
pub async fn ask_status(
    origin: &str,
    path: &str,
    cred: &Credential,
    user: Option<u64>,
    purpose: &str,
) -> Result<(u16, Option<Value>), Unreachable> {
    let headers = Headers::new().map_err(|e| Unreachable(fetch::js_error(&e)))?;
    let (name, value) = cred.header();
    let set = |n: &str, v: &str| {
        headers
            .set(n, v)
            .map_err(|e| Unreachable(fetch::js_error(&e)))
    };
    set(name, &value)?;
    set("accept", "application/json")?;
    set("x-labelgate-lookup", purpose)?;
    if let Some(u) = user {
        set("x-labelgate-user", &u.to_string())?;
    }
    let url = format!("{origin}{path}");
    let resp = fetch::send(&url, "GET", &headers, None)
        .await
        .map_err(Unreachable)?;
    let status = resp.status();
    if status != 200 {
        return Ok((status, None));
    }
    Ok((
        status,
        fetch::text(&resp)
            .await
            .and_then(|t| serde_json::from_str(&t).ok()),
    ))
}

/// An integer id field of an object (`5`, `"5"` or `{"id": 5}`).
pub fn id_field(v: &Value, name: &str) -> Option<u64> {
    match v.get(name)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => crate::http::path::parse_id(s),
        Value::Object(o) => o.get("id").and_then(Value::as_u64),
        _ => None,
    }
}

/// What an object's description tells about where it belongs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Described {
    /// `project`
    pub project: Option<u64>,
    /// `task`
    pub task: Option<u64>,
    /// `annotation`
    pub annotation: Option<u64>,
    /// `completed_by`: the author of an annotation; `user`: the author of a draft.
    pub author: Option<u64>,
}

impl Described {
    /// What a JSON description tells.
    pub fn of(v: &Value) -> Described {
        Described {
            project: id_field(v, "project"),
            task: id_field(v, "task"),
            annotation: id_field(v, "annotation"),
            author: id_field(v, "completed_by").or_else(|| id_field(v, "user")),
        }
    }

    /// The next object to ask about, when the project is not named.
    pub fn next(&self) -> Option<String> {
        if self.project.is_some() {
            return None;
        }
        self.task
            .map(|t| format!("/api/tasks/{t}/"))
            .or_else(|| self.annotation.map(|a| format!("/api/annotations/{a}/")))
    }
}

thread_local! {
    static OBJECTS: RefCell<TtlCache<Described>> = RefCell::new(TtlCache::new(10_000));
}

/// Why an object's project is not known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unresolved {
    /// The origin did not describe the object (missing, or not visible to this member).
    Object(String),
    /// The origin is unreachable.
    Unreachable(String),
}

/// Settings of a lookup.
pub struct Lookup<'a> {
    /// The origin URL.
    pub origin: &'a str,
    /// The request's credential.
    pub cred: &'a Credential,
    /// The member (sent as `X-LabelGate-User`).
    pub user: u64,
    /// How long answers are kept (ms).
    pub ttl_ms: f64,
    /// Now (ms).
    pub now: f64,
}

impl Lookup<'_> {
    async fn facts(&self, path: &str) -> Result<Described, Unresolved> {
        let k = key(&[
            b"object",
            self.cred.kind().as_bytes(),
            self.cred.secret().as_bytes(),
            path.as_bytes(),
        ]);
        if let Some(f) = OBJECTS.with_borrow(|c| c.get(&k, self.now)) {
            return Ok(f);
        }
        let answer = ask(self.origin, path, self.cred, Some(self.user), "object")
            .await
            .map_err(|Unreachable(e)| Unresolved::Unreachable(e))?;
        let facts = answer
            .as_ref()
            .map(Described::of)
            .ok_or_else(|| Unresolved::Object(path.to_owned()))?;
        OBJECTS.with_borrow_mut(|c| c.put(k, facts.clone(), self.now, self.ttl_ms));
        Ok(facts)
    }

    /// The project of the object at `path` (following `task`/`annotation` at most twice;
    /// `None`: the origin describes it as belonging to no project), and its author.
    pub async fn describe(&self, path: &str) -> Result<(Option<u64>, Option<u64>), Unresolved> {
        let first = self.facts(path).await?;
        let author = first.author;
        let mut facts = first;
        for _ in 0..2 {
            let Some(next) = facts.next() else { break };
            facts = self.facts(&next).await?;
        }
        Ok((facts.project, author))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_follow_tasks_and_annotations() {
        let f =
            Described::of(&serde_json::json!({"id": 9, "task": "5", "completed_by": {"id": 14}}));
        assert_eq!(f.author, Some(14));
        assert_eq!(f.next().as_deref(), Some("/api/tasks/5/"));
        let f = Described::of(&serde_json::json!({"project": 1000, "task": 5}));
        assert_eq!((f.project, f.next()), (Some(1000), None));
        let f = Described::of(&serde_json::json!({"annotation": 3}));
        assert_eq!(f.next().as_deref(), Some("/api/annotations/3/"));
        assert_eq!(Described::of(&serde_json::json!([1])), Described::default());
    }
}
