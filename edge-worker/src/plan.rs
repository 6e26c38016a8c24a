//! From a matched row, the query and the body to what the core must decide: the action,
//! the resource, and where its project comes from (an id, or objects the origin describes).

use std::fmt;

use policy_core::{Action, CopyMode, Kind, Resource, RoleChange, Scope};

use crate::body::{BodyError, JsonBody};
use crate::path::{Query, parse_id};
use crate::routes::{How, ListKind, Matched};

/// Where a project id comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Named directly (path, query or body).
    Id(u64),
    /// The project of the object the origin describes at this path.
    Object(String),
}

/// What to decide.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The action (`org.api_access` for a list).
    pub action: Action,
    /// Set for a list that is to be filtered to the member's reach.
    pub list: Option<ListKind>,
    /// The resource, without its project (see `projects`).
    pub resource: Resource,
    /// Every source of the project: all must name the same one. Empty: no project.
    pub projects: Vec<Source>,
    /// The subject is the author (`completed_by`) of the looked-up object.
    pub subject_from_object: bool,
    /// The subject is the member: they ask for their own data.
    pub subject_self: bool,
    /// The workspace is the member's sandbox (a project created without one).
    pub default_sandbox: bool,
}

/// Why a request cannot be planned: it is malformed (HTTP 400, reason `invalid_request`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid(pub String);

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<BodyError> for Invalid {
    fn from(e: BodyError) -> Invalid {
        Invalid(e.to_string())
    }
}

fn is_write(method: &str) -> bool {
    matches!(method, "POST" | "PATCH" | "PUT")
}

/// Whether deciding `m` reads the body.
pub fn needs_body(m: &Matched, method: &str) -> bool {
    match m.row.how {
        How::Public | How::Signup | How::List(_) => false,
        How::Act(action) => {
            action.kind() == Kind::Project
                && m.params.project.is_none()
                && m.params.object.is_none()
                && is_write(method)
        }
        How::ProjectPatch
        | How::Assignees
        | How::Duplicate
        | How::Membership
        | How::ProjectRoles
        | How::CreateProject
        | How::RefreshToken => true,
    }
}

/// Label Studio's role codes (`OW`, `AD`, `MA`, `RE`, `AN`, `NO`, `DI`) or the contract's
/// role names.
pub fn role_change(code: &str) -> Option<RoleChange> {
    Some(match code {
        "OW" => RoleChange::Owner,
        "AD" => RoleChange::Administrator,
        "MA" => RoleChange::Manager,
        "RE" => RoleChange::Reviewer,
        "AN" => RoleChange::Annotator,
        "NO" => RoleChange::NotActivated,
        "DI" => RoleChange::Deactivated,
        name => return RoleChange::ALL.into_iter().find(|r| r.name() == name),
    })
}

fn copy_mode(mode: &str) -> Option<CopyMode> {
    match mode {
        "settings" => Some(CopyMode::Settings),
        "settings,data" | "settings_data" => Some(CopyMode::SettingsData),
        "all" | "settings,data,annotations" => Some(CopyMode::All),
        _ => None,
    }
}

fn query_id(query: &Query, name: &'static str) -> Result<Option<u64>, Invalid> {
    match query.get(name) {
        None => Ok(None),
        Some(v) => parse_id(v)
            .map(Some)
            .ok_or_else(|| Invalid(format!("the query's `{name}` must be an integer id"))),
    }
}

/// The project sources of a project action whose path names none: the query's `project`,
/// the body's `project`, `task` or `annotation`.
fn loose_sources(query: &Query, body: &JsonBody) -> Result<Vec<Source>, Invalid> {
    let mut out = Vec::new();
    if let Some(p) = query_id(query, "project")? {
        out.push(Source::Id(p));
    }
    if let Some(p) = body.id("project")? {
        out.push(Source::Id(p));
    }
    if let Some(t) = body.id("task")? {
        out.push(Source::Object(format!("/api/tasks/{t}/")));
    }
    if let Some(a) = body.id("annotation")? {
        out.push(Source::Object(format!("/api/annotations/{a}/")));
    }
    Ok(out)
}

fn plan_of(action: Action) -> Plan {
    Plan {
        action,
        list: None,
        resource: Resource::default(),
        projects: Vec::new(),
        subject_from_object: false,
        subject_self: false,
        default_sandbox: false,
    }
}

/// What `m` asks, with the query and the body (empty unless [`needs_body`]).
pub fn plan(m: &Matched, method: &str, query: &Query, body: &JsonBody) -> Result<Plan, Invalid> {
    let p = &m.params;
    match m.row.how {
        How::Public | How::RefreshToken => Ok(plan_of(Action::OrgApiAccess)),
        How::Signup => Ok(plan_of(Action::OrgSignup)),
        How::List(kind) => Ok(Plan {
            list: Some(kind),
            ..plan_of(Action::OrgApiAccess)
        }),
        How::Act(action) => act(action, m, method, query, body),
        How::ProjectPatch => {
            let only_pin = body.keys().eq(["pinned_at"]);
            let action = match (only_pin, body.is_null("pinned_at")) {
                (true, true) => Action::ProjectUnpin,
                (true, false) => Action::ProjectPin,
                (false, _) => Action::ProjectUpdate,
            };
            act(action, m, method, query, body)
        }
        How::Assignees => {
            let action = match body.str("type")? {
                Some("AN") => Action::ProjectAssignAnnotators,
                Some("RE") => Action::ProjectAssignReviewers,
                _ => return Err(Invalid("the body's `type` must be `AN` or `RE`".into())),
            };
            act(action, m, method, query, body)
        }
        How::Duplicate => {
            let mut plan = act(Action::ProjectDuplicate, m, method, query, body)?;
            plan.resource.target_workspace = body.id("workspace")?;
            plan.resource.copy = match body.str("mode")? {
                None => None,
                Some(mode) => Some(copy_mode(mode).ok_or_else(|| {
                    Invalid(format!(
                        "the body's `mode` `{mode}` is not a duplicate mode"
                    ))
                })?),
            };
            Ok(plan)
        }
        How::Membership | How::ProjectRoles => {
            let field = if m.row.how == How::Membership {
                "user_id"
            } else {
                "user"
            };
            let member = body
                .id(field)?
                .ok_or_else(|| Invalid(format!("the body names no `{field}`")))?;
            let role =
                match body.str("role")? {
                    None => None,
                    Some(code) => Some(role_change(code).ok_or_else(|| {
                        Invalid(format!("the body's `role` `{code}` is not a role"))
                    })?),
                };
            let mut plan = plan_of(Action::OrgChangeRole);
            plan.resource.member = Some(member);
            plan.resource.role = role;
            Ok(plan)
        }
        How::CreateProject => {
            let mut plan = plan_of(Action::WorkspaceCreateProject);
            plan.resource.workspace = body.id("workspace")?;
            plan.default_sandbox = plan.resource.workspace.is_none();
            Ok(plan)
        }
    }
    .map(|mut plan| {
        if let Some(s) = p.subject {
            plan.resource.subject = Some(s);
        }
        plan
    })
}

fn act(
    action: Action,
    m: &Matched,
    method: &str,
    query: &Query,
    body: &JsonBody,
) -> Result<Plan, Invalid> {
    let p = &m.params;
    let mut plan = plan_of(action);
    match action.kind() {
        Kind::Organization => {
            if matches!(action, Action::OrgChangeRole | Action::OrgRemoveMember) {
                plan.resource.member = p.member;
            }
        }
        Kind::Workspace => plan.resource.workspace = p.workspace,
        Kind::Project => {
            if let Some(id) = p.project {
                plan.projects.push(Source::Id(id));
            } else if let Some(path) = &p.object {
                plan.projects.push(Source::Object(path.clone()));
            } else {
                let empty = JsonBody::default();
                let body = if is_write(method) { body } else { &empty };
                plan.projects = loose_sources(query, body)?;
                if plan.projects.is_empty() {
                    return Err(Invalid(format!(
                        "`{action}` needs a project: none in the path, the query or the body"
                    )));
                }
            }
            plan.subject_from_object = action == Action::AnnotationUpdate;
            plan.subject_self = action == Action::ProjectViewData;
        }
        Kind::Scoped => {
            if let Some(id) = p.project.or(query_id(query, "project")?) {
                plan.projects.push(Source::Id(id));
            } else {
                plan.resource.workspace = query_id(query, "workspace")?;
            }
            plan.resource.scope =
                match query.get("scope") {
                    None => None,
                    Some(s) => Some(Scope::ALL.into_iter().find(|x| x.name() == s).ok_or_else(
                        || Invalid(format!("the query's `scope` `{s}` is not a scope")),
                    )?),
                };
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path::canonical_segments;
    use crate::routes::{TABLE, find};

    fn plan_for(method: &str, path: &str, body: &str) -> Result<Plan, Invalid> {
        let (path, q) = path.split_once('?').unwrap_or((path, ""));
        let segs = canonical_segments(path).unwrap();
        let m = find(TABLE, method, &segs).unwrap();
        let body = JsonBody::parse(body.as_bytes()).unwrap();
        plan(&m, method, &Query::parse(q).unwrap(), &body)
    }

    #[test]
    fn pin_unpin_update() {
        let p = plan_for(
            "PATCH",
            "/api/projects/1000/",
            r#"{"pinned_at": "2024-01-01"}"#,
        );
        assert_eq!(p.unwrap().action, Action::ProjectPin);
        let p = plan_for("PUT", "/api/projects/1000/", r#"{"pinned_at": null}"#);
        assert_eq!(p.unwrap().action, Action::ProjectUnpin);
        let p = plan_for(
            "PATCH",
            "/api/projects/1000/",
            r#"{"pinned_at": null, "title": "x"}"#,
        );
        assert_eq!(p.unwrap().action, Action::ProjectUpdate);
        let p = plan_for("PATCH", "/api/projects/1000/", "");
        assert_eq!(p.unwrap().action, Action::ProjectUpdate);
    }

    #[test]
    fn body_fields_name_the_resource() {
        let p = plan_for(
            "POST",
            "/api/projects/1/tasks/assignees",
            r#"{"type":"RE"}"#,
        )
        .unwrap();
        assert_eq!(p.action, Action::ProjectAssignReviewers);
        assert!(
            plan_for(
                "POST",
                "/api/projects/1/tasks/assignees",
                r#"{"type":"XX"}"#
            )
            .is_err()
        );
        let p = plan_for(
            "POST",
            "/api/organizations/0/memberships",
            r#"{"user_id":14,"role":"OW"}"#,
        )
        .unwrap();
        assert_eq!(p.resource.member, Some(14));
        assert_eq!(p.resource.role, Some(RoleChange::Owner));
        assert!(
            plan_for(
                "POST",
                "/api/organizations/1/memberships",
                r#"{"role":"AN"}"#
            )
            .is_err()
        );
        let p = plan_for(
            "POST",
            "/api/projects/1/duplicate/",
            r#"{"mode":"settings,data","workspace":102}"#,
        )
        .unwrap();
        assert_eq!(p.resource.target_workspace, Some(102));
        assert_eq!(p.resource.copy, Some(CopyMode::SettingsData));
        let p = plan_for("POST", "/api/projects/", "{}").unwrap();
        assert!(p.default_sandbox);
        let p = plan_for(
            "POST",
            "/api/predictions/",
            r#"{"task": 5, "project": 1000}"#,
        )
        .unwrap();
        assert_eq!(
            p.projects,
            vec![Source::Id(1000), Source::Object("/api/tasks/5/".into())]
        );
    }

    #[test]
    fn query_and_objects() {
        let p = plan_for("GET", "/api/tasks/?project=1001", "").unwrap();
        assert_eq!(
            (p.action, p.projects.clone()),
            (Action::ProjectViewData, vec![Source::Id(1001)])
        );
        assert!(p.subject_self);
        assert!(plan_for("GET", "/api/tasks/", "").is_err());
        assert!(plan_for("GET", "/api/tasks/?project=x", "").is_err());
        let p = plan_for("DELETE", "/api/annotations/7/", "").unwrap();
        assert!(p.subject_from_object);
        assert_eq!(
            p.projects,
            vec![Source::Object("/api/annotations/7/".into())]
        );
        let p = plan_for("GET", "/api/analytics/?workspace=100&scope=own", "").unwrap();
        assert_eq!(p.resource.workspace, Some(100));
        assert_eq!(p.resource.scope, Some(Scope::Own));
    }
}
