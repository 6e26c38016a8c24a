//! The host-neutral JSON twins of the API: text in, text out, never a panic. Every host
//! (wasm-bindgen, the Worker, the wasmtime module) goes through these. Input is read by
//! [`crate::reader`] and written by [`crate::writer`], in serde_json's compact form.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::action::Action;
use crate::policy::Policy;
use crate::reader::{self, Reader, Res};
use crate::request::{QueryForm, QueryJson, Request, RequestJson, Resource};
use crate::writer::Writer;

/// Reads a query, its errors worded `invalid query json: ...`.
fn query<'a, T>(text: &'a str, read: impl FnOnce(&mut Reader<'a>) -> Res<T>) -> Result<T, String> {
    reader::parse(text, read).map_err(|e| format!("invalid query json: {e}"))
}

impl Policy {
    /// Parses a request of SPEC §4 and decides it. Malformed input is `invalid_request`,
    /// an unknown action name `unknown_action`.
    pub fn decide_request_json(&self, text: &str) -> crate::Decision {
        let raw = match reader::parse(text, RequestJson::read) {
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
        let q = query(text, |r| QueryJson::read(r, QueryForm::One))?;
        Ok(self.allowed_actions(&q.principal, q.org, &q.resource))
    }

    /// `allowed_actions` for each resource of a JSON query `{"principal", "org",
    /// "resources": [...]}`, as bit masks: bit `i` stands for `Action::ALL[i]`.
    pub fn allowed_masks_query(&self, text: &str) -> Result<Vec<u64>, String> {
        let q = query(text, |r| QueryJson::read(r, QueryForm::Many))?;
        let resources: &[Resource] = q.resources.as_deref().unwrap_or_default();
        Ok(resources
            .iter()
            .map(|r| mask(&self.allowed_actions(&q.principal, q.org, r)))
            .collect())
    }

    /// `visible_projects` (or, with `workspaces`, `visible_workspaces`) of a JSON query
    /// `{"principal", "org"}`.
    pub fn visible_query(&self, text: &str, workspaces: bool) -> Result<Vec<u64>, String> {
        let q = query(text, |r| QueryJson::read(r, QueryForm::Reach))?;
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
            Ok(actions) => {
                let mut w = Writer(String::from("{\"actions\":"));
                w.list(&actions, |a, w| w.string(a.name()));
                w.0.push('}');
                w.0
            }
            Err(error) => error_json(&error),
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
        Ok(ids) => {
            let mut w = Writer(String::from("{\"ids\":"));
            w.list(&ids, |id, w| w.id(*id));
            w.0.push('}');
            w.0
        }
        Err(error) => error_json(&error),
    }
}

fn error_json(error: &str) -> String {
    let mut w = Writer(String::from("{\"error\":"));
    w.string(error);
    w.0.push('}');
    w.0
}
