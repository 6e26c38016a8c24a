//! Facts back out of an indexed snapshot: all of them ([`Snapshot::to_facts`], the store's
//! export), or a member's slice (SPEC §7, [`Policy::slice`]): the smallest facts that decide
//! every request of that member as the whole snapshot does.
//!
//! A slice of organization `o` for a principal holds:
//! - the organization (id, owner, name, settings); its invite tokens only if the principal
//!   may `org.invite`; the group mappings of the principal's own groups (for projects kept);
//! - the principal's own membership and the owner's (owner protection is decided on it);
//!   a request that names another member (`org.change_role`, `org.remove_member`: see
//!   [`member_touched`]) is decided on [`Policy::slice_touching`] that member, which adds
//!   their membership. So a slice grows with what the member reaches, never with the
//!   organization's headcount (an administrator of 100,000 members does not carry them);
//! - if the principal is an active member: the projects they may `project.view`, the
//!   workspaces they may `workspace.view` and those of the kept projects (a workspace kept
//!   only for its projects has no name: annotators and reviewers see projects, not
//!   workspaces); of each, members and assignments only the principal's own;
//! - the principal's own user entry if they are a member (nobody else's email or name); of
//!   someone who is not, only that they exist (so they are `not_member`, not unknown).
//!
//! `org.signup` is not a member's request (the signup form is anonymous): it is decided on the
//! whole facts, never on a slice, which carries the invite tokens only for those who may
//! invite.
//!
//! A project, workspace or member outside that reach is absent, so the slice answers
//! `unknown_resource` where the whole snapshot says `out_of_scope`, `role_lacks_permission`
//! or `sandbox_private` about it: a slice never reveals what exists outside it.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::action::Action;
use crate::facts::{
    AssignmentFacts, Facts, GroupMapping, MemberFacts, OrgFacts, OrgSettings, ProjectFacts,
    ProjectSettings, UserFacts, WorkspaceFacts,
};
use crate::policy::Policy;
use crate::request::{Principal, Request, Resource};
use crate::snapshot::{Organization, Snapshot};

/// What of an organization to keep.
struct Keep<'a> {
    /// Every membership, or only these users'.
    members: Option<&'a [u64]>,
    /// The invite tokens.
    tokens: bool,
    /// Every group mapping, or only these groups'.
    groups: Option<&'a [String]>,
    /// Every workspace and project, or only these (ascending).
    workspaces: Option<&'a [u64]>,
    projects: Option<&'a [u64]>,
    /// In member and assignment lists: everyone, or only this user.
    user: Option<u64>,
    /// The workspaces whose names are kept: every one, or only these (ascending). A
    /// workspace kept only because a kept project is in it is nameless to a member who may
    /// not view it (annotators and reviewers see projects, not workspaces).
    named: Option<&'a [u64]>,
}

fn kept(list: Option<&[u64]>, id: u64) -> bool {
    list.is_none_or(|l| l.binary_search(&id).is_ok())
}

impl Snapshot {
    /// Every fact of the snapshot, in canonical order ([`Facts::canonicalize`]).
    pub fn to_facts(&self) -> Facts {
        let all = Keep {
            members: None,
            tokens: true,
            groups: None,
            workspaces: None,
            projects: None,
            user: None,
            named: None,
        };
        let mut facts = Facts {
            edition: self.edition,
            organizations: self
                .organization_ids()
                .into_iter()
                .filter_map(|o| self.orgs.get(&o))
                .map(|o| self.org_facts(o, &all))
                .collect(),
            users: self.users.values().map(user_facts).collect(),
        };
        facts.canonicalize();
        facts
    }

    fn org_facts(&self, o: &Organization, keep: &Keep<'_>) -> OrgFacts {
        let mine = |u: &u64| keep.user.is_none_or(|k| k == *u);
        let members: Vec<MemberFacts> = self
            .members
            .iter()
            .filter(|((org, u), _)| *org == o.id && keep.members.is_none_or(|l| l.contains(u)))
            .map(|((_, u), m)| MemberFacts {
                user: *u,
                role: m.role,
                status: m.status,
            })
            .collect();
        let group_kept = |g: &str| keep.groups.is_none_or(|l| l.iter().any(|x| x == g));
        let mut group_mappings: Vec<GroupMapping> = o
            .group_roles
            .iter()
            .filter(|(g, _)| group_kept(g))
            .map(|(g, r)| GroupMapping {
                group: g.to_string(),
                role: *r,
                project: None,
            })
            .collect();
        for (g, ps) in o.group_projects.iter().filter(|(g, _)| group_kept(g)) {
            for (p, r) in ps.iter().filter(|(p, _)| kept(keep.projects, *p)) {
                group_mappings.push(GroupMapping {
                    group: g.to_string(),
                    role: *r,
                    project: Some(*p),
                });
            }
        }
        let workspaces = o
            .workspaces
            .iter()
            .filter(|w| kept(keep.workspaces, **w))
            .filter_map(|w| self.workspaces.get(w))
            .map(|w| WorkspaceFacts {
                id: w.id,
                name: w
                    .name
                    .as_deref()
                    .filter(|_| kept(keep.named, w.id))
                    .map(String::from),
                members: w.members.iter().copied().filter(mine).collect(),
                sandbox_of: w.sandbox_of,
            })
            .collect();
        let projects = o
            .projects
            .iter()
            .filter(|p| kept(keep.projects, **p))
            .filter_map(|p| self.projects.get(p))
            .map(|p| ProjectFacts {
                id: p.id,
                workspace: p.workspace,
                created_by: p.created_by,
                title: p.title.as_deref().map(String::from),
                members: p.members.iter().copied().filter(mine).collect(),
                settings: ProjectSettings {
                    annotators_can_view_own_data: p.annotators_can_view_own_data,
                },
                assignments: p
                    .assignments
                    .iter()
                    .filter(|(u, _)| mine(u))
                    .map(|(u, k)| AssignmentFacts { user: *u, kind: *k })
                    .collect(),
            })
            .collect();
        OrgFacts {
            id: o.id,
            owner: o.owner,
            name: o.name.as_deref().map(String::from),
            settings: OrgSettings {
                disable_signup_without_link: o.signup_needs_invite,
            },
            invite_tokens: if keep.tokens {
                o.invite_tokens.iter().map(|t| t.to_string()).collect()
            } else {
                Vec::new()
            },
            members,
            group_mappings,
            workspaces,
            projects,
        }
    }
}

fn user_facts(u: &crate::snapshot::User) -> UserFacts {
    UserFacts {
        id: u.id,
        email: u.email.as_deref().map(String::from),
        name: u.name.as_deref().map(String::from),
    }
}

/// The member a request of `action` on `res` names, whose membership its decision reads
/// (`org.change_role` and `org.remove_member` of `res.member`): the slice it is decided on
/// must hold that membership too ([`Policy::slice_touching`]).
pub fn member_touched(action: Action, res: &Resource) -> Option<u64> {
    match action {
        Action::OrgChangeRole | Action::OrgRemoveMember => res.member,
        _ => None,
    }
}

impl Policy {
    /// The slice of organization `org` for `principal` (see the module's documentation): the
    /// facts a browser receives and an edge isolate caches for that member. An organization
    /// the snapshot does not have gives facts without organizations.
    pub fn slice(&self, principal: &Principal, org: u64) -> Facts {
        self.slice_touching(principal, org, None)
    }

    /// The slice with the membership of `member` too (if they are one): the facts of a
    /// request that names them ([`member_touched`]).
    pub fn slice_touching(&self, principal: &Principal, org: u64, member: Option<u64>) -> Facts {
        self.slice_with(principal, org, member, true)
    }

    /// The slice without workspaces and projects ([`Policy::slice_touching`] minus them): it
    /// decides every request whose resource names no workspace or project (the
    /// organization-level ones: API access, roles, members, invites, new workspaces) as the
    /// whole snapshot does, and costs the same for an administrator of 10,000 projects as for
    /// an annotator of one.
    pub fn org_slice(&self, principal: &Principal, org: u64, member: Option<u64>) -> Facts {
        self.slice_with(principal, org, member, false)
    }

    fn slice_with(
        &self,
        principal: &Principal,
        org: u64,
        member: Option<u64>,
        objects: bool,
    ) -> Facts {
        let snap = self.snapshot();
        let mut facts = Facts {
            edition: snap.edition(),
            organizations: Vec::new(),
            users: Vec::new(),
        };
        let Some(o) = snap.organization(org) else {
            return facts;
        };
        let may = |action: Action| {
            self.decide(&Request {
                principal: principal.clone(),
                org,
                action,
                resource: Resource::org(),
            })
            .allow
        };
        let user = principal.user;
        let active = objects && may(Action::OrgApiAccess);
        let projects = if active {
            self.visible_projects(principal, org)
        } else {
            Vec::new()
        };
        let mut workspaces = if active {
            self.visible_workspaces(principal, org)
        } else {
            Vec::new()
        };
        let named = workspaces.clone();
        workspaces.extend(
            projects
                .iter()
                .filter_map(|p| snap.project(*p))
                .map(|p| p.workspace),
        );
        workspaces.sort_unstable();
        workspaces.dedup();
        let own: Vec<u64> = user.into_iter().chain([o.owner]).chain(member).collect();
        let keep = Keep {
            members: Some(own.as_slice()),
            tokens: may(Action::OrgInvite),
            groups: Some(&principal.groups),
            workspaces: Some(&workspaces),
            projects: Some(&projects),
            user: Some(user.unwrap_or(u64::MAX)),
            named: Some(&named),
        };
        facts.organizations.push(snap.org_facts(o, &keep));
        if let Some(u) = user {
            // Their own entry if they are a member here; else only that they exist.
            let member = snap.membership(org, u).is_some();
            if let (true, Some(entry)) = (member, snap.user(u)) {
                facts.users.push(user_facts(entry));
            } else if snap.knows_user(u) {
                facts.users.push(UserFacts {
                    id: u,
                    email: None,
                    name: None,
                });
            }
        }
        facts.canonicalize();
        facts
    }
}
