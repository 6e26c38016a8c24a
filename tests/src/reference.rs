//! An independent reference model, written straight from SPEC.md §1-3: its own types, its
//! own transcription of the action table, brute-force scans, no indexes, nothing shared
//! with `policy-core`. It assumes a snapshot the core accepted.

use serde::Deserialize;

#[derive(Deserialize)]
pub struct RSnapshot {
    #[serde(default = "enterprise")]
    pub edition: String,
    pub organizations: Vec<ROrg>,
    #[serde(default)]
    pub users: Vec<RUser>,
}

fn enterprise() -> String {
    "enterprise".into()
}

#[derive(Deserialize)]
pub struct RUser {
    pub id: u64,
}

#[derive(Deserialize)]
pub struct ROrg {
    pub id: u64,
    pub owner: u64,
    #[serde(default)]
    pub settings: Option<ROrgSettings>,
    #[serde(default)]
    pub invite_tokens: Vec<String>,
    #[serde(default)]
    pub members: Vec<RMember>,
    #[serde(default)]
    pub group_mappings: Vec<RMapping>,
    #[serde(default)]
    pub workspaces: Vec<RWorkspace>,
    #[serde(default)]
    pub projects: Vec<RProject>,
}

#[derive(Deserialize)]
pub struct ROrgSettings {
    #[serde(default)]
    pub disable_signup_without_link: bool,
}

#[derive(Deserialize)]
pub struct RMember {
    pub user: u64,
    #[serde(default)]
    pub role: Option<String>,
    pub status: String,
}

#[derive(Deserialize)]
pub struct RMapping {
    pub group: String,
    pub role: String,
    #[serde(default)]
    pub project: Option<u64>,
}

#[derive(Deserialize)]
pub struct RWorkspace {
    pub id: u64,
    #[serde(default)]
    pub members: Vec<u64>,
    #[serde(default)]
    pub sandbox_of: Option<u64>,
}

#[derive(Deserialize)]
pub struct RProject {
    pub id: u64,
    pub workspace: u64,
    pub created_by: u64,
    #[serde(default)]
    pub members: Vec<u64>,
    #[serde(default)]
    pub settings: Option<RProjectSettings>,
    #[serde(default)]
    pub assignments: Vec<RAssignment>,
}

#[derive(Deserialize)]
pub struct RProjectSettings {
    #[serde(default)]
    pub annotators_can_view_own_data: bool,
}

#[derive(Deserialize)]
pub struct RAssignment {
    pub user: u64,
}

/// A request as the reference reads it (only well-formed JSON requests are given to it).
#[derive(Deserialize, Clone, Debug)]
pub struct RRequest {
    pub principal: RPrincipal,
    pub org: u64,
    pub action: String,
    #[serde(default)]
    pub resource: RResource,
}

#[derive(Deserialize, Clone, Debug, Default)]
pub struct RPrincipal {
    #[serde(default)]
    pub user: Option<u64>,
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Deserialize, Clone, Debug, Default)]
pub struct RResource {
    pub workspace: Option<u64>,
    pub project: Option<u64>,
    pub subject: Option<u64>,
    pub member: Option<u64>,
    pub role: Option<String>,
    pub target_workspace: Option<u64>,
    pub copy: Option<String>,
    pub scope: Option<String>,
    pub invite_token: Option<String>,
}

/// SPEC §3's table as written there: annotator, reviewer, manager, administrator, owner.
/// "R" within reach, "scoped", "own", "own, if setting", "" never.
pub const TABLE: &[(&str, [&str; 5])] = &[
    ("org.view_members", ["", "", "R", "R", "R"]),
    ("org.change_role", ["", "", "", "R", "R"]),
    ("org.invite", ["", "", "", "R", "R"]),
    ("org.remove_member", ["", "", "", "R", "R"]),
    ("org.view_activity_log", ["", "", "", "R", "R"]),
    ("org.view_billing", ["", "", "", "", "R"]),
    ("org.view_owner_account", ["", "", "", "", "R"]),
    ("org.create_workspace", ["", "", "R", "R", "R"]),
    ("org.save_template", ["", "", "R", "R", "R"]),
    ("org.api_access", ["R", "R", "R", "R", "R"]),
    ("org.view_annotator_dashboard", ["R", "", "", "", ""]),
    ("workspace.view", ["", "", "R (names)", "R", "R"]),
    ("workspace.update", ["", "", "scoped", "R", "R"]),
    ("workspace.manage_members", ["", "", "scoped", "R", "R"]),
    ("workspace.delete", ["", "", "scoped", "R", "R"]),
    ("workspace.create_project", ["", "", "scoped", "R", "R"]),
    ("project.view", ["R", "R", "scoped", "R", "R"]),
    ("project.label", ["R", "R", "scoped", "R", "R"]),
    ("project.update", ["", "", "scoped", "R", "R"]),
    ("project.delete", ["", "", "scoped", "R", "R"]),
    ("project.duplicate", ["", "", "scoped", "R", "R"]),
    ("project.import", ["", "", "scoped", "R", "R"]),
    ("project.export", ["", "", "scoped", "R", "R"]),
    ("project.assign_reviewers", ["", "", "scoped", "R", "R"]),
    ("project.pin", ["", "R", "scoped", "R", "R"]),
    ("project.unpin", ["", "R", "scoped", "R", "R"]),
    ("project.review", ["", "R", "scoped", "R", "R"]),
    ("project.assign_annotators", ["", "R", "scoped", "R", "R"]),
    ("project.monitor_agreement", ["", "R", "scoped", "R", "R"]),
    ("project.verify_annotations", ["", "R", "scoped", "R", "R"]),
    (
        "project.view_data",
        ["own, if setting", "R", "scoped", "R", "R"],
    ),
    ("project.view_performance", ["own", "R", "scoped", "R", "R"]),
    ("annotation.update", ["own", "R", "scoped", "R", "R"]),
];

/// The analytics scope of each role (SPEC §3, last row).
pub const ANALYTICS: [&str; 5] = [
    "own",
    "project",
    "workspace",
    "organization",
    "organization",
];

pub const ROLES: [&str; 5] = ["annotator", "reviewer", "manager", "administrator", "owner"];

fn rank(role: &str) -> usize {
    ROLES.iter().position(|r| *r == role).unwrap_or(0)
}

fn scope_rank(scope: &str) -> Option<usize> {
    ["own", "project", "workspace", "organization"]
        .iter()
        .position(|s| *s == scope)
}

/// What kind of resource an action takes, from its name.
fn kind(action: &str) -> Option<&'static str> {
    if action == "org.signup" {
        return Some("org");
    }
    if action == "analytics.view" {
        return Some("any");
    }
    let known = TABLE.iter().any(|(a, _)| *a == action);
    if !known {
        return None;
    }
    Some(if action.starts_with("org.") {
        "org"
    } else if action.starts_with("workspace.") {
        "workspace"
    } else {
        "project"
    })
}

fn cell(action: &str, role: &str) -> &'static str {
    TABLE
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, cells)| cells[rank(role)])
        .unwrap_or("")
}

type Out = (bool, &'static str);
const ALLOWED: Out = (true, "allowed");

fn no(reason: &'static str) -> Out {
    (false, reason)
}

pub struct Reference {
    pub snap: RSnapshot,
}

impl Reference {
    pub fn from_json(text: &str) -> Reference {
        Reference {
            snap: serde_json::from_str(text).expect("reference reads a valid snapshot"),
        }
    }

    pub fn decide(&self, r: &RRequest) -> Out {
        let Some(kind) = kind(&r.action) else {
            return no("unknown_action");
        };
        let res = &r.resource;
        if res.workspace.is_some() && res.project.is_some() {
            return no("invalid_request");
        }
        let level = if res.project.is_some() {
            "project"
        } else if res.workspace.is_some() {
            "workspace"
        } else {
            "org"
        };
        if kind == "any" {
            let scope = res.scope.clone().unwrap_or_else(|| {
                match level {
                    "org" => "organization",
                    "workspace" => "workspace",
                    _ => "project",
                }
                .to_string()
            });
            let ok = matches!(
                (scope.as_str(), level),
                ("organization", "org")
                    | ("workspace", "workspace")
                    | ("project", "project")
                    | ("own", "org")
                    | ("own", "project")
            );
            if !ok {
                return no("invalid_request");
            }
        } else if kind != level {
            return no("invalid_request");
        }
        if r.action == "org.change_role" && res.role.is_some() && res.member.is_none() {
            return no("invalid_request");
        }
        let Some(org) = self.snap.organizations.iter().find(|o| o.id == r.org) else {
            return no("unknown_resource");
        };
        if r.action == "org.signup" {
            let gated = org
                .settings
                .as_ref()
                .is_some_and(|s| s.disable_signup_without_link);
            let token = res
                .invite_token
                .as_ref()
                .is_some_and(|t| org.invite_tokens.contains(t));
            return if gated && !token {
                no("setting_disabled")
            } else {
                ALLOWED
            };
        }
        // The principal.
        let Some(user) = r.principal.user else {
            return no("unknown_principal");
        };
        let groups = &r.principal.groups;
        let mut mapped: Option<usize> = None;
        for m in &org.group_mappings {
            if m.project.is_none() && groups.contains(&m.group) {
                mapped = Some(mapped.map_or(rank(&m.role), |x| x.max(rank(&m.role))));
            }
        }
        let mut role_rank = match org.members.iter().find(|m| m.user == user) {
            Some(m) if m.status == "deactivated" => return no("deactivated"),
            Some(m) if m.status == "not_activated" => return no("not_activated"),
            Some(m) => rank(m.role.as_deref().unwrap_or("annotator")).max(mapped.unwrap_or(0)),
            None => match mapped {
                Some(x) => x,
                None => {
                    let known = self
                        .snap
                        .organizations
                        .iter()
                        .any(|o| o.members.iter().any(|m| m.user == user))
                        || self.snap.users.iter().any(|u| u.id == user);
                    return no(if known {
                        "not_member"
                    } else {
                        "unknown_principal"
                    });
                }
            },
        };
        // The resource.
        let workspace = match res.workspace {
            Some(w) => match org.workspaces.iter().find(|x| x.id == w) {
                Some(x) => Some(x),
                None => return no("unknown_resource"),
            },
            None => None,
        };
        let project = match res.project {
            Some(p) => match org.projects.iter().find(|x| x.id == p) {
                Some(x) => Some(x),
                None => return no("unknown_resource"),
            },
            None => None,
        };
        let mut project_mapped = false;
        if let Some(p) = project {
            for m in &org.group_mappings {
                if m.project == Some(p.id) && groups.contains(&m.group) {
                    project_mapped = true;
                    role_rank = role_rank.max(rank(&m.role));
                }
            }
        }
        let role = ROLES[role_rank];
        let ws_of_project =
            project.and_then(|p| org.workspaces.iter().find(|w| w.id == p.workspace));
        let the_ws = workspace.or(ws_of_project);
        let is_ws_member = |w: &RWorkspace| w.sandbox_of == Some(user) || w.members.contains(&user);
        let scoped_project = |p: &RProject| {
            project_mapped
                || p.created_by == user
                || ws_of_project.is_some_and(&is_ws_member)
                || p.members.contains(&user)
        };
        let reach_project = |p: &RProject| match role {
            "owner" | "administrator" => true,
            "manager" => scoped_project(p),
            _ => {
                project_mapped
                    || ws_of_project.is_some_and(&is_ws_member)
                    || p.members.contains(&user)
                    || p.assignments.iter().any(|a| a.user == user)
            }
        };
        let foreign_sandbox = the_ws.is_some_and(|w| w.sandbox_of.is_some_and(|o| o != user));

        if r.action == "analytics.view" {
            let asked = res.scope.clone().unwrap_or_else(|| {
                match level {
                    "org" => "organization",
                    "workspace" => "workspace",
                    _ => "project",
                }
                .to_string()
            });
            if scope_rank(&asked) > scope_rank(ANALYTICS[role_rank]) {
                return no("role_lacks_permission");
            }
            if foreign_sandbox {
                return no("sandbox_private");
            }
            let reached = match (workspace, project) {
                (Some(w), _) => role_rank >= 3 || is_ws_member(w),
                (_, Some(p)) => reach_project(p),
                _ => true,
            };
            if !reached {
                return no("out_of_scope");
            }
            if asked == "own" && res.subject.is_some_and(|s| s != user) {
                return no("out_of_scope");
            }
            return ALLOWED;
        }

        // Resources named by particular actions.
        let member = if r.action == "org.change_role" || r.action == "org.remove_member" {
            res.member
        } else {
            None
        };
        if let Some(m) = member
            && !org.members.iter().any(|x| x.user == m)
        {
            return no("unknown_resource");
        }
        let mut target: Option<&RWorkspace> = None;
        if r.action == "project.duplicate" {
            let p = project.expect("shape checked");
            let t = res.target_workspace.unwrap_or(p.workspace);
            match org.workspaces.iter().find(|w| w.id == t) {
                Some(w) => target = Some(w),
                None => return no("unknown_resource"),
            }
        }
        let c = cell(&r.action, role);
        if c.is_empty() {
            return no("role_lacks_permission");
        }
        if foreign_sandbox {
            return no("sandbox_private");
        }
        let reached = match (workspace, project) {
            (Some(w), _) => match c {
                "scoped" => is_ws_member(w),
                _ => role_rank >= 2,
            },
            (_, Some(p)) => match c {
                "scoped" => scoped_project(p),
                _ => reach_project(p),
            },
            _ => true,
        };
        if !reached {
            return no("out_of_scope");
        }
        if c == "own, if setting"
            && !project
                .and_then(|p| p.settings.as_ref())
                .is_some_and(|s| s.annotators_can_view_own_data)
        {
            return no("setting_disabled");
        }
        if c.starts_with("own") && res.subject != Some(user) {
            return no("out_of_scope");
        }
        match r.action.as_str() {
            "org.change_role" => {
                if let Some(m) = member {
                    if res.role.as_deref() == Some("owner")
                        || m == org.owner
                        || (m == user && role == "administrator")
                    {
                        return no("owner_protected");
                    }
                    let assigned = res.role.as_deref().unwrap_or("");
                    if self.snap.edition == "teams"
                        && ["annotator", "reviewer", "administrator"].contains(&assigned)
                    {
                        return no("edition_restricted");
                    }
                }
            }
            "org.remove_member" if member == Some(org.owner) => return no("owner_protected"),
            "org.view_owner_account" if role != "owner" => return no("owner_protected"),
            "workspace.delete" | "workspace.manage_members" => {
                let w = workspace.expect("shape checked");
                if w.sandbox_of.is_some() {
                    return no("sandbox_private");
                }
                if r.action == "workspace.delete"
                    && org.projects.iter().any(|p| p.workspace == w.id)
                {
                    return no("workspace_not_empty");
                }
            }
            "project.duplicate" => {
                let t = target.expect("looked up above");
                let mut sub = r.clone();
                sub.action = "workspace.create_project".into();
                sub.resource = RResource {
                    workspace: Some(t.id),
                    ..RResource::default()
                };
                let out = self.decide(&sub);
                if !out.0 {
                    return out;
                }
                if res.copy.as_deref() == Some("all") {
                    let mut sub = r.clone();
                    sub.action = "project.export".into();
                    let out = self.decide(&sub);
                    if !out.0 {
                        return out;
                    }
                }
            }
            _ => {}
        }
        ALLOWED
    }
}
