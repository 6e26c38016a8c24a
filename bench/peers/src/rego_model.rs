//! LabelGate's policy in Rego (`rego/labelgate.rego`) under regorus, two ways: its
//! interpreter ([`Engine`]) and its bytecode VM ([`RegoVM`]). Data: the snapshot keyed by id
//! and the role matrix; input: a request's form.

use std::sync::Arc;

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::{Program, RegoVM};
use regorus::{CompiledPolicy, Engine, Value as Rego};
use serde_json::{Map, Value, json};

use crate::cedar_model::arr;
use crate::form::Form;

pub const POLICY: &str = include_str!("../rego/labelgate.rego");
pub const ALLOW: &str = "data.labelgate.allow";
pub const ALLOWED_ACTIONS: &str = "data.labelgate.allowed_actions";

fn key(v: &Value) -> String {
    v.as_u64().unwrap_or(0).to_string()
}

/// The ids in `list` as a set: an object with `true` for each.
fn set(list: &Value) -> Value {
    Value::Object(arr(list).iter().map(|u| (key(u), json!(true))).collect())
}

/// The snapshot as Rego data: organizations, workspaces and projects keyed by id, id lists as
/// sets, group mappings keyed by group, assignments as the set of assigned users (no rule
/// reads their kind); and the default role matrix.
pub fn data(snapshot: &Value) -> Value {
    let (mut orgs, mut workspaces, mut projects) = (Map::new(), Map::new(), Map::new());
    for o in arr(&snapshot["organizations"]) {
        let oid = o["id"].clone();
        let mut members = Map::new();
        for m in arr(&o["members"]) {
            let mut v = json!({"status": m["status"]});
            if let Some(r) = m.get("role") {
                v["role"] = r.clone();
            }
            members.insert(key(&m["user"]), v);
        }
        let (mut roles, mut by_project) = (Map::new(), Map::new());
        for g in arr(&o["group_mappings"]) {
            let group = g["group"].as_str().unwrap_or("").to_string();
            match g.get("project") {
                Some(p) => {
                    let entry = by_project.entry(group).or_insert_with(|| json!({}));
                    entry[key(p)] = g["role"].clone();
                }
                None => {
                    roles.insert(group, g["role"].clone());
                }
            }
        }
        let settings = &o["settings"]["disable_signup_without_link"];
        orgs.insert(
            key(&oid),
            json!({
                "owner": o["owner"],
                "signup_needs_invite": settings.as_bool() == Some(true),
                "invite_tokens": o.get("invite_tokens").cloned().unwrap_or(json!([])),
                "members": members,
                "group_roles": roles,
                "group_projects": by_project,
            }),
        );
        for w in arr(&o["workspaces"]) {
            let mut v = json!({"org": oid, "members": set(&w["members"])});
            if let Some(s) = w.get("sandbox_of").filter(|s| !s.is_null()) {
                v["sandbox_of"] = s.clone();
            }
            workspaces.insert(key(&w["id"]), v);
        }
        for p in arr(&o["projects"]) {
            let assigned: Vec<Value> = arr(&p["assignments"])
                .iter()
                .map(|a| a["user"].clone())
                .collect();
            let own = &p["settings"]["annotators_can_view_own_data"];
            projects.insert(
                key(&p["id"]),
                json!({
                    "org": oid,
                    "workspace": p["workspace"],
                    "created_by": p["created_by"],
                    "members": set(&p["members"]),
                    "assigned": set(&Value::Array(assigned)),
                    "own_data": own.as_bool() == Some(true),
                }),
            );
        }
    }
    let matrix: Value =
        serde_json::from_str(policy_core::DEFAULT_MATRIX_JSON).expect("default matrix");
    json!({
        "edition": snapshot.get("edition").cloned().unwrap_or(json!("enterprise")),
        "matrix": matrix,
        "orgs": orgs,
        "workspaces": workspaces,
        "projects": projects,
    })
}

/// A request's form as Rego input: the request's JSON with absent fields left out.
pub fn input(f: &Form<'_>) -> Rego {
    let mut principal = json!({"groups": f.groups});
    if let Some(u) = f.user {
        principal["user"] = json!(u);
    }
    let fields = [
        ("workspace", f.workspace.map(Value::from)),
        ("project", f.project.map(Value::from)),
        ("subject", f.subject.map(Value::from)),
        ("member", f.member.map(Value::from)),
        ("target_workspace", f.target.map(Value::from)),
        ("role", f.role.map(Value::from)),
        ("copy", f.copy.map(Value::from)),
        ("scope", f.scope.map(Value::from)),
        ("invite_token", f.token.map(Value::from)),
    ];
    let r: Map<String, Value> = fields
        .into_iter()
        .filter_map(|(k, v)| Some((k.to_string(), v?)))
        .collect();
    Rego::from(json!({"principal": principal, "org": f.org, "action": f.action, "resource": r}))
}

/// The input of a JSON request, or `None` when its form is refused.
pub fn input_json(text: &str) -> Option<Rego> {
    let v: Value = serde_json::from_str(text).ok()?;
    Some(input(&Form::read(&v)?))
}

fn engine(policy: &str, data: Rego) -> Engine {
    let mut e = Engine::new();
    e.add_policy("labelgate.rego".into(), policy.into())
        .expect("the policy parses");
    e.add_data(data).expect("data");
    e
}

fn names(v: &Rego) -> Vec<String> {
    let mut out: Vec<String> = v.as_set().map_or(vec![], |s| {
        s.iter()
            .filter_map(|a| a.as_string().ok().map(|a| a.to_string()))
            .collect()
    });
    out.sort();
    out
}

/// A regorus runtime holding the policy and the data.
pub trait Runtime {
    /// Over a snapshot's data.
    fn new(snapshot: &Value) -> Self
    where
        Self: Sized;

    /// The value of `rule` for `input`.
    fn eval(&mut self, input: &Rego, rule: &str) -> Rego;

    fn allows(&mut self, input: &Rego) -> bool {
        self.eval(input, ALLOW) == Rego::Bool(true)
    }

    /// The actions `allowed_actions` lists for the input's principal and resource, sorted.
    fn allowed_actions(&mut self, input: &Rego) -> Vec<String> {
        names(&self.eval(input, ALLOWED_ACTIONS))
    }
}

/// The policy under regorus's interpreter.
pub struct RegoModel {
    engine: Engine,
}

impl RegoModel {
    /// Over data already converted (regorus values share their contents when cloned).
    pub fn with_data(data: Rego) -> RegoModel {
        RegoModel::with_policy(POLICY, data)
    }

    /// Another policy of package `labelgate` (a measurement's baseline).
    pub fn with_policy(policy: &str, data: Rego) -> RegoModel {
        RegoModel {
            engine: engine(policy, data),
        }
    }
}

impl Runtime for RegoModel {
    fn new(snapshot: &Value) -> RegoModel {
        RegoModel::with_data(Rego::from(data(snapshot)))
    }

    fn eval(&mut self, input: &Rego, rule: &str) -> Rego {
        self.engine.set_input(input.clone());
        self.engine
            .eval_rule(rule.into())
            .unwrap_or_else(|e| panic!("{e}: {input}"))
    }
}

/// The policy compiled to regorus's bytecode and run by its VM.
pub struct RegoVm {
    vm: RegoVM,
}

impl RegoVm {
    /// As [`RegoModel::with_data`].
    pub fn with_data(data: Rego) -> RegoVm {
        RegoVm::with_policy(POLICY, data)
    }

    /// As [`RegoModel::with_policy`]; the policy defines `allow` and `allowed_actions`.
    pub fn with_policy(policy: &str, data: Rego) -> RegoVm {
        let mut e = engine(policy, data.clone());
        let policy: CompiledPolicy = e.compile_with_entrypoint(&ALLOW.into()).expect("compiles");
        let program: Arc<Program> =
            Compiler::compile_from_policy(&policy, &[ALLOW, ALLOWED_ACTIONS]).expect("to bytecode");
        let mut vm = RegoVM::new_with_policy(policy);
        vm.load_program(program);
        vm.set_data(data).expect("data");
        RegoVm { vm }
    }
}

impl Runtime for RegoVm {
    fn new(snapshot: &Value) -> RegoVm {
        RegoVm::with_data(Rego::from(data(snapshot)))
    }

    fn eval(&mut self, input: &Rego, rule: &str) -> Rego {
        self.vm.set_input(input.clone());
        self.vm
            .execute_entry_point_by_name(rule)
            .unwrap_or_else(|e| panic!("{e}: {input}"))
    }
}
