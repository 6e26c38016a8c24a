//! What a principal reaches: the projects and workspaces of an organization they may view,
//! each checked by the same judgement as a single `project.view` or `workspace.view`.

use alloc::vec::Vec;

use crate::action::Action;
use crate::policy::Policy;
use crate::request::{Principal, Resource};
use crate::resolve::{Ctx, Target};
use crate::role::Role;

impl Policy {
    /// The projects of `org` that `principal` may `project.view`, ascending by id.
    pub fn visible_projects(&self, principal: &Principal, org: u64) -> Vec<u64> {
        let Ok(org) = self.org(org) else {
            return Vec::new();
        };
        let Ok(ctx) = self.resolve(org, principal, Target::Organization) else {
            return Vec::new();
        };
        let user = ctx.member.user;
        let candidates = if ctx.member.role >= Role::Administrator {
            org.projects.clone()
        } else {
            let mut v = Vec::new();
            if let Some(links) = self.snapshot().links.get(&(org.id, user)) {
                for w in &links.workspaces {
                    if let Some(ws) = self.snapshot().workspaces.get(w) {
                        v.extend_from_slice(&ws.projects);
                    }
                }
                v.extend_from_slice(&links.projects);
            }
            for g in principal.groups.iter() {
                if let Some(ps) = org.group_projects.get(g.as_str()) {
                    v.extend(ps.iter().map(|(p, _)| *p));
                }
            }
            v.sort_unstable();
            v.dedup();
            v
        };
        self.keep_allowed(&ctx, candidates, Target::Project, Action::ProjectView)
    }

    /// The workspaces of `org` that `principal` may `workspace.view`, ascending by id.
    pub fn visible_workspaces(&self, principal: &Principal, org: u64) -> Vec<u64> {
        let Ok(org) = self.org(org) else {
            return Vec::new();
        };
        let Ok(ctx) = self.resolve(org, principal, Target::Organization) else {
            return Vec::new();
        };
        let candidates = if ctx.member.role >= Role::Manager {
            org.workspaces.clone()
        } else {
            let mut v = self
                .snapshot()
                .links
                .get(&(org.id, ctx.member.user))
                .map(|l| l.workspaces.clone())
                .unwrap_or_default();
            v.sort_unstable();
            v.dedup();
            v
        };
        self.keep_allowed(&ctx, candidates, Target::Workspace, Action::WorkspaceView)
    }

    /// The ids among `ids` on which `action` is allowed, in their order.
    fn keep_allowed(
        &self,
        ctx: &Ctx<'_>,
        mut ids: Vec<u64>,
        target: fn(u64) -> Target,
        action: Action,
    ) -> Vec<u64> {
        let res = Resource::default();
        ids.retain(|&id| {
            self.place(ctx, target(id))
                .is_ok_and(|place| self.judge(&Ctx { place, ..*ctx }, action, &res).is_ok())
        });
        ids
    }
}
