//! The decision procedure. Every check runs the same steps in the same order, and the
//! first step that fails gives the reason:
//!
//! 1. the resource's shape fits the action (`invalid_request`);
//! 2. the organization exists (`unknown_resource`);
//! 3. `org.signup` is decided here by the signup setting alone (`setting_disabled`);
//! 4. the principal is a member, explicitly or through an organization group mapping
//!    (`unknown_principal`, `not_member`), and active (`not_activated`, `deactivated`);
//! 5. the workspace, project, member or target workspace named exists in this
//!    organization (`unknown_resource`);
//! 6. the role's matrix cell is not blank, and an analytics scope is not wider than the
//!    role's (`role_lacks_permission`);
//! 7. the workspace is not another user's sandbox (`sandbox_private`);
//! 8. the resource is within the role's reach, scope or own data (`out_of_scope`), and an
//!    annotator's own data is visible in the project (`setting_disabled`);
//! 9. the action's own rules: owner protection (`owner_protected`), the edition
//!    (`edition_restricted`), sandboxes that cannot be deleted or given members
//!    (`sandbox_private`), `workspace_not_empty`, and the checks `project.duplicate` needs
//!    on its target and source.
//!
//! Steps 2 to 5 resolve the request ([`crate::resolve`]); the reach queries run the same
//! judgement over many projects or workspaces ([`crate::reach`]).

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::action::{Action, Kind};
use crate::decision::{Decision, Detail, OwnerRule, Reason, Shape, Thing};
use crate::matrix::Grant;
use crate::policy::Policy;
use crate::request::{CopyMode, Principal, Request, Resource, RoleChange};
use crate::resolve::{Check, Ctx, Deny, Place, Target, deny};
use crate::role::{Role, Scope};
use crate::snapshot::{Project, Workspace};

/// The level the resource names.
fn level(res: &Resource) -> Result<Target, Shape> {
    match (res.workspace, res.project) {
        (Some(_), Some(_)) => Err(Shape::BothLevels),
        (Some(w), None) => Ok(Target::Workspace(w)),
        (None, Some(p)) => Ok(Target::Project(p)),
        (None, None) => Ok(Target::Organization),
    }
}

/// Step 1: the level the resource names, checked against the action. Cheap: the message
/// of a misfit is written only if a decision needs it.
fn target_of(action: Action, res: &Resource) -> Result<Target, Shape> {
    let target = level(res)?;
    let fits = match action.kind() {
        Kind::Organization => target == Target::Organization,
        Kind::Workspace => matches!(target, Target::Workspace(_)),
        Kind::Project => matches!(target, Target::Project(_)),
        Kind::Scoped => {
            let scope = res.scope.unwrap_or(default_scope(target));
            return match (scope, target) {
                (Scope::Organization, Target::Organization)
                | (Scope::Workspace, Target::Workspace(_))
                | (Scope::Project, Target::Project(_))
                | (Scope::Own, Target::Organization | Target::Project(_)) => Ok(target),
                _ => Err(Shape::ScopeMisfit(scope)),
            };
        }
    };
    if !fits {
        return Err(Shape::KindMisfit(action));
    }
    if action == Action::OrgChangeRole && res.role.is_some() && res.member.is_none() {
        return Err(Shape::RoleWithoutMember);
    }
    Ok(target)
}

fn default_scope(target: Target) -> Scope {
    match target {
        Target::Organization => Scope::Organization,
        Target::Workspace(_) => Scope::Workspace,
        Target::Project(_) => Scope::Project,
    }
}

impl Policy {
    /// Decides one request.
    pub fn decide(&self, req: &Request) -> Decision {
        let outcome = self.check(&req.principal, req.org, req.action, &req.resource);
        self.finish(outcome)
    }

    /// A deny with reason `invalid_request`, for a host that could not even read a request.
    pub fn invalid_request(&self, message: &str) -> Decision {
        Decision::new(
            Reason::InvalidRequest,
            Detail::Invalid(message.into()),
            self.id(),
        )
    }

    pub(crate) fn unknown_action(&self, name: &str) -> Decision {
        Decision::new(
            Reason::UnknownAction,
            Detail::UnknownAction(name.into()),
            self.id(),
        )
    }

    fn finish(&self, outcome: Result<Detail, Deny>) -> Decision {
        match outcome {
            Ok(detail) => Decision::new(Reason::Allowed, detail, self.id()),
            Err(Deny(reason, detail)) => Decision::new(reason, detail, self.id()),
        }
    }

    fn check(
        &self,
        principal: &Principal,
        org: u64,
        action: Action,
        res: &Resource,
    ) -> Result<Detail, Deny> {
        let target =
            target_of(action, res).map_err(|m| Deny(Reason::InvalidRequest, Detail::Shape(m)))?;
        let org = self.org(org)?;
        if action == Action::OrgSignup {
            self.signup(org, res)?;
            return Ok(Detail::SignupAllowed { org: org.id });
        }
        let ctx = self.resolve(org, principal, target)?;
        self.judge(&ctx, action, res)?;
        Ok(Detail::Allowed {
            action,
            role: ctx.role(),
        })
    }

    /// Every action `principal` may take on `resource` in `org`: exactly the actions whose
    /// single check would be allowed.
    pub fn allowed_actions(&self, principal: &Principal, org: u64, res: &Resource) -> Vec<Action> {
        let mut out = Vec::new();
        let Ok(org) = self.org(org) else { return out };
        let Ok(target) = level(res) else { return out };
        let ctx = self.resolve(org, principal, target).ok();
        for &action in Action::ALL {
            if target_of(action, res).is_err() {
                continue;
            }
            let allowed = if action == Action::OrgSignup {
                self.signup(org, res).is_ok()
            } else {
                ctx.as_ref()
                    .is_some_and(|ctx| self.judge(ctx, action, res).is_ok())
            };
            if allowed {
                out.push(action);
            }
        }
        out
    }

    // ---- Steps 5 to 9: judgement ------------------------------------------------------

    pub(crate) fn judge(&self, ctx: &Ctx<'_>, action: Action, res: &Resource) -> Check {
        if action == Action::AnalyticsView {
            return self.judge_analytics(ctx, res);
        }
        let org = ctx.org;
        let unknown = |thing| {
            deny(
                Reason::UnknownResource,
                Detail::Unknown { thing, org: org.id },
            )
        };
        let member = match action {
            Action::OrgChangeRole | Action::OrgRemoveMember => res.member,
            _ => None,
        };
        if let Some(m) = member
            && !self.snapshot().members.contains_key(&(org.id, m))
        {
            return unknown(Thing::Member(m));
        }
        let mut duplicate_to = None;
        if let (Action::ProjectDuplicate, Place::Project(_, ws, ..)) = (action, ctx.place) {
            let to = res.target_workspace.unwrap_or(ws.id);
            match self
                .snapshot()
                .workspaces
                .get(&to)
                .filter(|w| w.org == org.id)
            {
                Some(w) => duplicate_to = Some(w),
                None => return unknown(Thing::Workspace(to)),
            }
        }
        let role = ctx.role();
        let grant = self.matrix().grant(action, role);
        if grant == Grant::None {
            return deny(
                Reason::RoleLacksPermission,
                Detail::RoleLacks { role, action },
            );
        }
        self.not_foreign_sandbox(ctx)?;
        self.within(ctx, action, grant, res)?;
        let user = ctx.member.user;
        let owner = |rule| deny(Reason::OwnerProtected, Detail::Owner(rule));
        match action {
            Action::OrgChangeRole => {
                if let Some(m) = member {
                    if res.role == Some(RoleChange::Owner) {
                        return owner(OwnerRule::GrantOwner);
                    }
                    if m == org.owner {
                        return owner(OwnerRule::OwnersMembership);
                    }
                    if m == user && role == Role::Administrator {
                        return owner(OwnerRule::AdministratorSelf);
                    }
                    if let Some(r) = res.role.and_then(RoleChange::role)
                        && !r.held_in(self.snapshot().edition)
                    {
                        return deny(Reason::EditionRestricted, Detail::Edition { role: r });
                    }
                }
            }
            Action::OrgRemoveMember if member == Some(org.owner) => {
                return owner(OwnerRule::OwnersMembership);
            }
            Action::OrgViewOwnerAccount if role != Role::Owner => {
                return owner(OwnerRule::OwnerAccount);
            }
            Action::WorkspaceDelete | Action::WorkspaceManageMembers => {
                if let Place::Workspace(ws) = ctx.place {
                    if ws.sandbox_of.is_some() {
                        let detail = Detail::SandboxFixed {
                            workspace: ws.id,
                            action,
                        };
                        return deny(Reason::SandboxPrivate, detail);
                    }
                    if action == Action::WorkspaceDelete && !ws.projects.is_empty() {
                        let detail = Detail::NotEmpty {
                            workspace: ws.id,
                            projects: ws.projects.len(),
                        };
                        return deny(Reason::WorkspaceNotEmpty, detail);
                    }
                }
            }
            Action::ProjectDuplicate => {
                if let Some(to) = duplicate_to {
                    let target = Ctx {
                        place: Place::Workspace(to),
                        ..*ctx
                    };
                    self.judge(
                        &target,
                        Action::WorkspaceCreateProject,
                        &Resource::default(),
                    )
                    .map_err(|d| wrap(Action::WorkspaceCreateProject, d))?;
                }
                if res.copy == Some(CopyMode::All) {
                    self.judge(ctx, Action::ProjectExport, res)
                        .map_err(|d| wrap(Action::ProjectExport, d))?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn judge_analytics(&self, ctx: &Ctx<'_>, res: &Resource) -> Check {
        let role = ctx.role();
        let asked = res.scope.unwrap_or(match ctx.place {
            Place::Organization => Scope::Organization,
            Place::Workspace(_) => Scope::Workspace,
            Place::Project(..) => Scope::Project,
        });
        let Some(widest) = self.matrix().analytics_scope(role) else {
            return deny(Reason::RoleLacksPermission, Detail::NoAnalytics { role });
        };
        if asked > widest {
            return deny(
                Reason::RoleLacksPermission,
                Detail::ScopeTooWide {
                    role,
                    asked,
                    widest,
                },
            );
        }
        self.not_foreign_sandbox(ctx)?;
        let user = ctx.member.user;
        let reached = match ctx.place {
            Place::Organization => true,
            Place::Workspace(ws) => role >= Role::Administrator || self.workspace_member(ws, user),
            Place::Project(p, ws, _, mapped) => self.project_reach(role, user, p, ws, mapped),
        };
        if !reached {
            let detail = Detail::OutOfReach {
                role,
                action: Action::AnalyticsView,
                thing: ctx.thing(),
            };
            return deny(Reason::OutOfScope, detail);
        }
        if asked == Scope::Own
            && let Some(s) = res.subject.filter(|s| *s != user)
        {
            let detail = Detail::NotOwn {
                role,
                action: Action::AnalyticsView,
                subject: Some(s),
            };
            return deny(Reason::OutOfScope, detail);
        }
        Ok(())
    }

    fn not_foreign_sandbox(&self, ctx: &Ctx<'_>) -> Check {
        match ctx.workspace() {
            Some(ws) if ws.sandbox_of.is_some_and(|o| o != ctx.member.user) => deny(
                Reason::SandboxPrivate,
                Detail::ForeignSandbox { workspace: ws.id },
            ),
            _ => Ok(()),
        }
    }

    /// Step 8: the grant's reach, scope or ownership.
    fn within(&self, ctx: &Ctx<'_>, action: Action, grant: Grant, res: &Resource) -> Check {
        let role = ctx.role();
        let user = ctx.member.user;
        let reached = match (ctx.place, grant) {
            (Place::Organization, _) => true,
            (Place::Workspace(_), Grant::Reach) => role >= Role::Manager,
            (Place::Workspace(ws), Grant::Scoped) => self.workspace_member(ws, user),
            (Place::Workspace(_), _) => false,
            (Place::Project(p, ws, _, mapped), Grant::Scoped) => {
                self.project_scoped(user, p, ws, mapped)
            }
            (Place::Project(p, ws, _, mapped), _) => self.project_reach(role, user, p, ws, mapped),
        };
        if !reached {
            return deny(
                Reason::OutOfScope,
                Detail::OutOfReach {
                    role,
                    action,
                    thing: ctx.thing(),
                },
            );
        }
        if let (Place::Project(p, ..), Grant::OwnIfSetting) = (ctx.place, grant)
            && !p.annotators_can_view_own_data
        {
            return deny(
                Reason::SettingDisabled,
                Detail::OwnDataOff { project: p.id },
            );
        }
        if matches!(grant, Grant::Own | Grant::OwnIfSetting) && res.subject != Some(user) {
            return deny(
                Reason::OutOfScope,
                Detail::NotOwn {
                    role,
                    action,
                    subject: res.subject,
                },
            );
        }
        Ok(())
    }

    fn workspace_member(&self, ws: &Workspace, user: u64) -> bool {
        self.snapshot().workspace_members.contains(&(ws.id, user))
    }

    /// Workspaces they belong to, projects they were invited to (directly or by a group
    /// mapping) or created.
    fn project_scoped(&self, user: u64, p: &Project, ws: &Workspace, mapped: bool) -> bool {
        mapped
            || p.created_by == user
            || self.workspace_member(ws, user)
            || self.snapshot().project_members.contains(&(p.id, user))
    }

    /// SPEC §2: what a role reaches at all.
    fn project_reach(
        &self,
        role: Role,
        user: u64,
        p: &Project,
        ws: &Workspace,
        mapped: bool,
    ) -> bool {
        match role {
            Role::Owner | Role::Administrator => true,
            Role::Manager => self.project_scoped(user, p, ws, mapped),
            Role::Reviewer | Role::Annotator => {
                mapped
                    || self.workspace_member(ws, user)
                    || self.snapshot().project_members.contains(&(p.id, user))
                    || self.snapshot().assigned.contains(&(p.id, user))
            }
        }
    }
}

fn wrap(needs: Action, Deny(reason, inner): Deny) -> Deny {
    Deny(
        reason,
        Detail::Duplicate {
            needs,
            inner: Box::new(inner),
        },
    )
}
