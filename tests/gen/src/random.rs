//! Seeded random snapshots and requests for differential testing. Deterministic: the same
//! seed gives the same JSON on every machine and in every host.

use serde_json::{Value, json};

/// SplitMix64: small, fast, and the same everywhere.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A random subset of `items`, each kept with probability `percent`/100.
    pub fn subset<T: Clone>(&mut self, items: &[T], percent: u64) -> Vec<T> {
        items
            .iter()
            .filter(|_| self.chance(percent))
            .cloned()
            .collect()
    }
}

pub const ROLES: [&str; 5] = ["annotator", "reviewer", "manager", "administrator", "owner"];
pub const GROUPS: [&str; 4] = ["g-red", "g-green", "g-blue", "g-gold"];
const USER_POOL: u64 = 30;

/// A random snapshot the core must accept: 1 to 3 organizations sharing a pool of users.
pub fn snapshot(rng: &mut Rng) -> Value {
    let teams = rng.chance(20);
    let roles: &[&str] = if teams { &["manager"] } else { &ROLES[..4] };
    let mut next_ws = 100;
    let mut next_project = 1000;
    let mut orgs = Vec::new();
    for org_id in 1..=(1 + rng.below(3)) {
        let owner = 1 + rng.below(USER_POOL);
        let mut member_ids = vec![owner];
        for _ in 0..(2 + rng.below(10)) {
            let u = 1 + rng.below(USER_POOL);
            if !member_ids.contains(&u) {
                member_ids.push(u);
            }
        }
        let members: Vec<Value> = member_ids
            .iter()
            .map(|&u| {
                if u == owner {
                    return json!({"user": u, "role": "owner", "status": "active"});
                }
                let role = *rng.pick(roles);
                match rng.below(10) {
                    0 => json!({"user": u, "status": "not_activated"}),
                    1 => json!({"user": u, "role": role, "status": "deactivated"}),
                    _ => json!({"user": u, "role": role, "status": "active"}),
                }
            })
            .collect();
        let mut workspaces = Vec::new();
        let mut ws_ids = Vec::new();
        for _ in 0..(1 + rng.below(4)) {
            next_ws += 1;
            ws_ids.push(next_ws);
            workspaces.push(json!({"id": next_ws, "members": rng.subset(&member_ids, 30)}));
        }
        let mut sandboxed = Vec::new();
        for _ in 0..rng.below(3) {
            let u = *rng.pick(&member_ids);
            if sandboxed.contains(&u) {
                continue;
            }
            sandboxed.push(u);
            next_ws += 1;
            ws_ids.push(next_ws);
            workspaces.push(json!({"id": next_ws, "members": [], "sandbox_of": u}));
        }
        let mut projects = Vec::new();
        let mut project_ids = Vec::new();
        for _ in 0..rng.below(8) {
            next_project += 1;
            project_ids.push(next_project);
            let created_by = if rng.chance(10) {
                99
            } else {
                *rng.pick(&member_ids)
            };
            let assignments: Vec<Value> = rng
                .subset(&member_ids, 25)
                .into_iter()
                .flat_map(|u| match rng.below(3) {
                    0 => vec![json!({"user": u, "kind": "annotate"})],
                    1 => vec![json!({"user": u, "kind": "review"})],
                    _ => vec![
                        json!({"user": u, "kind": "annotate"}),
                        json!({"user": u, "kind": "review"}),
                    ],
                })
                .collect();
            projects.push(json!({
                "id": next_project,
                "workspace": *rng.pick(&ws_ids),
                "created_by": created_by,
                "members": rng.subset(&member_ids, 20),
                "settings": {"annotators_can_view_own_data": rng.chance(50)},
                "assignments": assignments,
            }));
        }
        let mut mappings = Vec::new();
        let mut mapped_groups = Vec::new();
        for _ in 0..rng.below(3) {
            let g = *rng.pick(&GROUPS);
            if !mapped_groups.contains(&g) {
                mapped_groups.push(g);
                mappings.push(json!({"group": g, "role": *rng.pick(roles)}));
            }
        }
        let mut project_mapped = Vec::new();
        for _ in 0..rng.below(3) {
            if project_ids.is_empty() {
                break;
            }
            let g = *rng.pick(&GROUPS);
            let p = *rng.pick(&project_ids);
            if !project_mapped.contains(&(g, p)) {
                project_mapped.push((g, p));
                let role = if teams {
                    "manager"
                } else {
                    *rng.pick(&ROLES[..3])
                };
                mappings.push(json!({"group": g, "project": p, "role": role}));
            }
        }
        orgs.push(json!({
            "id": org_id,
            "owner": owner,
            "settings": {"disable_signup_without_link": rng.chance(50)},
            "invite_tokens": if rng.chance(50) { json!(["tok-a"]) } else { json!([]) },
            "members": members,
            "group_mappings": mappings,
            "workspaces": workspaces,
            "projects": projects,
        }));
    }
    let users: Vec<Value> = (31..=33).map(|u| json!({"id": u})).collect();
    json!({"edition": if teams { "teams" } else { "enterprise" }, "organizations": orgs, "users": users})
}

/// The ids a snapshot uses, to aim random requests at things that exist (mostly).
pub struct Ids {
    pub orgs: Vec<u64>,
    /// The members of each organization, in the order of `orgs`.
    pub members: Vec<Vec<u64>>,
    pub workspaces: Vec<u64>,
    pub projects: Vec<u64>,
}

pub fn ids(snapshot: &Value) -> Ids {
    let mut ids = Ids {
        orgs: vec![],
        members: vec![],
        workspaces: vec![],
        projects: vec![],
    };
    for o in snapshot["organizations"].as_array().into_iter().flatten() {
        ids.orgs.push(o["id"].as_u64().unwrap_or(0));
        let members = o["members"].as_array().into_iter().flatten();
        ids.members
            .push(members.filter_map(|m| m["user"].as_u64()).collect());
        for w in o["workspaces"].as_array().into_iter().flatten() {
            ids.workspaces.push(w["id"].as_u64().unwrap_or(0));
        }
        for p in o["projects"].as_array().into_iter().flatten() {
            ids.projects.push(p["id"].as_u64().unwrap_or(0));
        }
    }
    ids
}

/// Every action name of the contract, and one that is not.
pub const ACTIONS: [&str; 36] = [
    "org.view_members",
    "org.change_role",
    "org.invite",
    "org.remove_member",
    "org.view_activity_log",
    "org.view_billing",
    "org.view_owner_account",
    "org.create_workspace",
    "org.save_template",
    "org.api_access",
    "org.view_annotator_dashboard",
    "org.signup",
    "workspace.view",
    "workspace.update",
    "workspace.manage_members",
    "workspace.delete",
    "workspace.create_project",
    "project.view",
    "project.label",
    "project.update",
    "project.delete",
    "project.duplicate",
    "project.import",
    "project.export",
    "project.assign_reviewers",
    "project.pin",
    "project.unpin",
    "project.review",
    "project.assign_annotators",
    "project.monitor_agreement",
    "project.verify_annotations",
    "project.view_data",
    "project.view_performance",
    "annotation.update",
    "analytics.view",
    "project.launch_missiles",
];

/// A random principal: mostly one of `members`, sometimes any pool user, an unknown user or
/// nobody, with random groups.
pub fn principal(rng: &mut Rng, members: &[u64]) -> Value {
    let groups = rng.subset(&GROUPS, 15);
    match rng.below(40) {
        0 => json!({"groups": groups}),
        1 => json!({"user": 500 + rng.below(3), "groups": groups}),
        2..=9 => json!({"user": 1 + rng.below(USER_POOL + 3), "groups": groups}),
        _ if members.is_empty() => json!({"user": 1 + rng.below(USER_POOL + 3), "groups": groups}),
        _ => json!({"user": *rng.pick(members), "groups": groups}),
    }
}

/// A random resource for `action`: mostly of the right shape, sometimes not.
pub fn resource(
    rng: &mut Rng,
    ids: &Ids,
    members: &[u64],
    action: &str,
    user: Option<u64>,
) -> Value {
    let mut r = serde_json::Map::new();
    let pick_ws = |rng: &mut Rng| {
        if ids.workspaces.is_empty() || rng.chance(5) {
            7777
        } else {
            *rng.pick(&ids.workspaces)
        }
    };
    let pick_p = |rng: &mut Rng| {
        if ids.projects.is_empty() || rng.chance(5) {
            8888
        } else {
            *rng.pick(&ids.projects)
        }
    };
    let level = if rng.chance(8) {
        rng.below(4)
    } else if action.starts_with("project.") || action == "annotation.update" {
        2
    } else if action.starts_with("workspace.") {
        1
    } else if action == "analytics.view" {
        rng.below(3)
    } else {
        0
    };
    match level {
        1 => {
            r.insert("workspace".into(), json!(pick_ws(rng)));
        }
        2 => {
            r.insert("project".into(), json!(pick_p(rng)));
        }
        3 => {
            r.insert("workspace".into(), json!(pick_ws(rng)));
            r.insert("project".into(), json!(pick_p(rng)));
        }
        _ => {}
    }
    if rng.chance(50) {
        let s = match (user, rng.below(3)) {
            (Some(u), 0 | 1) => u,
            _ => 1 + rng.below(USER_POOL),
        };
        r.insert("subject".into(), json!(s));
    }
    if action == "org.change_role" || action == "org.remove_member" || rng.chance(3) {
        if rng.chance(85) {
            let m = match (user, rng.below(6)) {
                (Some(u), 0) => u,
                (_, 1) => 1 + rng.below(USER_POOL + 2),
                _ if members.is_empty() => 1 + rng.below(USER_POOL + 2),
                _ => *rng.pick(members),
            };
            r.insert("member".into(), json!(m));
        }
        if rng.chance(70) {
            let all = [
                "annotator",
                "reviewer",
                "manager",
                "administrator",
                "owner",
                "deactivated",
                "not_activated",
            ];
            r.insert("role".into(), json!(*rng.pick(&all)));
        }
    }
    if action == "project.duplicate" || rng.chance(3) {
        if rng.chance(60) {
            r.insert("target_workspace".into(), json!(pick_ws(rng)));
        }
        if rng.chance(60) {
            r.insert(
                "copy".into(),
                json!(*rng.pick(&["settings", "settings_data", "all"])),
            );
        }
    }
    if (action == "analytics.view" || rng.chance(3)) && rng.chance(70) {
        r.insert(
            "scope".into(),
            json!(*rng.pick(&["own", "project", "workspace", "organization"])),
        );
    }
    if (action == "org.signup" || rng.chance(3)) && rng.chance(60) {
        r.insert("invite_token".into(), json!(*rng.pick(&["tok-a", "tok-b"])));
    }
    Value::Object(r)
}

/// A random request against a snapshot with these ids.
pub fn request(rng: &mut Rng, ids: &Ids) -> Value {
    let i = rng.below(ids.orgs.len() as u64) as usize;
    let members = ids.members.get(i).cloned().unwrap_or_default();
    let org = if rng.chance(5) {
        9
    } else {
        ids.orgs.get(i).copied().unwrap_or(9)
    };
    let principal = principal(rng, &members);
    let user = principal["user"].as_u64();
    let action = *rng.pick(&ACTIONS);
    let resource = resource(rng, ids, &members, action, user);
    json!({"principal": principal, "org": org, "action": action, "resource": resource})
}
