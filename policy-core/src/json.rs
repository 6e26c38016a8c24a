//! The host-neutral JSON twins of the API: text in, text out, never a panic. Every host
//! (wasm-bindgen, the Worker, the wasmtime module) goes through these.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::action::Action;
use crate::decide::Policy;
use crate::request::{ManyQueryJson, QueryJson, ReachQueryJson, Request, RequestJson};

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

impl Policy {
    /// Parses a request of SPEC §4 and decides it. Malformed input is `invalid_request`,
    /// an unknown action name `unknown_action`.
    pub fn decide_request_json(&self, text: &str) -> crate::Decision {
        let raw: RequestJson = match serde_json::from_str(text) {
            Ok(raw) => raw,
            Err(e) => return self.invalid_request(&format!("invalid request json: {e}")),
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

    /// `allowed_actions` of a JSON query `{"principal", "org", "resource"}`.
    pub fn allowed_actions_query(&self, text: &str) -> Result<Vec<Action>, String> {
        let q: QueryJson =
            serde_json::from_str(text).map_err(|e| format!("invalid query json: {e}"))?;
        Ok(self.allowed_actions(&q.principal, q.org, &q.resource))
    }

    /// `allowed_actions` for each resource of a JSON query `{"principal", "org",
    /// "resources": [...]}`, as bit masks: bit `i` stands for `Action::ALL[i]`.
    pub fn allowed_masks_query(&self, text: &str) -> Result<Vec<u64>, String> {
        let q: ManyQueryJson =
            serde_json::from_str(text).map_err(|e| format!("invalid query json: {e}"))?;
        Ok(q.resources
            .iter()
            .map(|r| mask(&self.allowed_actions(&q.principal, q.org, r)))
            .collect())
    }

    /// `visible_projects` (or, with `workspaces`, `visible_workspaces`) of a JSON query
    /// `{"principal", "org"}`.
    pub fn visible_query(&self, text: &str, workspaces: bool) -> Result<Vec<u64>, String> {
        let q: ReachQueryJson =
            serde_json::from_str(text).map_err(|e| format!("invalid query json: {e}"))?;
        Ok(if workspaces {
            self.visible_workspaces(&q.principal, q.org)
        } else {
            self.visible_projects(&q.principal, q.org)
        })
    }

    /// `allowed_actions` in JSON: `{"principal", "org", "resource"}` in,
    /// `{"actions": [...]}` or `{"error": "..."}` out.
    pub fn allowed_actions_json(&self, text: &str) -> String {
        match self.allowed_actions_query(text) {
            Ok(actions) => to_json(&ActionsOut {
                actions: actions.iter().map(|a| a.name()).collect(),
            }),
            Err(error) => to_json(&ErrorOut { error }),
        }
    }

    /// `visible_projects` in JSON: `{"principal", "org"}` in, `{"ids": [...]}` or
    /// `{"error": "..."}` out.
    pub fn visible_projects_json(&self, text: &str) -> String {
        ids_json(self.visible_query(text, false))
    }

    /// `visible_workspaces` in JSON, as [`Policy::visible_projects_json`].
    pub fn visible_workspaces_json(&self, text: &str) -> String {
        ids_json(self.visible_query(text, true))
    }
}

/// The bit mask of a list of actions: bit `i` stands for `Action::ALL[i]`.
pub fn mask(actions: &[Action]) -> u64 {
    actions.iter().fold(0, |m, a| m | (1u64 << a.index()))
}

fn ids_json(ids: Result<Vec<u64>, String>) -> String {
    match ids {
        Ok(ids) => to_json(&IdsOut { ids }),
        Err(error) => to_json(&ErrorOut { error }),
    }
}
