//! Workspaces and projects (Enterprise): the workspaces list and one workspace (from the
//! member's slice: what they may see, by name), create (its creator becomes a member),
//! rename, delete (refused while it holds projects), its members; a project's direct members,
//! moving a project (`PATCH /api/projects/{id}/` with `workspace`) and its own-data setting
//! (`annotators_can_view_own_data`), the rest of such a body going to the origin; task
//! assignment and its removal (`POST|DELETE /api/projects/{id}/tasks/assignees`, `type`
//! `AN`/`RE`, `users`, `selectedItems`).

use serde_json::{Value, json};

use crate::admin::Ctx;
use crate::gate::routes::Admin;
use crate::http::body::JsonBody;
use crate::http::forward::Body;
use crate::http::reply::Reply;
use crate::http::reply::{Answer, Served};
use crate::store::protocol::{Op, Read};

/// A workspace as Enterprise shows it.
fn workspace_json(w: &policy_core::WorkspaceFacts, projects: usize) -> Value {
    json!({
        "id": w.id,
        "title": w.name,
        "is_personal": w.sandbox_of.is_some(),
        "created_by": w.sandbox_of,
        "projects_count": projects,
    })
}

pub(crate) async fn answer(c: &Ctx<'_>, route: Admin) -> Option<Served> {
    let d = c.d;
    let p = &d.matched.params;
    Some(match route {
        Admin::Workspaces => {
            let visible = d.policy.visible_workspaces(&d.principal, d.org);
            let list: Vec<Value> = slice_workspaces(c)
                .into_iter()
                .filter(|(w, _)| visible.contains(&w.id))
                .map(|(w, n)| workspace_json(&w, n))
                .collect();
            Ok(Answer::Served(Reply::decision(
                200,
                Value::Array(list).to_string(),
            )))
        }
        Admin::Workspace => {
            let id = p.workspace.unwrap_or(0);
            match slice_workspaces(c).into_iter().find(|(w, _)| w.id == id) {
                Some((w, n)) => Ok(Answer::Served(Reply::decision(
                    200,
                    workspace_json(&w, n).to_string(),
                ))),
                None => Err(Reply::error(
                    404,
                    "not_found",
                    format!("workspace `{id}` is not in reach"),
                )),
            }
        }
        Admin::CreateWorkspace => create(c).await,
        Admin::RenameWorkspace => rename(c, p.workspace.unwrap_or(0)).await,
        Admin::DeleteWorkspace => {
            let id = p.workspace.unwrap_or(0);
            c.write(
                Op::DeleteWorkspace { workspace: id },
                200,
                |_| json!({"id": id, "deleted": true}),
            )
            .await
        }
        Admin::WorkspaceMembers => {
            let id = p.workspace.unwrap_or(0);
            c.read(Read::WorkspaceMembers { workspace: id }, |v| v)
                .await
        }
        Admin::WorkspaceMembership => {
            let id = p.workspace.unwrap_or(0);
            return Some(member_write(c, c.method(), "workspace", id).await);
        }
        Admin::ProjectMembers => {
            let id = p.project.unwrap_or(0);
            c.read(Read::ProjectMembers { project: id }, |v| v).await
        }
        Admin::ProjectMembership => {
            let id = p.project.unwrap_or(0);
            return Some(member_write(c, c.method(), "project", id).await);
        }
        Admin::ProjectPatch => return project_patch(c).await,
        Admin::Assignees => {
            return Some(assign(c, c.method() == "POST").await);
        }
        _ => return None,
    })
}

/// The workspaces of the member's slice, with how many of their projects it holds.
fn slice_workspaces(c: &Ctx<'_>) -> Vec<(policy_core::WorkspaceFacts, usize)> {
    let facts = c.d.policy.slice(&c.d.principal, c.d.org);
    facts
        .organizations
        .into_iter()
        .flat_map(|o| {
            let projects = o.projects;
            o.workspaces.into_iter().map(move |w| {
                let n = projects.iter().filter(|p| p.workspace == w.id).count();
                (w, n)
            })
        })
        .collect()
}

/// `POST`/`DELETE` `{user}` to a workspace's or project's members.
async fn member_write(c: &Ctx<'_>, method: &str, kind: &str, id: u64) -> Served {
    let body = c.body().await?;
    let user = c.need(body.id("user"), "user")?;
    let op = match (method == "POST", kind) {
        (true, "workspace") => Op::AddWorkspaceMember {
            workspace: id,
            user,
        },
        (false, "workspace") => Op::RemoveWorkspaceMember {
            workspace: id,
            user,
        },
        (true, _) => Op::AddProjectMember { project: id, user },
        (false, _) => Op::RemoveProjectMember { project: id, user },
    };
    c.write(
        op,
        if method == "POST" { 201 } else { 200 },
        |_| json!({kind: id, "user": user}),
    )
    .await
}

/// `POST /api/workspaces` `{title}`.
async fn create(c: &Ctx<'_>) -> Served {
    let title = c.text("title").await?;
    c.write(
        Op::CreateWorkspace {
            title: title.clone(),
        },
        201,
        |r| json!({"id": r.get("id"), "title": title, "is_personal": false}),
    )
    .await
}

/// `PATCH|PUT /api/workspaces/{id}` `{title}`.
async fn rename(c: &Ctx<'_>, id: u64) -> Served {
    let title = c.text("title").await?;
    c.write(
        Op::RenameWorkspace {
            workspace: id,
            title: title.clone(),
        },
        200,
        |_| json!({"id": id, "title": title}),
    )
    .await
}

/// `PATCH /api/projects/{id}/` naming `workspace` (a move) or `annotators_can_view_own_data`:
/// the store's part first; the rest of the body, if any, goes to the origin.
async fn project_patch(c: &Ctx<'_>) -> Option<Served> {
    let body = match c.body().await {
        Ok(b) => b,
        Err(e) => return Some(Err(e)),
    };
    let ours = ["workspace", "annotators_can_view_own_data"];
    if !ours.iter().any(|k| body.has(k)) {
        return None;
    }
    Some(project_patch_store(c, &body, &ours).await)
}

async fn project_patch_store(c: &Ctx<'_>, body: &JsonBody, ours: &[&str]) -> Served {
    let project = c.d.matched.params.project.unwrap_or(0);
    let mut writes = Vec::new();
    if body.has("workspace") {
        let to = c.need(body.id("workspace"), "workspace")?;
        writes.push((
            Op::MoveProject {
                project,
                workspace: to,
            },
            json!({"id": project, "workspace": to}),
        ));
    }
    if body.has("annotators_can_view_own_data") {
        let key = "annotators_can_view_own_data";
        let on = c.need(body.boolean(key), key)?;
        writes.push((
            Op::SetProjectSettings {
                project,
                annotators_can_view_own_data: on,
            },
            json!({"id": project, key: on}),
        ));
    }
    // Every part decided before any is applied: a refused part changes nothing.
    for (op, _) in &writes {
        c.check(op.clone()).await?;
    }
    // Label Studio's part first: the store's part is applied only once Label Studio has
    // accepted the rest (a 400 for the title leaves the project where it was).
    let rest = body.without(ours);
    let forwarded = if rest.is_empty() {
        None
    } else {
        let bytes = rest.to_json().into_bytes();
        let resp =
            c.d.ask
                .send(
                    c.d.origin,
                    &c.d.ask.path_and_query(),
                    &c.d.rw,
                    Body::Bytes(&bytes),
                )
                .await?;
        if !(200..300).contains(&resp.status()) {
            return Ok(Answer::Response(resp));
        }
        Some(resp)
    };
    let mut done = None;
    for (op, shown) in writes {
        match c.write(op, 200, |_| shown).await? {
            Answer::Served(r) => done = Some(r),
            other => return Ok(other),
        }
    }
    match (forwarded, done) {
        (Some(resp), Some(r)) => {
            let stamp = r
                .headers
                .iter()
                .find(|(k, _)| *k == crate::source::revision::HEADER)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let text = crate::http::fetch::text(&resp).await.unwrap_or_default();
            crate::http::fetch::with_header(
                &resp,
                Some(&text),
                crate::source::revision::HEADER,
                &stamp,
            )
            .map(Answer::Response)
            .map_err(|e| Reply::error(502, "origin_answer", crate::http::fetch::js_error(&e)))
        }
        (Some(resp), None) => Ok(Answer::Response(resp)),
        (None, Some(r)) => Ok(Answer::Served(r)),
        (None, None) => Err(Reply::error(400, "invalid_request", "nothing to change")),
    }
}

/// Refuses task ids that are not tasks of `project` in Label Studio (asked with the member's
/// credential): the store records only assignments that are true.
async fn in_project(c: &Ctx<'_>, project: u64, ids: &[u64]) -> Result<(), Reply> {
    if ids.is_empty() {
        return Ok(());
    }
    let query = json!({"selectedItems": {"all": false, "included": ids}});
    let mut found = crate::serve::own::task_ids(c.d, project, &query).await?;
    found.sort_unstable();
    let missing: Vec<String> = ids
        .iter()
        .filter(|t| found.binary_search(t).is_err())
        .take(10)
        .map(u64::to_string)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Reply::deny(
        400,
        c.d.source.base(),
        policy_core::Reason::InvalidRequest,
        format!(
            "task {} is not a task of project `{project}`: nothing was assigned",
            missing.join(", ")
        ),
    ))
}

/// `POST|DELETE /api/projects/{id}/tasks/assignees` `{type, users, selectedItems}`.
async fn assign(c: &Ctx<'_>, add: bool) -> Served {
    let body = c.body().await?;
    let project = c.d.matched.params.project.unwrap_or(0);
    let kind = c.need(body.str("type"), "type")?.to_owned();
    let users = c.need(body.ids("users"), "users")?;
    let tasks = match body.get("selectedItems") {
        None | Some(Value::Null) => None,
        // Every task of the project (but the excluded) is assigned: the tasks as they are
        // now, as Enterprise does (an annotator's own tasks are these).
        Some(sel) if add && sel.get("all").and_then(Value::as_bool) == Some(true) => {
            let query = json!({"selectedItems": sel, "filters": body.get("filters")});
            Some(crate::serve::own::task_ids(c.d, project, &query).await?).filter(|t| !t.is_empty())
        }
        Some(sel) if sel.get("all").and_then(Value::as_bool) == Some(true) => None,
        Some(sel) => {
            let ids = sel
                .get("included")
                .and_then(Value::as_array)
                .and_then(|l| l.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>())
                .ok_or_else(|| {
                    Reply::error(
                        400,
                        "invalid_request",
                        "`selectedItems` names no tasks (`all`, or `included`: a list of task ids)",
                    )
                })?;
            if add {
                in_project(c, project, &ids).await?;
            }
            Some(ids)
        }
    };
    let (kind_, users_) = (kind.clone(), users.clone());
    let op = if add {
        Op::Assign {
            project,
            kind: kind_,
            users: users_,
            tasks,
        }
    } else {
        Op::Unassign {
            project,
            kind: kind_,
            users: users_,
            tasks,
        }
    };
    c.write(
        op,
        if add { 201 } else { 200 },
        |_| json!({"project": project, "type": kind, "users": users}),
    )
    .await
}
