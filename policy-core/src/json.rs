//! The host-neutral JSON twins of the API: text in, text out, never a panic. Every host
//! (wasm-bindgen, the Worker, the wasmtime module) goes through these. Input is read by
//! [`crate::reader`]; output is written here, in serde_json's compact form.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use crate::action::Action;
use crate::decide::Policy;
use crate::reader::{self, Reader, Res};
use crate::request::{QueryForm, QueryJson, Request, RequestJson, Resource};

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
                let mut out = String::from("{\"actions\":[");
                for (i, a) in actions.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_string(&mut out, a.name());
                }
                out.push_str("]}");
                out
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
            let mut out = String::from("{\"ids\":[");
            for (i, id) in ids.iter().enumerate() {
                let comma = if i > 0 { "," } else { "" };
                // Writing into a String cannot fail.
                let _ = write!(out, "{comma}{id}");
            }
            out.push_str("]}");
            out
        }
        Err(error) => error_json(&error),
    }
}

fn error_json(error: &str) -> String {
    let mut out = String::from("{\"error\":");
    push_string(&mut out, error);
    out.push('}');
    out
}

/// Lowercase hexadecimal digits, by value.
pub(crate) const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `s` as a JSON string, escaped as serde_json escapes.
pub(crate) fn push_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let b = u32::from(c) as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX.get(b >> 4).copied().unwrap_or(b'0')));
                out.push(char::from(HEX.get(b & 15).copied().unwrap_or(b'0')));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::push_string;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut out = alloc::string::String::new();
        push_string(&mut out, "a\"b\\c\n\r\t\u{8}\u{c}\u{1f}\u{0}é😀/");
        assert_eq!(out, r#""a\"b\\c\n\r\t\b\f\u001f\u0000é😀/""#);
    }
}
