//! The Worker's own answers: short JSON bodies, never internals. A refusal by the policy is
//! the decision JSON of SPEC §4; every other refusal is `{"error", "message"}`.

use policy_core::{Decision, Policy, Reason};
use serde_json::json;
use worker::wasm_bindgen::JsValue;
use worker::web_sys::{Headers, Response, ResponseInit};

/// An answer of the Worker itself, before it becomes a `Response`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: String,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// Why it refuses, as the Worker stated it (the reason or error code, and the message),
    /// so that the activity log and a refused page need not read the body back.
    pub why: Option<Why>,
}

/// Why a reply refuses: the decision's reason or the error's code, and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Why {
    /// `deactivated`, `ambiguous_path`, ...
    pub reason: String,
    /// The message, in words a user understands.
    pub message: String,
}

impl Why {
    /// Why a refusal stated elsewhere (the store's decision, a test's reply) refuses: its
    /// body's `reason`, else `error`, and `message`.
    pub fn of_body(body: &str) -> Why {
        let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        Why::of_json(&v)
    }

    /// The same, of a decision or error already read.
    pub fn of_json(v: &serde_json::Value) -> Why {
        let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
        let reason = match text("reason") {
            r if r.is_empty() => text("error"),
            r => r,
        };
        Why {
            reason,
            message: text("message"),
        }
    }
}

/// An answer to a request the Worker let through: a response (the origin's, passed on or
/// rebuilt with a narrowed body, or a static asset), or one the Worker made itself.
pub enum Answer {
    /// A response: Label Studio's, or a static asset.
    Response(Response),
    /// The Worker's own answer: a read of the store, a narrowed list, a write's result.
    Served(Reply),
}

/// What a server gives: an [`Answer`], or a refusal or an error (`Err`).
pub type Served = Result<Answer, Reply>;

impl Reply {
    /// `{"error": code, "message": message}` with `status`.
    pub fn error(status: u16, code: &str, message: impl Into<String>) -> Reply {
        let message: String = message.into();
        Reply {
            status,
            body: json!({"error": code, "message": message}).to_string(),
            headers: Vec::new(),
            why: Some(Why {
                reason: code.to_owned(),
                message,
            }),
        }
    }

    /// 401 with `WWW-Authenticate`.
    pub fn unauthenticated(message: impl Into<String>) -> Reply {
        let mut r = Reply::error(401, "unauthenticated", message);
        r.headers.push((
            "www-authenticate",
            String::from("Token realm=\"label-studio\", Bearer realm=\"label-studio\""),
        ));
        r
    }

    /// A decision JSON (an allow that is answered here, or a deny).
    pub fn decision(status: u16, decision_json: String) -> Reply {
        Reply {
            status,
            body: decision_json,
            headers: Vec::new(),
            why: None,
        }
    }

    /// A refusal by the policy: the decision's JSON, and why.
    pub fn refusal(status: u16, d: &Decision) -> Reply {
        Reply {
            why: Some(Why {
                reason: d.reason.name().to_owned(),
                message: d.message(),
            }),
            ..Reply::decision(status, d.to_json())
        }
    }

    /// A deny the Worker states itself, in the decision's form, for what the core is not
    /// asked (an unmapped route, an unresolvable object, a malformed body).
    pub fn deny(status: u16, policy: &Policy, reason: Reason, message: impl Into<String>) -> Reply {
        let message: String = message.into();
        let body = json!({
            "allow": false,
            "reason": reason.name(),
            "message": message,
            "policy": policy.id().to_string(),
        });
        Reply {
            why: Some(Why {
                reason: reason.name().to_owned(),
                message,
            }),
            ..Reply::decision(status, body.to_string())
        }
    }

    /// With an extra header.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    /// The `Response`.
    pub fn into_response(self) -> Result<Response, JsValue> {
        let headers = Headers::new()?;
        headers.set("content-type", "application/json")?;
        headers.set("cache-control", "no-store")?;
        for (name, value) in &self.headers {
            headers.set(name, value)?;
        }
        let init = ResponseInit::new();
        init.set_status(self.status);
        init.set_headers(&headers);
        Response::new_with_opt_str_and_init(Some(&self.body), &init)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_short_json() {
        let r = Reply::error(400, "ambiguous_path", "the path holds `;`");
        assert_eq!(
            r.body,
            r#"{"error":"ambiguous_path","message":"the path holds `;`"}"#
        );
        let policy = Policy::from_snapshot_json(policy_core::DEMO_SNAPSHOT_JSON).unwrap();
        let d = Reply::deny(
            403,
            &policy,
            Reason::UnknownAction,
            "`GET /x` is not a route",
        );
        let v: serde_json::Value = serde_json::from_str(&d.body).unwrap();
        assert_eq!(v["allow"], false);
        assert_eq!(v["reason"], "unknown_action");
        assert_eq!(v["policy"], policy.id().to_string());
        assert!(
            Reply::unauthenticated("x")
                .headers
                .iter()
                .any(|(n, _)| *n == "www-authenticate")
        );
    }
}
