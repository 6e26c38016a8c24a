//! From a matched row, the query and the body to what the core must decide: the action,
//! the resource, and where its project comes from (an id, or objects the origin describes).
//!
//! Every place Label Studio may read a project from is a source, and all sources must name
//! the same project: the path's `{project}` or object, the query's `project`,
//! `task__project` and `task`, and for a write (`POST`, `PATCH`, `PUT`, `DELETE`) the JSON
//! body's `project`, `task` and `annotation`. A request whose sources disagree is refused,
//! so the project decided on is the one the server acts on.

use std::fmt;

use policy_core::{Action, CopyMode, Kind, Reason, Resource, Scope};

use crate::gate::dm;
use crate::gate::routes::{How, ListKind, Matched};
use crate::http::body::{BodyError, JsonBody};
use crate::http::path::{Query, parse_id};

/// Where a project id comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProjectRef {
    /// Named directly (path, query or body).
    Id(u64),
    /// The project of the object the origin describes at this path.
    Object(String),
    /// Nothing new: the origin must describe an object at this path (it does so only for an
    /// object of the project already named), or the request is refused.
    Exists(String),
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
    pub projects: Vec<ProjectRef>,
    /// The subject is the author (`completed_by`, a draft's `user`) of the looked-up object.
    pub subject_from_object: bool,
    /// The subject is the member: they ask for their own data.
    pub subject_self: bool,
    /// The workspace is the member's sandbox (a project created without one).
    pub default_sandbox: bool,
    /// The organization-level action to decide instead when no project is named (the
    /// sources are empty, or the object belongs to none).
    pub fallback: Option<Action>,
    /// The member's own account only: the path's `{member}` must be the member.
    pub own_account: Option<u64>,
    /// The author the body names (`completed_by`, `user`) of an annotation or draft it
    /// writes: it must be the member.
    pub body_author: Option<u64>,
    /// Another action that allows the request too (a file of the labeling UI: viewing the
    /// project's data, or labeling it).
    pub alternative: Option<Action>,
    /// A read narrowed for a member refused it ([`How::ReadOr`]).
    pub narrow: Option<crate::gate::routes::Narrow>,
}

/// Why a request cannot be planned: malformed (HTTP 400, `invalid_request`), or an
/// action the table does not know (HTTP 403, `unknown_action`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// `invalid_request` or `unknown_action`.
    pub reason: Reason,
    /// What is wrong, for the user.
    pub message: String,
}

impl Invalid {
    fn new(message: impl Into<String>) -> Invalid {
        Invalid {
            reason: Reason::InvalidRequest,
            message: message.into(),
        }
    }

    /// The HTTP status of the refusal.
    pub fn status(&self) -> u16 {
        if self.reason == Reason::InvalidRequest {
            400
        } else {
            403
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<BodyError> for Invalid {
    fn from(e: BodyError) -> Invalid {
        Invalid::new(e.to_string())
    }
}

/// Methods whose JSON body the server may read a project from.
fn has_body(method: &str) -> bool {
    matches!(method, "POST" | "PATCH" | "PUT" | "DELETE")
}

/// Whether deciding `m` reads the body.
pub fn needs_body(m: &Matched, method: &str, query: &Query) -> bool {
    let project_write = |action: Action| {
        action.kind() == Kind::Project && m.params.project.is_none() && has_body(method)
    };
    match m.row.how {
        How::Page(_) | How::File(..) | How::ReadOr(..) | How::Either(..) => false,
        How::Public | How::Signup | How::List(_) | How::DmActions | How::Deny(_) => false,
        // Changing one's own account may switch the active organization.
        How::SelfOnly => matches!(method, "PATCH" | "PUT"),
        // The task `next_task` hands out may be chosen in its body.
        How::DmAction => has_body(method) && query.get("id") == Some(dm::NEXT_TASK),
        How::Act(action) | How::Authored(action) | How::ProjectOr(action, _) => {
            project_write(action)
        }
        How::ProjectPatch
        | How::Assignees
        | How::Duplicate
        | How::Membership
        | How::ProjectRoles
        | How::CreateProject
        | How::RefreshToken
        | How::StorageCheck(_) => true,
    }
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
            .ok_or_else(|| Invalid::new(format!("the query's `{name}` must be an integer id"))),
    }
}

/// The project sources of the query: `project`, `task__project`, `task`, and `view` (Label
/// Studio's task list takes the project of the view it names, whatever `project` says).
fn query_sources(query: &Query, out: &mut Vec<ProjectRef>) -> Result<(), Invalid> {
    for name in ["project", "task__project"] {
        if let Some(p) = query_id(query, name)? {
            out.push(ProjectRef::Id(p));
        }
    }
    if let Some(t) = query_id(query, "task")? {
        out.push(ProjectRef::Object(format!("/api/tasks/{t}/")));
    }
    if let Some(v) = query_id(query, "view")? {
        out.push(ProjectRef::Object(format!("/api/dm/views/{v}/")));
    }
    Ok(())
}

/// The project sources of a body: `project`, `task`, `annotation`.
fn body_sources(body: &JsonBody, out: &mut Vec<ProjectRef>) -> Result<(), Invalid> {
    if let Some(p) = body.id("project")? {
        out.push(ProjectRef::Id(p));
    }
    if let Some(t) = body.id("task")? {
        out.push(ProjectRef::Object(format!("/api/tasks/{t}/")));
    }
    if let Some(a) = body.id("annotation")? {
        out.push(ProjectRef::Object(format!("/api/annotations/{a}/")));
    }
    Ok(())
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
        fallback: None,
        own_account: None,
        body_author: None,
        alternative: None,
        narrow: None,
    }
}

/// What `m` asks, with the query and the body (empty unless [`needs_body`]).
pub fn plan(m: &Matched, method: &str, query: &Query, body: &JsonBody) -> Result<Plan, Invalid> {
    let p = &m.params;
    match m.row.how {
        How::Public | How::RefreshToken => Ok(plan_of(Action::OrgApiAccess)),
        How::Signup => Ok(plan_of(Action::OrgSignup)),
        How::Deny(why) => Err(Invalid {
            reason: Reason::UnknownAction,
            message: format!("this route is never allowed through LabelGate: {why}"),
        }),
        How::List(kind) => Ok(Plan {
            list: Some(kind),
            ..plan_of(Action::OrgApiAccess)
        }),
        How::Act(action) | How::Page(action) => act(action, m, method, query, body),
        How::ReadOr(action, narrow) => {
            let mut plan = act(action, m, method, query, body)?;
            plan.narrow = Some(narrow);
            Ok(plan)
        }
        How::File(action, or) | How::Either(action, or) => {
            let mut plan = act(action, m, method, query, body)?;
            plan.alternative = Some(or);
            Ok(plan)
        }
        How::Authored(action) => {
            let mut plan = act(action, m, method, query, body)?;
            plan.subject_from_object = true;
            plan.subject_self = false;
            Ok(plan)
        }
        How::SelfOnly => Ok(Plan {
            own_account: p.member,
            ..plan_of(Action::OrgApiAccess)
        }),
        How::ProjectOr(action, org_action) => {
            // `?project=null` asks for the organization's own (webhooks without a project).
            if query.get("project") == Some("null") && p.objects.is_empty() {
                return Ok(plan_of(org_action));
            }
            let mut plan = act_or_none(action, m, method, query, body)?;
            plan.fallback = Some(org_action);
            Ok(plan)
        }
        How::DmAction | How::DmActions => {
            let action = if m.row.how == How::DmActions {
                Action::ProjectViewData
            } else {
                let id = p.name.as_deref().or(query.get("id")).ok_or_else(|| {
                    Invalid::new("a data manager action needs its `id` (`?id=<action-id>`)")
                })?;
                dm::action_of(id).ok_or_else(|| Invalid {
                    reason: Reason::UnknownAction,
                    message: format!("`{id}` is not a data manager action LabelGate knows"),
                })?
            };
            // The server reads the project of an action from the query only.
            let project = query_id(query, "project")?
                .ok_or_else(|| Invalid::new("a data manager action needs the query's `project`"))?;
            let chooses = p.name.is_none()
                && query.get("id") == Some(dm::NEXT_TASK)
                && dm::chooses(query, body);
            let action = if chooses {
                Action::ProjectViewData
            } else {
                action
            };
            let mut plan = plan_of(action);
            plan.projects.push(ProjectRef::Id(project));
            plan.subject_self = action == Action::ProjectViewData;
            if m.row.how == How::DmActions {
                // The menu: also for those who label through the Data Manager (it is narrowed
                // to what the member may run).
                plan.alternative = Some(Action::ProjectLabel);
            }
            Ok(plan)
        }
        How::StorageCheck(action) => {
            let kind = p.name.as_deref().unwrap_or_default();
            if !STORAGE_TYPES.contains(&kind) {
                return Err(Invalid::new(format!("`{kind}` is not a storage type")));
            }
            let mut plan = plan_of(action);
            body_sources(body, &mut plan.projects)?;
            if let Some(id) = body.id("id")? {
                let export = if action == Action::ProjectExport {
                    "export/"
                } else {
                    ""
                };
                plan.projects.push(ProjectRef::Object(format!(
                    "/api/storages/{export}{kind}/{id}"
                )));
            }
            needs_project(action, &plan)?;
            Ok(plan)
        }
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
                _ => return Err(Invalid::new("the body's `type` must be `AN` or `RE`")),
            };
            act(action, m, method, query, body)
        }
        How::Duplicate => {
            let mut plan = act(Action::ProjectDuplicate, m, method, query, body)?;
            plan.resource.target_workspace = body.id("workspace")?;
            plan.resource.copy = match body.str("mode")? {
                None => None,
                Some(mode) => Some(copy_mode(mode).ok_or_else(|| {
                    Invalid::new(format!(
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
                .ok_or_else(|| Invalid::new(format!("the body names no `{field}`")))?;
            let role = match body.str("role")? {
                None => None,
                Some(code) => Some(crate::codes::role_change(code).ok_or_else(|| {
                    Invalid::new(format!("the body's `role` `{code}` is not a role"))
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

/// The storage types of Label Studio's `/api/storages/<type>/` routes.
const STORAGE_TYPES: [&str; 5] = ["s3", "gcs", "azure", "redis", "localfiles"];

fn needs_project(action: Action, plan: &Plan) -> Result<(), Invalid> {
    if plan.projects.is_empty() {
        return Err(Invalid::new(format!(
            "`{action}` needs a project: none in the path, the query or the body"
        )));
    }
    Ok(())
}

fn act(
    action: Action,
    m: &Matched,
    method: &str,
    query: &Query,
    body: &JsonBody,
) -> Result<Plan, Invalid> {
    let plan = act_or_none(action, m, method, query, body)?;
    if action.kind() == Kind::Project {
        needs_project(action, &plan)?;
    }
    Ok(plan)
}

/// Like [`act`], with no project source allowed (for [`How::ProjectOr`]).
fn act_or_none(
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
            plan.projects
                .extend(p.objects.iter().cloned().map(ProjectRef::Object));
            plan.projects
                .extend(p.children.iter().cloned().map(ProjectRef::Exists));
            if let Some(id) = p.project {
                // The server acts on the path's project, whatever the query or body says.
                plan.projects.push(ProjectRef::Id(id));
            } else {
                query_sources(query, &mut plan.projects)?;
                if has_body(method) {
                    body_sources(body, &mut plan.projects)?;
                }
            }
            plan.subject_self = action == Action::ProjectViewData;
            if has_body(method) && matches!(action, Action::ProjectLabel | Action::AnnotationUpdate)
            {
                plan.body_author = match body.id("completed_by")? {
                    Some(a) => Some(a),
                    None => body.id("user")?,
                };
            }
        }
        Kind::Scoped => {
            if let Some(id) = p.project.or(query_id(query, "project")?) {
                plan.projects.push(ProjectRef::Id(id));
            } else {
                plan.resource.workspace = query_id(query, "workspace")?;
            }
            plan.resource.scope = match query.get("scope") {
                None => None,
                Some(s) => Some(Scope::ALL.into_iter().find(|x| x.name() == s).ok_or_else(
                    || Invalid::new(format!("the query's `scope` `{s}` is not a scope")),
                )?),
            };
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests;
