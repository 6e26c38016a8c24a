//! LabelGate snapshots and requests as Cedar entities and requests.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityUid, PolicySet, Request,
    RestrictedExpression as X, Schema,
};
use serde_json::Value;

use crate::rank;

pub const POLICIES: &str = include_str!("../cedar/labelgate.cedar");
pub const SCHEMA: &str = include_str!("../cedar/labelgate.cedarschema");

pub fn uid(ty: &str, id: &str) -> EntityUid {
    EntityUid::from_str(&format!("{ty}::{id:?}")).expect("valid uid")
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

fn arr(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], |a| a.as_slice())
}

/// The Cedar side: policies, schema, entities of one snapshot.
pub struct CedarModel {
    pub policies: PolicySet,
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
            policies: policy_set(),
            entities: entities(snapshot, &schema),
            schema,
            authorizer: Authorizer::new(),
        }
    }

    pub fn from_json(text: &str) -> CedarModel {
        CedarModel::new(&serde_json::from_str(text).expect("snapshot json"))
    }

    pub fn is_authorized(&self, request: &Request) -> bool {
        self.authorizer
            .is_authorized(request, &self.policies, &self.entities)
            .decision()
            == Decision::Allow
    }

    /// A request given as LabelGate JSON text: `None` when the host cannot even map it
    /// (malformed JSON, unknown fields, wrong types: LabelGate's `invalid_request`).
    pub fn allows_json(&self, text: &str) -> Option<bool> {
        let v: Value = serde_json::from_str(text).ok()?;
        let req = request(&v)?;
        Some(self.is_authorized(&req))
    }
}

const TOP: [&str; 4] = ["principal", "org", "action", "resource"];
const PRINCIPAL: [&str; 2] = ["user", "groups"];
const RESOURCE: [&str; 9] = [
    "workspace",
    "project",
    "subject",
    "member",
    "role",
    "target_workspace",
    "copy",
    "scope",
    "invite_token",
];
const ROLE_CHANGES: [&str; 7] = [
    "annotator",
    "reviewer",
    "manager",
    "administrator",
    "owner",
    "not_activated",
    "deactivated",
];

fn only(v: &Value, keys: &[&str]) -> Option<()> {
    v.as_object()?
        .keys()
        .all(|k| keys.contains(&k.as_str()))
        .then_some(())
}

fn opt_u64(v: &Value, k: &str) -> Option<Option<u64>> {
    match v.get(k) {
        None | Some(Value::Null) => Some(None),
        Some(x) => Some(Some(x.as_u64()?)),
    }
}

fn opt_str<'a>(v: &'a Value, k: &str, allowed: Option<&[&str]>) -> Option<Option<&'a str>> {
    match v.get(k) {
        None | Some(Value::Null) => Some(None),
        Some(x) => {
            let s = x.as_str()?;
            if allowed.is_some_and(|a| !a.contains(&s)) {
                return None;
            }
            Some(Some(s))
        }
    }
}

/// The host's mapping of a LabelGate request (JSON) to a Cedar request. Only the form is
/// checked here (what a JSON schema would say); every rule is in the policies.
pub fn request(v: &Value) -> Option<Request> {
    only(v, &TOP)?;
    let p = v.get("principal")?;
    only(p, &PRINCIPAL)?;
    let org = v.get("org")?.as_u64()?;
    let action = v.get("action")?.as_str()?;
    let empty = Value::Object(Default::default());
    let r = v.get("resource").unwrap_or(&empty);
    only(r, &RESOURCE)?;
    let user = opt_u64(p, "user")?;
    let groups: Vec<&str> = match p.get("groups") {
        None => vec![],
        Some(g) => g
            .as_array()?
            .iter()
            .map(|x| x.as_str())
            .collect::<Option<_>>()?,
    };
    let workspace = opt_u64(r, "workspace")?;
    let project = opt_u64(r, "project")?;
    let subject = opt_u64(r, "subject")?;
    let member = opt_u64(r, "member")?;
    let role = opt_str(r, "role", Some(&ROLE_CHANGES))?;
    let target = opt_u64(r, "target_workspace")?;
    let copy = opt_str(r, "copy", Some(&["settings", "settings_data", "all"]))?;
    let scope = opt_str(
        r,
        "scope",
        Some(&["own", "project", "workspace", "organization"]),
    )?;
    let token = opt_str(r, "invite_token", None)?;
    Some(cedar_request(
        org, user, &groups, action, workspace, project, subject, member, role, target, copy, scope,
        token,
    ))
}

/// [`cedar_request`] for one action on one project, as a user without groups.
pub fn cedar_project_request(org: u64, user: u64, action: &str, project: u64) -> Request {
    cedar_request(
        org,
        Some(user),
        &[],
        action,
        None,
        Some(project),
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )
}

#[allow(clippy::too_many_arguments)]
pub fn cedar_request(
    org: u64,
    user: Option<u64>,
    groups: &[&str],
    action: &str,
    workspace: Option<u64>,
    project: Option<u64>,
    subject: Option<u64>,
    member: Option<u64>,
    role: Option<&str>,
    target: Option<u64>,
    copy: Option<&str>,
    scope: Option<&str>,
    token: Option<&str>,
) -> Request {
    let principal = uid(
        "Member",
        &format!("{org}/{}", user.map_or(String::new(), |u| u.to_string())),
    );
    let resource = match (workspace, project) {
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
        ("user".into(), X::new_long(user.map_or(0, |u| u as i64))),
        ("has_user".into(), X::new_bool(user.is_some())),
        ("groups".into(), strs(groups.iter().copied())),
        ("copy_all".into(), X::new_bool(copy == Some("all"))),
    ];
    if let Some(s) = subject {
        ctx.push(("subject".into(), X::new_long(s as i64)));
    }
    if let Some(m) = member {
        ctx.push((
            "member".into(),
            X::new_entity_uid(uid("Member", &format!("{org}/{m}"))),
        ));
    }
    if let Some(r) = role {
        ctx.push(("role".into(), X::new_string(r.into())));
    }
    if let Some(t) = target {
        ctx.push((
            "target".into(),
            X::new_entity_uid(uid("Workspace", &t.to_string())),
        ));
    }
    if let Some(s) = scope {
        ctx.push(("scope".into(), X::new_string(s.into())));
    }
    if let Some(t) = token {
        ctx.push(("invite_token".into(), X::new_string(t.into())));
    }
    let context = Context::from_pairs(ctx).expect("context");
    Request::new(principal, uid("Action", action), resource, context, None).expect("request")
}
