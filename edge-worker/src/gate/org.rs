//! The organization a request acts in. Project, workspace, task and annotation ids are
//! unique across organizations, so a route that names one of them acts in that object's
//! organization: a member of several organizations needs no header there (Label Studio's
//! SDK cannot send one). An organization-level route names its organization in the path
//! (`0`: the member's only one), or with `X-LabelGate-Org`, or is the member's only one.
//! A header that names another organization than the object's is refused by the decision
//! (the object is not in that organization).

use policy_core::{Action, Decision, Policy, Principal, Reason, Request, Resource};

use crate::http::fetch::Incoming;
use crate::http::path;
use crate::http::reply::Reply;
use crate::source::client::SliceScope;
use crate::source::{Source, UserOrgs};

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
    /// that of the project or workspace it names (`base`: for the refusal's policy id).
    pub async fn org_of(
        &self,
        source: &Source<'_>,
        base: &Policy,
        resource: &Resource,
    ) -> Result<u64, Reply> {
        let orgs = match self {
            Choice::Fixed(o) => return Ok(*o),
            Choice::ByObject(orgs) => orgs,
        };
        let (thing, id) = match (resource.project, resource.workspace) {
            (Some(p), _) => ("project", p),
            (None, Some(w)) => ("workspace", w),
            (None, None) => return Err(needed()),
        };
        let policy = base;
        match source.org_of(resource).await? {
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
    who: &UserOrgs,
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
    let orgs = &who.orgs;
    let only = || match orgs.as_slice() {
        [org] => Ok(*org),
        [] if who.known => Err(Reply::deny(
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
/// member's. `Ok(Err)`: the refusal and the organization it was decided in; `Err`: the facts
/// could not be read.
pub async fn gate(
    source: &Source<'_>,
    principal: &Principal,
    known: bool,
    choice: &Choice,
) -> Result<Result<(), (Decision, u64)>, Reply> {
    let orgs = match choice {
        Choice::Fixed(o) => core::slice::from_ref(o),
        Choice::ByObject(orgs) => orgs.as_slice(),
    };
    let ask = |policy: &Policy, org: u64| {
        policy.decide(&Request {
            principal: principal.clone(),
            org,
            action: Action::OrgApiAccess,
            resource: Resource::org(),
        })
    };
    let mut first = None;
    for &org in orgs {
        let policy = source
            .policy(org, principal, known, false, SliceScope::ORG)
            .await?;
        let d = ask(&policy, org);
        if d.allow {
            return Ok(Ok(()));
        }
        first.get_or_insert((d, org));
    }
    Ok(Err(first.unwrap_or_else(|| (ask(source.base(), 0), 0))))
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use futures_util::FutureExt;

    use super::*;

    fn policy() -> Policy {
        Policy::from_snapshot_json(policy_core::DEMO_SNAPSHOT_JSON).unwrap()
    }

    fn who(p: &Policy, user: u64) -> UserOrgs {
        UserOrgs {
            orgs: p.snapshot().organizations_of(user),
            known: p.snapshot().knows_user(user),
        }
    }

    fn pick(h: &Incoming, user: u64, in_path: Option<u64>) -> Result<Choice, Reply> {
        let p = policy();
        choose(h, &p, &who(&p, user), user, in_path)
    }

    fn fixed(h: &Incoming, user: u64, in_path: Option<u64>) -> Option<u64> {
        pick(h, user, in_path).ok().and_then(|c| c.fixed())
    }

    fn source() -> Source<'static> {
        Source::Snapshot(Rc::new(policy()), String::from("v1"))
    }

    #[test]
    fn the_organization_comes_from_the_path_the_header_or_the_only_one() {
        let none = Incoming::default();
        let one = Incoming::from_pairs(&[("x-labelgate-org", "1")]);
        let two = Incoming::from_pairs(&[("x-labelgate-org", "2")]);
        assert_eq!(fixed(&none, 12, None), Some(1));
        assert_eq!(fixed(&none, 12, Some(0)), Some(1));
        assert_eq!(fixed(&one, 12, Some(0)), Some(1));
        assert_eq!(fixed(&two, 12, None), Some(2), "the core says not_member");
        // Ann is in organizations 1 and 2.
        assert_eq!(
            pick(&none, 14, None).ok(),
            Some(Choice::ByObject(vec![1, 2]))
        );
        assert_eq!(fixed(&one, 14, None), Some(1));
        assert_eq!(pick(&two, 14, Some(0)).unwrap_err().status, 400);
        assert_eq!(pick(&none, 14, Some(0)).unwrap_err().status, 400);
        assert_eq!(pick(&one, 14, Some(2)).unwrap_err().status, 400);
        assert_eq!(fixed(&none, 14, Some(2)), Some(2));
        let unknown = pick(&none, 99, None).unwrap_err();
        assert!(unknown.body.contains("unknown_principal"));
        let bad = Incoming::from_pairs(&[("x-labelgate-org", "one")]);
        assert_eq!(pick(&bad, 12, None).unwrap_err().status, 400);
    }

    #[test]
    fn an_object_names_its_organization() {
        let (s, p) = (source(), policy());
        let by = Choice::ByObject(vec![1, 2]);
        let org = |c: &Choice, r: Resource| c.org_of(&s, &p, &r).now_or_never().unwrap();
        assert_eq!(org(&by, Resource::project(2000)).ok(), Some(2));
        assert_eq!(org(&by, Resource::project(1000)).ok(), Some(1));
        assert_eq!(org(&by, Resource::workspace(100)).ok(), Some(1));
        let needed = org(&by, Resource::org()).unwrap_err();
        assert_eq!(
            (needed.status, needed.body.contains("organization_needed")),
            (400, true)
        );
        let unknown = org(&by, Resource::project(424242)).unwrap_err();
        assert!(unknown.body.contains("unknown_resource"));
        assert_eq!(
            org(&Choice::Fixed(1), Resource::project(2000)).ok(),
            Some(1)
        );
    }

    #[test]
    fn the_gate_needs_one_organization_that_lets_the_member_in() {
        let s = source();
        let run = |who: u64, c: Choice| s.clone_gate(who, c);
        assert!(run(14, Choice::ByObject(vec![1, 2])).is_ok());
        let (d, org) = run(16, Choice::Fixed(1)).unwrap_err();
        assert_eq!((d.reason, org), (Reason::Deactivated, 1));
    }

    impl Source<'_> {
        fn clone_gate(&self, user: u64, c: Choice) -> Result<(), (Decision, u64)> {
            gate(self, &Principal::user(user), true, &c)
                .now_or_never()
                .unwrap()
                .unwrap()
        }
    }
}
