//! Steps 2 to 5 of the decision procedure (see [`crate::decide`]): the organization, the
//! principal's membership and role, and the workspace or project a request names, resolved
//! against the snapshot into a [`Ctx`], or the refusal that stops there.

use alloc::string::String;

use crate::decision::{Detail, Reason, Thing};
use crate::policy::Policy;
use crate::request::{Principal, Resource};
use crate::role::{Role, Status};
use crate::snapshot::{Organization, Project, Workspace};

/// A refusal: its reason and the facts for its message.
pub(crate) struct Deny(pub(crate) Reason, pub(crate) Detail);

pub(crate) type Check = Result<(), Deny>;

pub(crate) fn deny(reason: Reason, detail: Detail) -> Check {
    Err(Deny(reason, detail))
}

/// The level a request acts at.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Organization,
    Workspace(u64),
    Project(u64),
}

/// An active member acting in an organization.
#[derive(Clone, Copy)]
pub(crate) struct Member<'a> {
    pub(crate) user: u64,
    pub(crate) role: Role,
    pub(crate) groups: &'a [String],
}

/// The resolved resource.
#[derive(Clone, Copy)]
pub(crate) enum Place<'a> {
    Organization,
    Workspace(&'a Workspace),
    /// The project, its workspace, the member's role on it, and whether a group mapping
    /// makes them a member of it.
    Project(&'a Project, &'a Workspace, Role, bool),
}

/// A request resolved: the organization, the member acting and the resource.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub(crate) org: &'a Organization,
    pub(crate) member: Member<'a>,
    pub(crate) place: Place<'a>,
}

impl Ctx<'_> {
    pub(crate) fn role(&self) -> Role {
        match self.place {
            Place::Project(_, _, role, _) => role,
            _ => self.member.role,
        }
    }

    pub(crate) fn workspace(&self) -> Option<&Workspace> {
        match self.place {
            Place::Organization => None,
            Place::Workspace(w) | Place::Project(_, w, _, _) => Some(w),
        }
    }

    pub(crate) fn thing(&self) -> Thing {
        match self.place {
            Place::Organization => Thing::Organization(self.org.id),
            Place::Workspace(w) => Thing::Workspace(w.id),
            Place::Project(p, ..) => Thing::Project(p.id),
        }
    }
}

impl Policy {
    pub(crate) fn org(&self, id: u64) -> Result<&Organization, Deny> {
        self.snapshot().orgs.get(&id).ok_or(Deny(
            Reason::UnknownResource,
            Detail::Unknown {
                thing: Thing::Organization(id),
                org: id,
            },
        ))
    }

    pub(crate) fn signup(&self, org: &Organization, res: &Resource) -> Check {
        let token_ok = res
            .invite_token
            .as_deref()
            .is_some_and(|t| org.invite_tokens.iter().any(|k| k.as_ref() == t));
        if org.signup_needs_invite && !token_ok {
            return deny(
                Reason::SettingDisabled,
                Detail::SignupClosed { org: org.id },
            );
        }
        Ok(())
    }

    pub(crate) fn resolve<'a>(
        &'a self,
        org: &'a Organization,
        principal: &'a Principal,
        target: Target,
    ) -> Result<Ctx<'a>, Deny> {
        let member = self.member(org, principal)?;
        let ctx = Ctx {
            org,
            member,
            place: Place::Organization,
        };
        let place = self.place(&ctx, target)?;
        Ok(Ctx { place, ..ctx })
    }

    fn member<'a>(&self, org: &Organization, principal: &'a Principal) -> Result<Member<'a>, Deny> {
        let Some(user) = principal.user else {
            return Err(Deny(Reason::UnknownPrincipal, Detail::NoUser));
        };
        let mapped = principal
            .groups
            .iter()
            .filter_map(|g| org.group_roles.get(g.as_str()))
            .max()
            .copied();
        let role = match self.snapshot().members.get(&(org.id, user)) {
            Some(m) => match (m.status, m.role) {
                (Status::Active, Some(role)) => mapped.map_or(role, |r| r.max(role)),
                (Status::Deactivated, _) => {
                    return Err(Deny(
                        Reason::Deactivated,
                        Detail::Deactivated { user, org: org.id },
                    ));
                }
                _ => {
                    return Err(Deny(
                        Reason::NotActivated,
                        Detail::NotActivated { user, org: org.id },
                    ));
                }
            },
            None => match mapped {
                Some(role) => role,
                None if self.snapshot().known_users.contains(&user) => {
                    return Err(Deny(
                        Reason::NotMember,
                        Detail::NotMember { user, org: org.id },
                    ));
                }
                None => return Err(Deny(Reason::UnknownPrincipal, Detail::UnknownUser(user))),
            },
        };
        Ok(Member {
            user,
            role,
            groups: &principal.groups,
        })
    }

    pub(crate) fn place<'a>(&'a self, ctx: &Ctx<'a>, target: Target) -> Result<Place<'a>, Deny> {
        let org = ctx.org.id;
        let unknown = |thing| Deny(Reason::UnknownResource, Detail::Unknown { thing, org });
        match target {
            Target::Organization => Ok(Place::Organization),
            Target::Workspace(w) => self
                .snapshot()
                .workspaces
                .get(&w)
                .filter(|ws| ws.org == org)
                .map(Place::Workspace)
                .ok_or(unknown(Thing::Workspace(w))),
            Target::Project(p) => {
                let project = self.snapshot().projects.get(&p).filter(|pr| pr.org == org);
                let ws = project.and_then(|pr| self.snapshot().workspaces.get(&pr.workspace));
                let (Some(project), Some(ws)) = (project, ws) else {
                    return Err(unknown(Thing::Project(p)));
                };
                let mapped = ctx
                    .member
                    .groups
                    .iter()
                    .filter_map(|g| ctx.org.group_projects.get(g.as_str()))
                    .flat_map(|ps| ps.iter().filter(|(id, _)| *id == p).map(|(_, r)| *r))
                    .max();
                let role = mapped.map_or(ctx.member.role, |r| r.max(ctx.member.role));
                Ok(Place::Project(project, ws, role, mapped.is_some()))
            }
        }
    }
}
