//! The organization a request acts in. Project, workspace, task and annotation ids are
//! unique across organizations, so a route that names one of them acts in that object's
//! organization: a member of several organizations needs no header there (Label Studio's
//! SDK cannot send one). An organization-level route names its organization in the path
//! (`0`: the member's only one), or with `X-LabelGate-Org`, or is the member's only one.
//! A header that names another organization than the object's is refused by the decision
//! (the object is not in that organization).

use policy_core::{Action, Decision, Policy, Principal, Reason, Request, Resource};

use crate::fetch::Incoming;
use crate::gate::path;
use crate::reply::Reply;

/// Where the organization comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    /// Named by the path or the header, or the member's only one.
    Fixed(u64),
    /// The member belongs to these (several) organizations and named none: the object the
    /// request names decides.
    ByObject(Vec<u64>),
}

impl Choice {
    /// The organization, when already known.
    pub fn fixed(&self) -> Option<u64> {
        match self {
            Choice::Fixed(o) => Some(*o),
            Choice::ByObject(_) => None,
        }
    }

    /// The organization of the request, now that its `resource` is known: the fixed one, or
    /// that of the project or workspace it names.
    pub fn org_of(&self, policy: &Policy, resource: &Resource) -> Result<u64, Reply> {
        let orgs = match self {
            Choice::Fixed(o) => return Ok(*o),
            Choice::ByObject(orgs) => orgs,
        };
        let snap = policy.snapshot();
        let (thing, id, found) = if let Some(p) = resource.project {
            ("project", p, snap.project(p).map(|p| p.org))
        } else if let Some(w) = resource.workspace {
            ("workspace", w, snap.workspace(w).map(|w| w.org))
        } else {
            return Err(needed());
        };
        match found {
            Some(org) => Ok(org),
            None => Err(Reply::deny(
                403,
                policy,
                Reason::UnknownResource,
                format!(
                    "{thing} `{id}` is in none of your organizations ({})",
                    list(orgs)
                ),
            )),
        }
    }
}

fn list(orgs: &[u64]) -> String {
    orgs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn needed() -> Reply {
    Reply::error(
        400,
        "organization_needed",
        "you belong to several organizations: name one with `X-LabelGate-Org`",
    )
}

/// How the organization of the request is found: the path's (`0` is the member's only
/// one, so with several it is ambiguous), `X-LabelGate-Org`, the member's only one, or the
/// object the request names.
pub fn choose(
    incoming: &Incoming,
    policy: &Policy,
    user: u64,
    in_path: Option<u64>,
) -> Result<Choice, Reply> {
    let named = match incoming.get("x-labelgate-org") {
        None => None,
        Some(v) => Some(path::parse_id(v.trim()).ok_or_else(|| {
            Reply::error(
                400,
                "bad_org_header",
                "`X-LabelGate-Org` must be an organization id",
            )
        })?),
    };
    let orgs = policy.snapshot().organizations_of(user);
    let only = || match orgs.as_slice() {
        [org] => Ok(*org),
        [] if policy.snapshot().knows_user(user) => Err(Reply::deny(
            403,
            policy,
            Reason::NotMember,
            format!("user `{user}` is not a member of any organization"),
        )),
        [] => Err(Reply::deny(
            403,
            policy,
            Reason::UnknownPrincipal,
            format!("user `{user}` is not known"),
        )),
        _ => Err(needed()),
    };
    match (in_path, named) {
        (None, None) if orgs.len() > 1 => Ok(Choice::ByObject(orgs.clone())),
        (None | Some(0), None) => only().map(Choice::Fixed),
        (Some(0), Some(n)) => match only() {
            Ok(o) if o == n => Ok(Choice::Fixed(o)),
            Ok(_) | Err(_) => Err(Reply::error(
                400,
                "ambiguous_org",
                "organization `0` in the path is ambiguous here: name the organization in the path",
            )),
        },
        (Some(p), Some(n)) if p != n => Err(Reply::error(
            400,
            "ambiguous_org",
            format!("the path names organization `{p}` and `X-LabelGate-Org` names `{n}`"),
        )),
        (Some(o), _) | (None, Some(o)) => Ok(Choice::Fixed(o)),
    }
}

/// `org.api_access`: in the organization, or (not yet known) in at least one of the
/// member's. `Err`: the refusal and the organization it was decided in.
pub fn gate(
    policy: &Policy,
    principal: &Principal,
    choice: &Choice,
) -> Result<(), (Decision, u64)> {
    let decide = |org: u64| {
        policy.decide(&Request {
            principal: principal.clone(),
            org,
            action: Action::OrgApiAccess,
            resource: Resource::org(),
        })
    };
    let orgs = match choice {
        Choice::Fixed(o) => core::slice::from_ref(o),
        Choice::ByObject(orgs) => orgs.as_slice(),
    };
    let mut first = None;
    for &org in orgs {
        let d = decide(org);
        if d.allow {
            return Ok(());
        }
        first.get_or_insert((d, org));
    }
    Err(first.unwrap_or_else(|| (decide(0), 0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy::from_snapshot_json(policy_core::DEMO_SNAPSHOT_JSON).unwrap()
    }

    fn fixed(h: &Incoming, user: u64, in_path: Option<u64>) -> Option<u64> {
        choose(h, &policy(), user, in_path)
            .ok()
            .and_then(|c| c.fixed())
    }

    #[test]
    fn the_organization_comes_from_the_path_the_header_or_the_only_one() {
        let p = policy();
        let none = Incoming::default();
        let one = Incoming::from_pairs(&[("x-labelgate-org", "1")]);
        let two = Incoming::from_pairs(&[("x-labelgate-org", "2")]);
        assert_eq!(fixed(&none, 12, None), Some(1));
        assert_eq!(fixed(&none, 12, Some(0)), Some(1));
        assert_eq!(fixed(&one, 12, Some(0)), Some(1));
        assert_eq!(fixed(&two, 12, None), Some(2), "the core says not_member");
        // Ann is in organizations 1 and 2.
        assert_eq!(
            choose(&none, &p, 14, None).ok(),
            Some(Choice::ByObject(vec![1, 2]))
        );
        assert_eq!(fixed(&one, 14, None), Some(1));
        assert_eq!(choose(&two, &p, 14, Some(0)).unwrap_err().status, 400);
        assert_eq!(choose(&none, &p, 14, Some(0)).unwrap_err().status, 400);
        assert_eq!(choose(&one, &p, 14, Some(2)).unwrap_err().status, 400);
        assert_eq!(fixed(&none, 14, Some(2)), Some(2));
        let unknown = choose(&none, &p, 99, None).unwrap_err();
        assert!(unknown.body.contains("unknown_principal"));
        let bad = Incoming::from_pairs(&[("x-labelgate-org", "one")]);
        assert_eq!(choose(&bad, &p, 12, None).unwrap_err().status, 400);
    }

    #[test]
    fn an_object_names_its_organization() {
        let p = policy();
        let by = Choice::ByObject(vec![1, 2]);
        assert_eq!(by.org_of(&p, &Resource::project(2000)).ok(), Some(2));
        assert_eq!(by.org_of(&p, &Resource::project(1000)).ok(), Some(1));
        assert_eq!(by.org_of(&p, &Resource::workspace(100)).ok(), Some(1));
        let needed = by.org_of(&p, &Resource::org()).unwrap_err();
        assert_eq!(
            (needed.status, needed.body.contains("organization_needed")),
            (400, true)
        );
        let unknown = by.org_of(&p, &Resource::project(424242)).unwrap_err();
        assert!(unknown.body.contains("unknown_resource"));
        assert_eq!(
            Choice::Fixed(1).org_of(&p, &Resource::project(2000)).ok(),
            Some(1)
        );
    }

    #[test]
    fn the_gate_needs_one_organization_that_lets_the_member_in() {
        let p = policy();
        let ann = Principal::user(14);
        assert!(gate(&p, &ann, &Choice::ByObject(vec![1, 2])).is_ok());
        let dan = Principal::user(16);
        let (d, org) = gate(&p, &dan, &Choice::Fixed(1)).unwrap_err();
        assert_eq!((d.reason, org), (Reason::Deactivated, 1));
    }
}
