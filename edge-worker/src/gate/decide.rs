//! The decision proper: the slice a plan is decided on, the core asked (with the plan's
//! alternative, its narrowed read, a sandbox made on first use), and how a decision is stamped
//! on what is forwarded and on a refusal.

use policy_core::{Action, Decision, Policy, Principal, Reason, Request, Resource};

use crate::gate::plan::Plan;
use crate::gate::resolve;
use crate::gate::routes::{self, Server};
use crate::http::reply::Reply;
use crate::source::client::SliceScope;

/// The slice `plan` is decided on: the organization's when the request names no workspace
/// or project (and is no list, no project made in a sandbox, not the member's own slice),
/// touching the member it names.
pub fn scope_of(m: &routes::Matched, plan: &Plan, resolved: &resolve::Resolved) -> SliceScope {
    let r = &resolved.resource;
    let org_level = (resolved.org_level && plan.fallback.is_some())
        || (r.workspace.is_none() && r.project.is_none() && r.target_workspace.is_none());
    SliceScope {
        member: policy_core::member_touched(plan.action, &plan.resource),
        objects: !org_level
            || plan.list.is_some()
            || plan.default_sandbox
            || m.row.server == Server::Me,
    }
}

/// The action and resource of `plan` for the principal in `org`, and their decision.
/// `make_sandbox`: whether the facts can make a member's sandbox on first use (the store can;
/// a KV snapshot cannot).
pub fn decide_on(
    policy: &Policy,
    plan: &Plan,
    resolved: resolve::Resolved,
    org: u64,
    principal: &Principal,
    make_sandbox: bool,
) -> Result<(Decision, Action, Resource), Reply> {
    let user = principal.user.unwrap_or_default();
    let (action, mut resource) = resolve::finish(policy, plan, resolved, org, user)?;
    if plan.default_sandbox && resource.workspace.is_none() && !make_sandbox {
        let msg = format!(
            "the body names no `workspace` and user `{user}` has no sandbox in the snapshot \
             (a KV snapshot cannot make one: name a workspace, or run with the store)"
        );
        return Err(Reply::deny(400, policy, Reason::InvalidRequest, msg));
    }
    if plan.default_sandbox && resource.workspace.is_none() {
        // The member's first project without a workspace: their sandbox is made then.
        let sandboxed = resolve::with_new_sandbox(policy, principal, org)?;
        resource.workspace = Some(resolve::NEW_SANDBOX);
        let decision = sandboxed.decide(&Request {
            principal: principal.clone(),
            org,
            action,
            resource: resource.clone(),
        });
        resource.workspace = None;
        return Ok((decision, action, resource));
    }
    let decision = policy.decide(&Request {
        principal: principal.clone(),
        org,
        action,
        resource: resource.clone(),
    });
    if !decision.allow
        && let Some(or) = plan.alternative
    {
        let other = policy.decide(&Request {
            principal: principal.clone(),
            org,
            action: or,
            resource: resource.clone(),
        });
        if other.allow {
            return Ok((other, or, resource));
        }
    }
    if !decision.allow && plan.narrow.is_some() {
        // A member refused the read who may use the API gets its narrowed answer.
        let api = policy.decide(&Request {
            principal: principal.clone(),
            org,
            action: Action::OrgApiAccess,
            resource: Resource::org(),
        });
        if api.allow {
            return Ok((api, Action::OrgApiAccess, Resource::org()));
        }
    }
    Ok((decision, action, resource))
}

/// The `X-LabelGate-Decision` value: `allowed project.view org=1 project=1000`.
pub fn stamp(d: &Decision, action: Action, org: u64, res: &Resource, list: Option<&str>) -> String {
    let mut s = format!("{} {action} org={org}", d.reason.name());
    for (name, v) in [
        ("workspace", res.workspace),
        ("project", res.project),
        ("member", res.member),
        ("subject", res.subject),
    ] {
        if let Some(v) = v {
            s.push_str(&format!(" {name}={v}"));
        }
    }
    if let Some(list) = list {
        s.push_str(&format!(" list={list}"));
    }
    s
}

/// A 403 with the decision, stamped.
pub fn denied(d: &Decision, action: Action, org: u64, res: &Resource) -> Reply {
    Reply::refusal(403, d).with("x-labelgate-decision", stamp(d, action, org, res, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decision_stamp_names_the_resource() {
        let policy = Policy::from_snapshot_json(policy_core::DEMO_SNAPSHOT_JSON).unwrap();
        let res = Resource::project(1000);
        let d = policy.decide(&Request {
            principal: Principal::user(12),
            org: 1,
            action: Action::ProjectExport,
            resource: res.clone(),
        });
        assert_eq!(
            stamp(&d, Action::ProjectExport, 1, &res, None),
            "allowed project.export org=1 project=1000"
        );
    }
}
