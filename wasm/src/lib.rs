//! The browser package: `Policy`, a thin wasm-bindgen class over `policy-core`. It only
//! converts. Requests and snapshots cross as JSON text into the core's own parser, so every
//! host decides (and words its messages) identically; results come back as JS values.
//!
//! Checks never throw: malformed input is a deny with reason `invalid_request`. Loading a
//! bad snapshot throws an `Error` naming the offending item and keeps the previous one.

use std::cell::RefCell;

use js_sys::{Array, JSON, Object};
use policy_core::Action;
use policy_core::{Matrix, Principal, Resource, Snapshot};
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

/// LabelGate's policy: a role matrix and a snapshot.
#[wasm_bindgen]
pub struct Policy {
    inner: policy_core::Policy,
    /// One frozen JS array of action names per distinct set of allowed actions, built once
    /// and shared: crossing into JS once per result instead of once per name.
    arrays: RefCell<Vec<(u64, JsValue)>>,
}

/// JSON text of a JS value: a string is taken as JSON already.
fn json_text(value: &JsValue) -> Result<String, String> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    match JSON::stringify(value) {
        Ok(s) => s
            .as_string()
            .ok_or_else(|| String::from("value is not representable as json")),
        Err(_) => Err(String::from(
            "value is not representable as json (a cycle or a BigInt?)",
        )),
    }
}

fn parse_snapshot(snapshot: &JsValue) -> Result<Snapshot, JsError> {
    let text = json_text(snapshot).map_err(|e| JsError::new(&format!("invalid snapshot: {e}")))?;
    Snapshot::from_json(&text).map_err(|e| JsError::new(&e.to_string()))
}

fn parse_matrix(matrix: &JsValue) -> Result<Matrix, JsError> {
    let text = json_text(matrix).map_err(|e| JsError::new(&format!("invalid matrix: {e}")))?;
    Matrix::from_json(&text).map_err(|e| JsError::new(&e.to_string()))
}

/// A principal from JS (an object or its JSON text); `None` if it is malformed.
fn read_principal(principal: &JsValue) -> Option<Principal> {
    Principal::from_json(&json_text(principal).ok()?).ok()
}

fn absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// An organization id from JS: a non-negative safe integer.
fn org_id(org: f64) -> Option<u64> {
    let ok = org.is_finite() && org >= 0.0 && org.fract() == 0.0 && org <= 9_007_199_254_740_991.0;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    ok.then_some(org as u64)
}

impl Policy {
    /// The shared frozen array of the actions in `mask`.
    fn actions_array(&self, mask: u64) -> JsValue {
        let mut arrays = self.arrays.borrow_mut();
        if let Some((_, a)) = arrays.iter().find(|(m, _)| *m == mask) {
            return a.clone();
        }
        let array: Array = Action::ALL
            .iter()
            .filter(|a| mask & (1u64 << a.index()) != 0)
            .map(|a| JsValue::from_str(a.name()))
            .collect();
        let frozen: JsValue = Object::freeze(&array).into();
        arrays.push((mask, frozen.clone()));
        frozen
    }

    fn visible(&self, principal: &JsValue, org: f64, workspaces: bool) -> Array {
        let (Some(principal), Some(org)) = (read_principal(principal), org_id(org)) else {
            return Array::new();
        };
        let ids = if workspaces {
            self.inner.visible_workspaces(&principal, org)
        } else {
            self.inner.visible_projects(&principal, org)
        };
        #[allow(clippy::cast_precision_loss)]
        ids.into_iter()
            .map(|id| JsValue::from_f64(id as f64))
            .collect()
    }
}

#[wasm_bindgen]
impl Policy {
    /// Loads a snapshot (an object or its JSON text) under SPEC's matrix, or under `matrix`.
    /// Throws an `Error` naming the offending item.
    #[wasm_bindgen(js_name = load)]
    pub fn load_js(
        #[wasm_bindgen(unchecked_param_type = "Snapshot | string")] snapshot: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Matrix | string")] matrix: Option<JsValue>,
    ) -> Result<Policy, JsError> {
        let snapshot = parse_snapshot(&snapshot)?;
        let matrix = match matrix.filter(|m| !absent(m)) {
            None => Matrix::default_matrix().map_err(|e| JsError::new(&e.to_string()))?,
            Some(m) => parse_matrix(&m)?,
        };
        Ok(Policy {
            inner: policy_core::Policy::new(matrix, snapshot),
            arrays: RefCell::new(Vec::new()),
        })
    }

    /// Replaces the snapshot, and the matrix if one is given (otherwise the matrix in force
    /// stays), atomically: on error it throws and the previous policy stays in force.
    pub fn update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Snapshot | string")] snapshot: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Matrix | string")] matrix: Option<JsValue>,
    ) -> Result<(), JsError> {
        let snapshot = parse_snapshot(&snapshot)?;
        let matrix = match matrix.filter(|m| !absent(m)) {
            None => self.inner.matrix().clone(),
            Some(m) => parse_matrix(&m)?,
        };
        self.inner = policy_core::Policy::new(matrix, snapshot);
        Ok(())
    }

    /// Decides one request. Never throws.
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn decide(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Request | string")] request: JsValue,
    ) -> JsValue {
        let decision = match json_text(&request) {
            Ok(text) => self.inner.decide_request_json(&text),
            Err(e) => self.inner.invalid_request(&format!("invalid request: {e}")),
        };
        to_js(&decision)
    }

    /// Every action `principal` may take on `resource` (`{}` is the organization), as a
    /// frozen array shared between equal answers. Never throws: malformed input allows
    /// nothing.
    #[wasm_bindgen(js_name = allowedActions, unchecked_return_type = "Action[]")]
    pub fn allowed_actions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Principal")] principal: JsValue,
        org: f64,
        #[wasm_bindgen(unchecked_param_type = "Resource")] resource: Option<JsValue>,
    ) -> Array {
        let resource = match resource.filter(|r| !absent(r)) {
            None => Some(Resource::org()),
            Some(r) => json_text(&r)
                .ok()
                .and_then(|t| Resource::from_json(&t).ok()),
        };
        let (Some(principal), Some(org), Some(resource)) =
            (read_principal(&principal), org_id(org), resource)
        else {
            return Array::new();
        };
        let allowed = self.inner.allowed_actions(&principal, org, &resource);
        self.actions_array(policy_core::mask(&allowed))
            .unchecked_into()
    }

    /// `allowedActions` for each of `resources` at once (one query, the principal read
    /// once): what a page listing many projects asks. The answer arrays are frozen and
    /// shared between equal answers. Never throws: malformed input allows nothing.
    #[wasm_bindgen(js_name = allowedActionsMany, unchecked_return_type = "Action[][]")]
    pub fn allowed_actions_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Principal")] principal: JsValue,
        org: f64,
        #[wasm_bindgen(unchecked_param_type = "Resource[]")] resources: JsValue,
    ) -> Array {
        let (Ok(principal), Some(org), Ok(resources)) =
            (json_text(&principal), org_id(org), json_text(&resources))
        else {
            return Array::new();
        };
        let query =
            format!("{{\"principal\":{principal},\"org\":{org},\"resources\":{resources}}}");
        match self.inner.allowed_masks_query(&query) {
            Ok(masks) => masks.into_iter().map(|m| self.actions_array(m)).collect(),
            Err(_) => Array::new(),
        }
    }

    /// The projects `principal` may view in `org`, ascending by id.
    #[wasm_bindgen(js_name = visibleProjects, unchecked_return_type = "number[]")]
    pub fn visible_projects(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Principal")] principal: JsValue,
        org: f64,
    ) -> Array {
        self.visible(&principal, org, false)
    }

    /// The workspaces `principal` may view in `org`, ascending by id.
    #[wasm_bindgen(js_name = visibleWorkspaces, unchecked_return_type = "number[]")]
    pub fn visible_workspaces(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Principal")] principal: JsValue,
        org: f64,
    ) -> Array {
        self.visible(&principal, org, true)
    }

    /// The content hash (SHA-256, hex) of the role matrix in force.
    #[wasm_bindgen(getter, js_name = policyId)]
    pub fn policy_id(&self) -> String {
        self.inner.id().to_string()
    }

    /// JSON twin of `decide`: request text in, decision text out.
    #[wasm_bindgen(js_name = decideJson)]
    pub fn decide_json(&self, request: &str) -> String {
        self.inner.decide_json(request)
    }

    /// JSON twin of `allowedActions`: `{"principal","org","resource"}` in, `{"actions"}` or
    /// `{"error"}` out.
    #[wasm_bindgen(js_name = allowedActionsJson)]
    pub fn allowed_actions_json(&self, query: &str) -> String {
        self.inner.allowed_actions_json(query)
    }

    /// JSON twin of `visibleProjects`: `{"principal","org"}` in, `{"ids"}` or `{"error"}` out.
    #[wasm_bindgen(js_name = visibleProjectsJson)]
    pub fn visible_projects_json(&self, query: &str) -> String {
        self.inner.visible_projects_json(query)
    }

    /// JSON twin of `visibleWorkspaces`.
    #[wasm_bindgen(js_name = visibleWorkspacesJson)]
    pub fn visible_workspaces_json(&self, query: &str) -> String {
        self.inner.visible_workspaces_json(query)
    }
}
