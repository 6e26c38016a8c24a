//! The hand-written Cedar encoding (`cedar/hierarchy.cedar`): a snapshot as an entity
//! hierarchy that carries membership, and a request as principal, action, resource and a
//! context of what the request itself says.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityUid, PolicySet, Request,
    RestrictedExpression as X, Schema,
};
use serde_json::Value;

use crate::cedar_model::{arr, uid};
use crate::cedar_slice::Policies;
use crate::form::Form;

pub const POLICIES: &str = include_str!("../cedar/hierarchy.cedar");
pub const SCHEMA: &str = include_str!("../cedar/hierarchy.cedarschema");

pub fn policy_set() -> PolicySet {
    PolicySet::from_str(POLICIES).expect("hierarchy.cedar parses")
}

pub fn schema() -> Schema {
    Schema::from_str(SCHEMA).expect("hierarchy.cedarschema parses")
}

fn user(id: u64) -> EntityUid {
    uid("User", &id.to_string())
}

fn team(id: &str) -> EntityUid {
    uid("Team", id)
}

/// The role group a role is in (the owner is in `administrators`; role groups nest).
fn role_group(org: u64, role: &str) -> EntityUid {
    let group = if role == "owner" {
        "administrator"
    } else {
        role
    };
    uid("Role", &format!("{org}/{group}"))
}

/// The project team a project mapping puts its group in.
fn project_team(project: u64, role: &str) -> EntityUid {
    match role {
        "manager" => team(&format!("p/{project}/managers")),
        "reviewer" => team(&format!("p/{project}/reviewers")),
        _ => team(&format!("p/{project}/members")),
    }
}

fn id(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

/// Entities collected while reading a snapshot: users and SSO groups gather parents across
/// organizations, so they are created last.
#[derive(Default)]
struct Builder {
    out: Vec<Entity>,
    users: BTreeMap<u64, BTreeSet<EntityUid>>,
    groups: BTreeMap<String, BTreeSet<EntityUid>>,
}

impl Builder {
    fn add(&mut self, uid: EntityUid, attrs: Vec<(&str, X)>, parents: Vec<EntityUid>) {
        let attrs: HashMap<String, X> = attrs.into_iter().map(|(k, v)| (k.into(), v)).collect();
        let e = Entity::new(uid, attrs, parents.into_iter().collect()).expect("entity");
        self.out.push(e);
    }

    fn user_in(&mut self, u: u64, parent: EntityUid) {
        self.users.entry(u).or_default().insert(parent);
    }

    fn org(&mut self, o: &Value, teams: bool) {
        let oid = id(&o["id"]);
        let org = uid("Org", &oid.to_string());
        let roles = ["annotator", "reviewer", "manager", "administrator"];
        for (i, r) in roles.iter().enumerate() {
            // A role group is in the group of the role below it.
            let below = i.checked_sub(1).and_then(|j| roles.get(j));
            let parents = below.map_or(vec![], |b| vec![role_group(oid, b)]);
            self.add(role_group(oid, r), vec![], parents);
        }
        let inactive = team(&format!("org/{oid}/inactive"));
        self.add(inactive.clone(), vec![], vec![]);
        let tokens = arr(&o["invite_tokens"]).iter().filter_map(Value::as_str);
        let needs_invite = o["settings"]["disable_signup_without_link"].as_bool() == Some(true);
        let mut attrs = vec![
            ("owner", X::new_entity_uid(user(id(&o["owner"])))),
            ("teams", X::new_bool(teams)),
            ("signup_needs_invite", X::new_bool(needs_invite)),
            (
                "invite_tokens",
                X::new_set(tokens.map(|t| X::new_string(t.into()))),
            ),
            ("inactive", X::new_entity_uid(inactive.clone())),
        ];
        for (attr, r) in [
            ("annotators", "annotator"),
            ("reviewers", "reviewer"),
            ("managers", "manager"),
            ("administrators", "administrator"),
        ] {
            attrs.push((attr, X::new_entity_uid(role_group(oid, r))));
        }
        self.add(org.clone(), attrs, vec![]);
        for m in arr(&o["members"]) {
            let u = id(&m["user"]);
            self.user_in(u, org.clone());
            if m["status"].as_str() == Some("active") {
                let role = m["role"].as_str().unwrap_or("annotator");
                self.user_in(u, role_group(oid, role));
            } else {
                self.user_in(u, inactive.clone());
            }
        }
        self.workspaces(o, &org);
        for g in arr(&o["group_mappings"]) {
            let name = g["group"].as_str().unwrap_or("").to_string();
            let role = g["role"].as_str().unwrap_or("");
            let parent = match g["project"].as_u64() {
                Some(p) => project_team(p, role),
                None => role_group(oid, role),
            };
            self.groups.entry(name).or_default().insert(parent);
        }
    }

    fn workspaces(&mut self, o: &Value, org: &EntityUid) {
        let mut projects: HashMap<u64, Vec<u64>> = HashMap::new();
        for p in arr(&o["projects"]) {
            projects
                .entry(id(&p["workspace"]))
                .or_default()
                .push(id(&p["id"]));
        }
        for w in arr(&o["workspaces"]) {
            let wid = id(&w["id"]);
            let members = team(&format!("ws/{wid}"));
            let held = projects.get(&wid).map_or(&[][..], Vec::as_slice);
            // Workspace membership cascades to every project in it.
            let cascade = held.iter().map(|p| project_team(*p, "annotator")).collect();
            self.add(members.clone(), vec![], cascade);
            for u in arr(&w["members"]) {
                self.user_in(id(u), members.clone());
            }
            let mut attrs = vec![
                ("members", X::new_entity_uid(members.clone())),
                ("projects", X::new_long(held.len() as i64)),
            ];
            if let Some(s) = w["sandbox_of"].as_u64() {
                self.user_in(s, members);
                attrs.push(("sandbox_of", X::new_entity_uid(user(s))));
            }
            self.add(uid("Workspace", &wid.to_string()), attrs, vec![org.clone()]);
        }
        for p in arr(&o["projects"]) {
            self.project(p);
        }
    }

    fn project(&mut self, p: &Value) {
        let pid = id(&p["id"]);
        let ws = uid("Workspace", &id(&p["workspace"]).to_string());
        let [members, reviewers, managers] =
            ["annotator", "reviewer", "manager"].map(|r| project_team(pid, r));
        let assignees = team(&format!("p/{pid}/assignees"));
        self.add(members.clone(), vec![], vec![]);
        self.add(reviewers.clone(), vec![], vec![members.clone()]);
        self.add(managers.clone(), vec![], vec![reviewers.clone()]);
        self.add(assignees.clone(), vec![], vec![]);
        for u in arr(&p["members"]) {
            self.user_in(id(u), members.clone());
        }
        for a in arr(&p["assignments"]) {
            self.user_in(id(&a["user"]), assignees.clone());
        }
        let own_data = p["settings"]["annotators_can_view_own_data"].as_bool() == Some(true);
        let attrs = vec![
            ("workspace", X::new_entity_uid(ws.clone())),
            ("creator", X::new_entity_uid(user(id(&p["created_by"])))),
            ("members", X::new_entity_uid(members)),
            ("reviewers", X::new_entity_uid(reviewers)),
            ("managers", X::new_entity_uid(managers)),
            ("assignees", X::new_entity_uid(assignees)),
            ("own_data", X::new_bool(own_data)),
        ];
        self.add(uid("Project", &pid.to_string()), attrs, vec![ws]);
    }
}

/// The Cedar side of one snapshot for `hierarchy.cedar`.
pub struct HierModel {
    pub policies: Policies,
    pub schema: Schema,
    pub entities: Entities,
    /// Each listed user's parents, to which a request adds its identity's groups.
    parents: HashMap<u64, HashSet<EntityUid>>,
    authorizer: Authorizer,
}

/// A request as Cedar sees it, with the principal's entity when the identity's groups
/// make it differ from the stored one.
pub struct HierRequest {
    pub request: Request,
    principal: Option<Entity>,
}

impl HierModel {
    pub fn new(snapshot: &Value) -> HierModel {
        let schema = schema();
        let teams = snapshot["edition"].as_str() == Some("teams");
        let mut b = Builder::default();
        for o in arr(&snapshot["organizations"]) {
            b.org(o, teams);
        }
        let mut parents = HashMap::new();
        for (u, ps) in std::mem::take(&mut b.users) {
            let ps: HashSet<EntityUid> = ps.into_iter().collect();
            b.out.push(Entity::new_no_attrs(user(u), ps.clone()));
            parents.insert(u, ps);
        }
        for (g, ps) in std::mem::take(&mut b.groups) {
            let group = uid("SsoGroup", &g);
            b.out
                .push(Entity::new_no_attrs(group, ps.into_iter().collect()));
        }
        let entities =
            Entities::from_entities(b.out, Some(&schema)).expect("entities conform to the schema");
        HierModel {
            policies: Policies::new(policy_set(), &schema),
            schema,
            entities,
            parents,
            authorizer: Authorizer::new(),
        }
    }

    pub fn from_json(text: &str) -> HierModel {
        HierModel::new(&serde_json::from_str(text).expect("snapshot json"))
    }

    /// The host's mapping of a request's form; `None` when the request does not fit the
    /// schema (an unknown action, a resource of the wrong kind or of two kinds, a role
    /// change without a member): LabelGate's `invalid_request` and `unknown_action`.
    pub fn request(&self, f: &Form<'_>) -> Option<HierRequest> {
        let resource = match (f.workspace, f.project) {
            (Some(_), Some(_)) => return None,
            (Some(w), None) => uid("Workspace", &w.to_string()),
            (None, Some(p)) => uid("Project", &p.to_string()),
            (None, None) => uid("Org", &f.org.to_string()),
        };
        if f.action == "org.change_role" && f.role.is_some() && f.member.is_none() {
            return None;
        }
        let mut ctx = vec![(
            "org".to_string(),
            X::new_entity_uid(uid("Org", &f.org.to_string())),
        )];
        let mut push = |k: &str, v: Option<X>| {
            if let Some(v) = v {
                ctx.push((k.to_string(), v));
            }
        };
        push("subject", f.subject.map(|u| X::new_entity_uid(user(u))));
        push("member", f.member.map(|u| X::new_entity_uid(user(u))));
        push("role", f.role.map(|r| X::new_string(r.into())));
        let target = f.target.map(|w| uid("Workspace", &w.to_string()));
        push("target", target.map(X::new_entity_uid));
        push("scope", f.scope.map(|s| X::new_string(s.into())));
        push("invite_token", f.token.map(|t| X::new_string(t.into())));
        let context = Context::from_pairs(ctx).ok()?;
        let (principal, entity) = match f.user {
            None => (uid("Public", "anonymous"), None),
            Some(u) if f.groups.is_empty() => (user(u), None),
            Some(u) => {
                let mut ps = self.parents.get(&u).cloned().unwrap_or_default();
                ps.extend(f.groups.iter().map(|g| uid("SsoGroup", g)));
                (user(u), Some(Entity::new_no_attrs(user(u), ps)))
            }
        };
        let action = uid("Action", f.action);
        let request =
            Request::new(principal, action, resource, context, Some(&self.schema)).ok()?;
        Some(HierRequest {
            request,
            principal: entity,
        })
    }

    /// The decision over the whole policy set (`sliced`: over the action's slice); a
    /// principal with groups is upserted into a copy of the entities.
    pub fn is_authorized(&self, r: &HierRequest, sliced: bool) -> bool {
        match &r.principal {
            None => self.decide(&r.request, &self.entities, sliced),
            Some(p) => {
                let entities = self
                    .entities
                    .clone()
                    .upsert_entities([p.clone()], Some(&self.schema))
                    .expect("principal conforms");
                self.decide(&r.request, &entities, sliced)
            }
        }
    }

    fn decide(&self, r: &Request, entities: &Entities, sliced: bool) -> bool {
        let policies = self.policies.of(r, sliced);
        self.authorizer
            .is_authorized(r, policies, entities)
            .decision()
            == Decision::Allow
    }

    /// A request given as LabelGate JSON text: `None` when the host refuses it.
    pub fn allows_json(&self, text: &str, sliced: bool) -> Option<bool> {
        let v: Value = serde_json::from_str(text).ok()?;
        let req = self.request(&Form::read(&v)?)?;
        Some(self.is_authorized(&req, sliced))
    }

    /// One action on one project, by a user without groups.
    pub fn project_request(&self, org: u64, user: u64, action: &str, project: u64) -> Request {
        self.request(&Form::project(org, user, action, project))
            .expect("a project request fits the schema")
            .request
    }

    /// The decision on a request whose principal is the stored one.
    pub fn is_authorized_stored(&self, r: &Request, sliced: bool) -> bool {
        self.decide(r, &self.entities, sliced)
    }
}
