//! LabelGate snapshots and requests as Cedar entities and requests.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicySet, Request, RestrictedExpression as X, Schema,
};
use serde_json::Value;

use crate::cedar_slice::Policies;
use crate::form::Form;
use crate::rank;

pub const POLICIES: &str = include_str!("../cedar/labelgate.cedar");
pub const SCHEMA: &str = include_str!("../cedar/labelgate.cedarschema");

/// The uid `ty::"id"`; `id` may be any string.
pub fn uid(ty: &str, id: &str) -> EntityUid {
    let ty = EntityTypeName::from_str(ty).expect("a valid type name");
    EntityUid::from_type_name_and_id(ty, EntityId::new(id))
}

fn long(v: &Value) -> i64 {
    v.as_u64().map_or(-1, |u| u as i64)
}

fn longs<'a>(it: impl IntoIterator<Item = &'a Value>) -> X {
    X::new_set(it.into_iter().map(|v| X::new_long(long(v))))
}

fn strs<'a>(it: impl IntoIterator<Item = &'a str>) -> X {
    X::new_set(it.into_iter().map(|s| X::new_string(s.to_string())))
}

pub(crate) fn arr(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], |a| a.as_slice())
}

/// The Cedar side: policies, schema, entities of one snapshot.
pub struct CedarModel {
    pub policies: Policies,
    pub schema: Schema,
    pub entities: Entities,
    pub authorizer: Authorizer,
}

pub fn policy_set() -> PolicySet {
    PolicySet::from_str(POLICIES).expect("labelgate.cedar parses")
}

pub fn schema() -> Schema {
    Schema::from_str(SCHEMA).expect("labelgate.cedarschema parses")
}

/// The entities of a snapshot (SPEC §4 JSON).
/// The action hierarchy (the matrix's action groups) comes from the schema, so the schema
/// is given here.
pub fn entities(snapshot: &Value, schema: &Schema) -> Entities {
    let teams = snapshot["edition"].as_str() == Some("teams");
    let mut out: Vec<Entity> = Vec::new();
    for o in arr(&snapshot["organizations"]) {
        let oid = o["id"].as_u64().unwrap_or(0).to_string();
        let org_uid = uid("Org", &oid);
        let maps: Vec<(&str, i64, Option<u64>)> = arr(&o["group_mappings"])
            .iter()
            .map(|m| {
                (
                    m["group"].as_str().unwrap_or(""),
                    rank(m["role"].as_str().unwrap_or("")),
                    m["project"].as_u64(),
                )
            })
            .collect();
        let org_maps = |min: i64| {
            strs(
                maps.iter()
                    .filter(|m| m.2.is_none() && m.1 >= min)
                    .map(|m| m.0),
            )
        };
        let attrs = HashMap::from([
            ("id".into(), X::new_long(long(&o["id"]))),
            ("owner".into(), X::new_long(long(&o["owner"]))),
            ("teams".into(), X::new_bool(teams)),
            (
                "signup_needs_invite".into(),
                X::new_bool(o["settings"]["disable_signup_without_link"].as_bool() == Some(true)),
            ),
            (
                "invite_tokens".into(),
                strs(arr(&o["invite_tokens"]).iter().filter_map(|t| t.as_str())),
            ),
            ("mapped".into(), org_maps(0)),
            ("ge1".into(), org_maps(1)),
            ("ge2".into(), org_maps(2)),
            ("ge3".into(), org_maps(3)),
        ]);
        out.push(Entity::new(org_uid.clone(), attrs, HashSet::new()).expect("org entity"));
        for m in arr(&o["members"]) {
            let user = long(&m["user"]);
            let attrs = HashMap::from([
                ("org".into(), X::new_entity_uid(org_uid.clone())),
                ("user".into(), X::new_long(user)),
                (
                    "status".into(),
                    X::new_string(m["status"].as_str().unwrap_or("").into()),
                ),
                (
                    "rank".into(),
                    X::new_long(rank(m["role"].as_str().unwrap_or("annotator"))),
                ),
            ]);
            let id = format!("{oid}/{user}");
            out.push(Entity::new(uid("Member", &id), attrs, HashSet::new()).expect("member"));
        }
        let mut used: HashSet<u64> = HashSet::new();
        for p in arr(&o["projects"]) {
            used.insert(p["workspace"].as_u64().unwrap_or(0));
        }
        for w in arr(&o["workspaces"]) {
            let wid = w["id"].as_u64().unwrap_or(0);
            let attrs = HashMap::from([
                ("org".into(), X::new_entity_uid(org_uid.clone())),
                ("members".into(), longs(arr(&w["members"]))),
                (
                    "sandbox_of".into(),
                    X::new_long(w["sandbox_of"].as_u64().map_or(0, |u| u as i64)),
                ),
                ("empty".into(), X::new_bool(!used.contains(&wid))),
            ]);
            out.push(
                Entity::new(uid("Workspace", &wid.to_string()), attrs, HashSet::new()).expect("ws"),
            );
        }
        for p in arr(&o["projects"]) {
            let pid = p["id"].as_u64().unwrap_or(0);
            let pmaps = |min: i64| {
                strs(
                    maps.iter()
                        .filter(|m| m.2 == Some(pid) && m.1 >= min)
                        .map(|m| m.0),
                )
            };
            let assigned: HashSet<i64> = arr(&p["assignments"])
                .iter()
                .map(|a| long(&a["user"]))
                .collect();
            let attrs = HashMap::from([
                ("org".into(), X::new_entity_uid(org_uid.clone())),
                (
                    "workspace".into(),
                    X::new_entity_uid(uid(
                        "Workspace",
                        &p["workspace"].as_u64().unwrap_or(0).to_string(),
                    )),
                ),
                ("created_by".into(), X::new_long(long(&p["created_by"]))),
                ("members".into(), longs(arr(&p["members"]))),
                (
                    "assigned".into(),
                    X::new_set(assigned.into_iter().map(X::new_long)),
                ),
                (
                    "own_data".into(),
                    X::new_bool(
                        p["settings"]["annotators_can_view_own_data"].as_bool() == Some(true),
                    ),
                ),
                ("pmapped".into(), pmaps(0)),
                ("pge1".into(), pmaps(1)),
                ("pge2".into(), pmaps(2)),
            ]);
            out.push(
                Entity::new(uid("Project", &pid.to_string()), attrs, HashSet::new())
                    .expect("project"),
            );
        }
    }
    Entities::from_entities(out, Some(schema)).expect("entities conform to the schema")
}

impl CedarModel {
    pub fn new(snapshot: &Value) -> CedarModel {
        let schema = schema();
        CedarModel {
            policies: Policies::new(policy_set(), &schema),
            entities: entities(snapshot, &schema),
            schema,
            authorizer: Authorizer::new(),
        }
    }

    pub fn from_json(text: &str) -> CedarModel {
        CedarModel::new(&serde_json::from_str(text).expect("snapshot json"))
    }

    /// The decision over the whole policy set, or (`sliced`) over the action's slice.
    pub fn is_authorized(&self, request: &Request, sliced: bool) -> bool {
        self.authorizer
            .is_authorized(request, self.policies.of(request, sliced), &self.entities)
            .decision()
            == Decision::Allow
    }

    /// A request given as LabelGate JSON text: `None` when the host cannot even map it
    /// (malformed JSON, unknown fields, wrong types: LabelGate's `invalid_request`).
    pub fn allows_json(&self, text: &str, sliced: bool) -> Option<bool> {
        let v: Value = serde_json::from_str(text).ok()?;
        let req = request(&v)?;
        Some(self.is_authorized(&req, sliced))
    }
}

/// The host's mapping of a LabelGate request (JSON) to a Cedar request. Only the form is
/// checked here ([`Form::read`]); every rule is in the policies.
pub fn request(v: &Value) -> Option<Request> {
    Some(cedar_request(&Form::read(v)?))
}

/// [`cedar_request`] for one action on one project, as a user without groups.
pub fn cedar_project_request(org: u64, user: u64, action: &str, project: u64) -> Request {
    cedar_request(&Form::project(org, user, action, project))
}

/// A request's form as a Cedar request: principal `Member::"org/user"`, the resource at the
/// level it names (`Invalid::"both_levels"` when it names two), the rest in the context.
pub fn cedar_request(f: &Form<'_>) -> Request {
    let org = f.org;
    let principal = uid(
        "Member",
        &format!("{org}/{}", f.user.map_or(String::new(), |u| u.to_string())),
    );
    let resource = match (f.workspace, f.project) {
        (Some(_), Some(_)) => uid("Invalid", "both_levels"),
        (Some(w), None) => uid("Workspace", &w.to_string()),
        (None, Some(p)) => uid("Project", &p.to_string()),
        (None, None) => uid("Org", &org.to_string()),
    };
    let mut ctx: Vec<(String, X)> = vec![
        (
            "org".into(),
            X::new_entity_uid(uid("Org", &org.to_string())),
        ),
        ("user".into(), X::new_long(f.user.map_or(0, |u| u as i64))),
        ("has_user".into(), X::new_bool(f.user.is_some())),
        ("groups".into(), strs(f.groups.iter().copied())),
        ("copy_all".into(), X::new_bool(f.copy == Some("all"))),
    ];
    if let Some(s) = f.subject {
        ctx.push(("subject".into(), X::new_long(s as i64)));
    }
    if let Some(m) = f.member {
        ctx.push((
            "member".into(),
            X::new_entity_uid(uid("Member", &format!("{org}/{m}"))),
        ));
    }
    if let Some(r) = f.role {
        ctx.push(("role".into(), X::new_string(r.into())));
    }
    if let Some(t) = f.target {
        ctx.push((
            "target".into(),
            X::new_entity_uid(uid("Workspace", &t.to_string())),
        ));
    }
    if let Some(s) = f.scope {
        ctx.push(("scope".into(), X::new_string(s.into())));
    }
    if let Some(t) = f.token {
        ctx.push(("invite_token".into(), X::new_string(t.into())));
    }
    let context = Context::from_pairs(ctx).expect("context");
    Request::new(principal, uid("Action", f.action), resource, context, None).expect("request")
}
