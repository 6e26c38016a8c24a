//! The writes of an organization's store (SPEC §6). Each is decided by policy-core first, on
//! the facts it touches (the organization, the principal's and the named member's
//! memberships, the workspaces and projects it names), then applied as one transaction
//! together with its journal record and the new revision. A refused write changes nothing.
//! The records of what Label Studio did (a project created or deleted, a signup) were
//! decided at the gate before Label Studio acted, and are recorded as they are.

use policy_core::{Action, Decision, Principal, Request, Resource, RoleChange};
use serde_json::{Value, json};

use crate::store::db::{Db, Stmt, id, opt_text, stmt, text};
use crate::store::facts::{self, Meta};
use crate::store::protocol::Op;
use crate::store::reach;

/// The outcome of a write.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The decision (`None` for a record of what Label Studio did: decided at the gate).
    pub decision: Option<Decision>,
    /// The write was refused (by the decision, or as malformed).
    pub refused: bool,
    /// The revision after the write (unchanged when refused).
    pub revision: u64,
    /// What the write made (a new workspace's id, ...).
    pub result: Value,
    /// The directory changes it implies: users added/removed, projects and workspaces
    /// added/removed.
    pub directory: Value,
}

/// A refusal the store states itself (a malformed write), in the decision's form.
fn malformed(message: impl Into<String>) -> Result<Decision, String> {
    Ok(reach::policy_of(policy_core::Facts::default())?.invalid_request(&message.into()))
}

fn kind_name(kind: &str) -> Option<&'static str> {
    match kind {
        "annotate" | "AN" => Some("annotate"),
        "review" | "RE" => Some("review"),
        _ => None,
    }
}

/// What a write asks the core: the action and its resource.
fn question(op: &Op) -> Result<Option<(Action, Resource)>, String> {
    let project = Resource::project;
    let workspace = Resource::workspace;
    Ok(Some(match op {
        Op::SetRole { member, role } => {
            let change = RoleChange::ALL
                .into_iter()
                .find(|r| r.name() == role)
                .ok_or_else(|| format!("`{role}` is not a role"))?;
            let mut r = Resource::org();
            r.member = Some(*member);
            r.role = Some(change);
            (Action::OrgChangeRole, r)
        }
        Op::RemoveMember { member } => {
            let mut r = Resource::org();
            r.member = Some(*member);
            (Action::OrgRemoveMember, r)
        }
        Op::CreateWorkspace { .. } => (Action::OrgCreateWorkspace, Resource::org()),
        Op::RenameWorkspace { workspace: w, .. } => (Action::WorkspaceUpdate, workspace(*w)),
        Op::DeleteWorkspace { workspace: w } => (Action::WorkspaceDelete, workspace(*w)),
        Op::AddWorkspaceMember { workspace: w, .. }
        | Op::RemoveWorkspaceMember { workspace: w, .. } => {
            (Action::WorkspaceManageMembers, workspace(*w))
        }
        Op::MoveProject { project: p, .. }
        | Op::AddProjectMember { project: p, .. }
        | Op::RemoveProjectMember { project: p, .. }
        | Op::SetProjectSettings { project: p, .. } => (Action::ProjectUpdate, project(*p)),
        Op::Assign {
            project: p, kind, ..
        }
        | Op::Unassign {
            project: p, kind, ..
        } => {
            let action = match kind_name(kind) {
                Some("review") => Action::ProjectAssignReviewers,
                Some(_) => Action::ProjectAssignAnnotators,
                None => return Err(format!("`{kind}` is not an assignment kind (`AN`, `RE`)")),
            };
            (action, project(*p))
        }
        Op::SetGroupMapping { .. } | Op::RemoveGroupMapping { .. } | Op::SetSettings { .. } => {
            (Action::OrgChangeRole, Resource::org())
        }
        Op::SetInviteToken { .. } => (Action::OrgInvite, Resource::org()),
        Op::ProjectCreated { .. } | Op::ProjectDeleted { .. } | Op::SignedUp { .. } => {
            return Ok(None);
        }
    }))
}

/// Decides `action` on `res` for `actor`, on the facts the write touches.
fn decide(
    db: &Db,
    m: &Meta,
    actor: &Principal,
    known: bool,
    action: Action,
    res: &Resource,
) -> Result<Decision, String> {
    let facts = reach::for_write(db, actor, res, known)?
        .ok_or_else(|| String::from("the store holds no organization"))?;
    let policy = reach::policy_of(facts)?;
    Ok(policy.decide(&Request {
        principal: actor.clone(),
        org: m.org,
        action,
        resource: res.clone(),
    }))
}

/// Decides and applies `op` by `actor`; `fault`: a test's failure after that many
/// statements (the whole write must then leave nothing behind); `dry`: decided only.
pub fn write(
    db: &Db,
    actor: &Principal,
    known: bool,
    op: &Op,
    now_ms: u64,
    fault: Option<usize>,
    dry: bool,
) -> Result<Outcome, String> {
    let m = facts::meta(db)?.ok_or_else(|| String::from("the store holds no organization"))?;
    let refused = |d: Decision| Outcome {
        decision: Some(d),
        refused: true,
        revision: m.revision,
        result: Value::Null,
        directory: Value::Null,
    };
    let decision = match question(op) {
        Err(e) => return Ok(refused(malformed(e)?)),
        Ok(None) => None,
        Ok(Some((action, res))) => {
            let d = decide(db, &m, actor, known, action, &res)?;
            if !d.allow {
                return Ok(refused(d));
            }
            Some(d)
        }
    };
    // A move also needs `workspace.create_project` on the target.
    if let Op::MoveProject { workspace, .. } = op {
        let d = decide(
            db,
            &m,
            actor,
            known,
            Action::WorkspaceCreateProject,
            &Resource::workspace(*workspace),
        )?;
        if !d.allow {
            return Ok(refused(d));
        }
    }
    if dry {
        // Decided only (a test's differential against the whole snapshot).
        return Ok(Outcome {
            decision,
            refused: false,
            revision: m.revision,
            result: Value::Null,
            directory: Value::Null,
        });
    }
    let (mut stmts, result, directory) = match plan(db, &m, actor, op)? {
        Ok(planned) => planned,
        Err(why) => return Ok(refused(malformed(why)?)),
    };
    let detail = serde_json::to_string(&op_json(op)).map_err(|e| e.to_string())?;
    let action = op.name();
    stmts.push(stmt(
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'",
        vec![],
    ));
    stmts.push(stmt(
        "INSERT INTO journal (time_ms, actor, action, detail, revision) VALUES \
         (?, ?, ?, ?, (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'revision'))",
        vec![
            id(now_ms),
            actor.user.map_or(crate::store::db::Arg::Null, id),
            text(&action),
            text(detail),
        ],
    ));
    db.apply(stmts, fault)?;
    Ok(Outcome {
        decision,
        refused: false,
        revision: m.revision + 1,
        result,
        directory,
    })
}

/// The journal's account of a write (never an invite token).
fn op_json(op: &Op) -> Value {
    match op {
        Op::SetInviteToken { .. } => json!({"token": "(reset)"}),
        other => serde_json::to_value(DebugOp(other)).unwrap_or(Value::Null),
    }
}

/// A write as JSON, for the journal.
struct DebugOp<'a>(&'a Op);

impl serde::Serialize for DebugOp<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:?}", self.0))
    }
}

type Planned = (Vec<Stmt>, Value, Value);

/// The statements of an allowed write, what it made, and its directory changes; `Err`: it
/// cannot be applied (a user who is not a member, an id that does not exist).
fn plan(db: &Db, m: &Meta, actor: &Principal, op: &Op) -> Result<Result<Planned, String>, String> {
    let member = |u: u64| reach::is_member(db, u);
    let none = Value::Null;
    Ok(Ok(match op {
        Op::SetRole { member: u, role } => {
            let change = RoleChange::ALL
                .into_iter()
                .find(|r| r.name() == role)
                .ok_or_else(|| format!("`{role}` is not a role"))?;
            let s = match (change.role(), change.status()) {
                (Some(r), _) => stmt(
                    "UPDATE members SET role = ?, status = 'active' WHERE user = ?",
                    vec![text(r.name()), id(*u)],
                ),
                (None, Some(st)) => stmt(
                    "UPDATE members SET status = ? WHERE user = ?",
                    vec![text(st.name()), id(*u)],
                ),
                (None, None) => return Ok(Err(format!("`{role}` sets nothing"))),
            };
            (vec![s], none, Value::Null)
        }
        Op::RemoveMember { member: u } => {
            let mut s = vec![
                stmt("DELETE FROM members WHERE user = ?", vec![id(*u)]),
                stmt("DELETE FROM workspace_members WHERE user = ?", vec![id(*u)]),
                stmt("DELETE FROM project_members WHERE user = ?", vec![id(*u)]),
                stmt("DELETE FROM assignments WHERE user = ?", vec![id(*u)]),
                stmt("DELETE FROM users WHERE id = ?", vec![id(*u)]),
                stmt(
                    "DELETE FROM workspaces WHERE sandbox_of = ?1 \
                     AND NOT EXISTS (SELECT 1 FROM projects WHERE workspace = workspaces.id)",
                    vec![id(*u)],
                ),
            ];
            // A sandbox that holds projects stays, as an ordinary workspace of the
            // organization: its projects are not lost with their creator.
            s.push(stmt(
                "UPDATE workspaces SET sandbox_of = NULL, name = COALESCE(name, 'Sandbox') || ' (member removed)' \
                 WHERE sandbox_of = ?",
                vec![id(*u)],
            ));
            (s, none, json!({"remove_users": [u]}))
        }
        Op::CreateWorkspace { title } => {
            let next = crate::store::schema::new_workspace_id(db, m.org)?;
            let mut s = vec![stmt(
                "INSERT INTO workspaces (id, name) VALUES (?, ?)",
                vec![id(next), text(title.as_str())],
            )];
            if let Some(u) = actor.user
                && member(u)?
            {
                s.push(stmt(
                    "INSERT INTO workspace_members (workspace, user) VALUES (?, ?)",
                    vec![id(next), id(u)],
                ));
            }
            (s, json!({"id": next}), json!({"add_workspaces": [next]}))
        }
        Op::RenameWorkspace { workspace, title } => (
            vec![stmt(
                "UPDATE workspaces SET name = ? WHERE id = ?",
                vec![text(title.as_str()), id(*workspace)],
            )],
            none,
            Value::Null,
        ),
        Op::DeleteWorkspace { workspace } => (
            vec![
                stmt(
                    "DELETE FROM workspace_members WHERE workspace = ?",
                    vec![id(*workspace)],
                ),
                stmt("DELETE FROM workspaces WHERE id = ?", vec![id(*workspace)]),
            ],
            none,
            json!({"remove_workspaces": [workspace]}),
        ),
        Op::AddWorkspaceMember { workspace, user }
        | Op::RemoveWorkspaceMember { workspace, user } => {
            if !member(*user)? {
                return Ok(Err(format!(
                    "user `{user}` is not a member of the organization"
                )));
            }
            let add = matches!(op, Op::AddWorkspaceMember { .. });
            let sql = if add {
                "INSERT OR IGNORE INTO workspace_members (workspace, user) VALUES (?, ?)"
            } else {
                "DELETE FROM workspace_members WHERE workspace = ? AND user = ?"
            };
            (
                vec![stmt(sql, vec![id(*workspace), id(*user)])],
                none,
                Value::Null,
            )
        }
        Op::MoveProject { project, workspace } => (
            vec![stmt(
                "UPDATE projects SET workspace = ? WHERE id = ?",
                vec![id(*workspace), id(*project)],
            )],
            none,
            Value::Null,
        ),
        Op::AddProjectMember { project, user } | Op::RemoveProjectMember { project, user } => {
            if !member(*user)? {
                return Ok(Err(format!(
                    "user `{user}` is not a member of the organization"
                )));
            }
            let sql = if matches!(op, Op::AddProjectMember { .. }) {
                "INSERT OR IGNORE INTO project_members (project, user) VALUES (?, ?)"
            } else {
                "DELETE FROM project_members WHERE project = ? AND user = ?"
            };
            (
                vec![stmt(sql, vec![id(*project), id(*user)])],
                none,
                Value::Null,
            )
        }
        Op::SetProjectSettings {
            project,
            annotators_can_view_own_data,
        } => (
            vec![stmt(
                "UPDATE projects SET own_data = ? WHERE id = ?",
                vec![id(u64::from(*annotators_can_view_own_data)), id(*project)],
            )],
            none,
            Value::Null,
        ),
        Op::Assign {
            project,
            kind,
            users,
            tasks,
        }
        | Op::Unassign {
            project,
            kind,
            users,
            tasks,
        } => {
            let kind = kind_name(kind).unwrap_or("annotate");
            for u in users {
                if !member(*u)? {
                    return Ok(Err(format!(
                        "user `{u}` is not a member of the organization"
                    )));
                }
            }
            let add = matches!(op, Op::Assign { .. });
            let tasks: Vec<u64> = tasks.clone().unwrap_or_else(|| vec![0]);
            let mut s = Vec::new();
            for u in users {
                if add {
                    for t in &tasks {
                        s.push(stmt(
                            "INSERT OR IGNORE INTO assignments (project, task, user, kind) VALUES (?, ?, ?, ?)",
                            vec![id(*project), id(*t), id(*u), text(kind)],
                        ));
                    }
                } else if tasks == [0] {
                    s.push(stmt(
                        "DELETE FROM assignments WHERE project = ? AND user = ? AND kind = ?",
                        vec![id(*project), id(*u), text(kind)],
                    ));
                } else {
                    for t in &tasks {
                        s.push(stmt(
                            "DELETE FROM assignments WHERE project = ? AND task = ? AND user = ? AND kind = ?",
                            vec![id(*project), id(*t), id(*u), text(kind)],
                        ));
                    }
                }
            }
            (s, none, Value::Null)
        }
        Op::SetGroupMapping {
            group,
            role,
            project,
        } => {
            let Some(r) = policy_core::Role::from_name(role) else {
                return Ok(Err(format!("`{role}` is not a role")));
            };
            if r == policy_core::Role::Owner
                || (project.is_some() && r > policy_core::Role::Manager)
            {
                return Ok(Err(format!(
                    "a group mapping cannot grant `{role}`{}",
                    if project.is_some() {
                        " on a project"
                    } else {
                        ""
                    }
                )));
            }
            if !r.held_in(m.edition) {
                return Ok(Err(format!(
                    "the {} edition has no `{role}`",
                    m.edition.name()
                )));
            }
            if let Some(p) = project
                && db
                    .one("SELECT 1 AS v FROM projects WHERE id = ?", vec![id(*p)])?
                    .is_none()
            {
                return Ok(Err(format!("project `{p}` is not in the organization")));
            }
            (
                vec![stmt(
                    "INSERT INTO group_mappings (grp, project, role) VALUES (?, ?, ?) \
                     ON CONFLICT (grp, project) DO UPDATE SET role = excluded.role",
                    vec![
                        text(group.as_str()),
                        id(project.unwrap_or(0)),
                        text(r.name()),
                    ],
                )],
                none,
                Value::Null,
            )
        }
        Op::RemoveGroupMapping { group, project } => (
            vec![stmt(
                "DELETE FROM group_mappings WHERE grp = ? AND project = ?",
                vec![text(group.as_str()), id(project.unwrap_or(0))],
            )],
            none,
            Value::Null,
        ),
        Op::SetSettings {
            disable_signup_without_link,
        } => (
            vec![stmt(
                "INSERT INTO meta (key, value) VALUES ('signup', ?) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                vec![text(if *disable_signup_without_link {
                    "1"
                } else {
                    "0"
                })],
            )],
            none,
            Value::Null,
        ),
        Op::SetInviteToken { token } => {
            if token.is_empty() {
                return Ok(Err(String::from("the invite token is empty")));
            }
            (
                vec![
                    stmt("DELETE FROM invite_tokens", vec![]),
                    stmt(
                        "INSERT INTO invite_tokens (token) VALUES (?)",
                        vec![text(token.as_str())],
                    ),
                ],
                none,
                Value::Null,
            )
        }
        Op::ProjectCreated {
            project,
            workspace,
            title,
        } => {
            let creator = actor.user.unwrap_or(m.owner);
            let mut s = Vec::new();
            let ws = match workspace {
                Some(w) => *w,
                None => match db.one(
                    "SELECT id AS v FROM workspaces WHERE sandbox_of = ?",
                    vec![id(creator)],
                )? {
                    Some(w) => w,
                    None => {
                        // The creator's sandbox, made on first use.
                        let next = crate::store::schema::new_workspace_id(db, m.org)?;
                        s.push(stmt(
                            "INSERT INTO workspaces (id, name, sandbox_of) VALUES (?, 'Sandbox', ?)",
                            vec![id(next), id(creator)],
                        ));
                        next
                    }
                },
            };
            s.push(stmt(
                "INSERT INTO projects (id, workspace, created_by, title) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET workspace = excluded.workspace, title = excluded.title",
                vec![id(*project), id(ws), id(creator), opt_text(title.as_deref())],
            ));
            (
                s,
                json!({"workspace": ws}),
                json!({"add_projects": [project]}),
            )
        }
        Op::ProjectDeleted { project } => (
            vec![
                stmt(
                    "DELETE FROM project_members WHERE project = ?",
                    vec![id(*project)],
                ),
                stmt(
                    "DELETE FROM assignments WHERE project = ?",
                    vec![id(*project)],
                ),
                stmt(
                    "DELETE FROM group_mappings WHERE project = ?",
                    vec![id(*project)],
                ),
                stmt("DELETE FROM projects WHERE id = ?", vec![id(*project)]),
            ],
            none,
            json!({"remove_projects": [project]}),
        ),
        Op::SignedUp { user, email, name } => {
            let key = email.as_deref().map(str::to_ascii_lowercase);
            (
                vec![
                    stmt(
                        "INSERT INTO users (id, email, email_key, name) VALUES (?, ?, ?, ?) \
                         ON CONFLICT (id) DO UPDATE SET email = excluded.email, email_key = excluded.email_key",
                        vec![
                            id(*user),
                            opt_text(email.as_deref()),
                            opt_text(key.as_deref()),
                            opt_text(name.as_deref()),
                        ],
                    ),
                    stmt(
                        "INSERT OR IGNORE INTO members (user, role, status) VALUES (?, NULL, 'not_activated')",
                        vec![id(*user)],
                    ),
                ],
                none,
                json!({"add_users": [{"id": user, "email": email}]}),
            )
        }
    }))
}
