//! The host-neutral JSON twins of the API: text in, text out, never a panic. Every host
//! (wasm-bindgen, the Worker, the wasmtime module) goes through these.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::action::Action;
use crate::decide::Policy;
use crate::request::{QueryJson, ReachQueryJson, Request, RequestJson};

#[derive(Serialize)]
struct ActionsOut<'a> {
    actions: Vec<&'a str>,
}

#[derive(Serialize)]
struct IdsOut {
    ids: Vec<u64>,
}

#[derive(Serialize)]
struct ErrorOut {
    error: String,
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| String::from("{\"error\":\"unserializable\"}"))
}

fn error(what: &str, e: &serde_json::Error) -> String {
    to_json(&ErrorOut {
        error: format!("invalid {what} json: {e}"),
    })
}

impl Policy {
    /// Parses a request of SPEC §4 and decides it. Malformed input is `invalid_request`,
    /// an unknown action name `unknown_action`.
    pub fn decide_request_json(&self, text: &str) -> crate::Decision {
        let raw: RequestJson = match serde_json::from_str(text) {
            Ok(raw) => raw,
            Err(e) => return self.invalid(format!("invalid request json: {e}")),
        };
        let Some(action) = Action::from_name(&raw.action) else {
            return self.unknown_action(&raw.action);
        };
        self.decide(&Request {
            principal: raw.principal,
            org: raw.org,
            action,
            resource: raw.resource,
        })
    }

    /// `decide` in JSON: a request in, the decision JSON out.
    pub fn decide_json(&self, text: &str) -> String {
        self.decide_request_json(text).to_json()
    }

    /// `allowed_actions` in JSON: `{"principal", "org", "resource"}` in,
    /// `{"actions": [...]}` or `{"error": "..."}` out.
    pub fn allowed_actions_json(&self, text: &str) -> String {
        match serde_json::from_str::<QueryJson>(text) {
            Ok(q) => {
                let actions = self.allowed_actions(&q.principal, q.org, &q.resource);
                to_json(&ActionsOut {
                    actions: actions.iter().map(|a| a.name()).collect(),
                })
            }
            Err(e) => error("query", &e),
        }
    }

    /// `visible_projects` in JSON: `{"principal", "org"}` in, `{"ids": [...]}` or
    /// `{"error": "..."}` out.
    pub fn visible_projects_json(&self, text: &str) -> String {
        match serde_json::from_str::<ReachQueryJson>(text) {
            Ok(q) => to_json(&IdsOut {
                ids: self.visible_projects(&q.principal, q.org),
            }),
            Err(e) => error("query", &e),
        }
    }

    /// `visible_workspaces` in JSON, as [`Policy::visible_projects_json`].
    pub fn visible_workspaces_json(&self, text: &str) -> String {
        match serde_json::from_str::<ReachQueryJson>(text) {
            Ok(q) => to_json(&IdsOut {
                ids: self.visible_workspaces(&q.principal, q.org),
            }),
            Err(e) => error("query", &e),
        }
    }
}
