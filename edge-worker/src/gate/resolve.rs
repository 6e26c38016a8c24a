//! From a plan to the resource the core decides on: the one project every source names
//! (objects are described by the origin, see [`crate::gate::lookup`]), the subject, the
//! member's sandbox for a project created without a workspace, and the organization-level
//! action of a route whose request names no project.

use policy_core::{Action, Policy, Reason, Resource};

use crate::gate::lookup::{Lookup, Unresolved};
use crate::gate::plan::{Plan, ProjectRef};
use crate::http::reply::Reply;

/// The sources of a plan, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    /// The plan's resource with its project, if any.
    pub resource: Resource,
    /// The author of the object the path names.
    pub author: Option<u64>,
    /// No source named a project: the plan's fallback (organization-level) action applies.
    pub org_level: bool,
}

fn one_project(policy: &Policy, found: &[u64]) -> Result<Option<u64>, Reply> {
    match found {
        [] => Ok(None),
        [first, rest @ ..] if rest.iter().all(|p| p == first) => Ok(Some(*first)),
        _ => Err(Reply::deny(
            400,
            policy,
            Reason::InvalidRequest,
            "the request names more than one project",
        )),
    }
}

/// Resolves every project source of `plan` (objects through `lookup`; without one, an
/// object cannot be resolved and the request is refused).
pub async fn resolve(
    policy: &Policy,
    plan: &Plan,
    lookup: Option<&Lookup<'_>>,
) -> Result<Resolved, Reply> {
    let mut ids = Vec::new();
    let mut author = None;
    let mut described_without = false;
    for s in &plan.projects {
        let (path, exists_only) = match s {
            ProjectRef::Id(p) => {
                ids.push(*p);
                continue;
            }
            ProjectRef::Object(path) => (path, false),
            ProjectRef::Exists(path) => (path, true),
        };
        let unknown = || {
            Reply::deny(
                403,
                policy,
                Reason::UnknownResource,
                format!("`{path}` names no project this member can see"),
            )
        };
        let Some(lookup) = lookup else {
            return Err(unknown());
        };
        match lookup.describe(path).await {
            Ok(_) if exists_only => {}
            Ok((project, a)) => {
                author = author.or(a);
                match project {
                    Some(p) => ids.push(p),
                    None if plan.fallback.is_some() => described_without = true,
                    None => return Err(unknown()),
                }
            }
            Err(Unresolved::Object(_)) => return Err(unknown()),
            Err(Unresolved::Unreachable(e)) => {
                worker::console_error!("labelgate: lookup: {e}");
                return Err(Reply::error(
                    502,
                    "origin_unreachable",
                    "the origin did not answer",
                ));
            }
        }
    }
    let project = one_project(policy, &ids)?;
    if described_without && project.is_some() {
        return Err(Reply::deny(
            400,
            policy,
            Reason::InvalidRequest,
            "the request names a project and an object that belongs to none",
        ));
    }
    let org_level = project.is_none() && plan.fallback.is_some();
    let mut resource = plan.resource.clone();
    resource.project = project;
    Ok(Resolved {
        resource,
        author,
        org_level,
    })
}

/// The member's sandbox in `org`.
fn sandbox_of(policy: &Policy, org: u64, user: u64) -> Option<u64> {
    let snap = policy.snapshot();
    snap.organization(org)?
        .workspaces
        .iter()
        .copied()
        .find(|w| {
            snap.workspace(*w)
                .is_some_and(|ws| ws.sandbox_of == Some(user))
        })
}

/// The action and resource to decide, in `org`, for `user`.
pub fn finish(
    policy: &Policy,
    plan: &Plan,
    resolved: Resolved,
    org: u64,
    user: u64,
) -> Result<(Action, Resource), Reply> {
    let not_own = |message: String| {
        Reply::deny(403, policy, Reason::OutOfScope, message).with(
            "x-labelgate-decision",
            format!("out_of_scope {} org={org}", plan.action),
        )
    };
    if let Some(member) = plan.own_account
        && member != user
    {
        return Err(not_own(format!(
            "a member may change only their own account, and user `{member}` is not user `{user}`"
        )));
    }
    if let Some(author) = plan.body_author
        && author != user
    {
        return Err(not_own(format!(
            "user `{user}` may not write an annotation or draft in the name of user `{author}`"
        )));
    }
    if resolved.org_level
        && let Some(action) = plan.fallback
    {
        return Ok((action, Resource::org()));
    }
    let mut res = resolved.resource;
    if plan.subject_from_object {
        res.subject = resolved.author;
    } else if plan.subject_self && res.subject.is_none() {
        res.subject = Some(user);
    }
    if plan.default_sandbox {
        // With none yet, the store makes the sandbox on first use: `gate::decide_on` decides
        // as if it existed (a KV snapshot cannot make one: refused there).
        res.workspace = sandbox_of(policy, org, user);
    }
    Ok((plan.action, res))
}

/// The id a sandbox about to be made on first use stands under while it is decided on.
pub const NEW_SANDBOX: u64 = u64::MAX >> 12;

/// `policy` with the member's sandbox added (made on first use, so not yet in the facts):
/// creating a project without a workspace is decided as creating it there.
pub fn with_new_sandbox(
    policy: &Policy,
    principal: &policy_core::Principal,
    org: u64,
) -> Result<Policy, Reply> {
    let user = principal.user.unwrap_or_default();
    let mut facts = policy.slice(principal, org);
    for o in facts.organizations.iter_mut().filter(|o| o.id == org) {
        o.workspaces.push(policy_core::WorkspaceFacts {
            id: NEW_SANDBOX,
            name: Some(String::from("Sandbox")),
            members: Vec::new(),
            sandbox_of: Some(user),
        });
    }
    let snapshot = policy_core::Snapshot::from_facts(facts)
        .map_err(|e| Reply::error(500, "sandbox", e.to_string()))?;
    Ok(Policy::new(policy.matrix().clone(), snapshot))
}
