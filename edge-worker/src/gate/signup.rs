//! Signup gating: `GET|POST /user/signup/` (Label Studio's signup page and form, the invite
//! link is `/user/signup/?token=...`) is decided as `org.signup` for an anonymous principal,
//! with the query's `token` as the resource's `invite_token`.
//!
//! The signup names no organization, so: a token that opens an organization which needs an
//! invite (allowed with it, refused without it) decides in that organization; otherwise the
//! signup must be allowed in every organization of the snapshot (the first refusal is the
//! answer), so that an open organization never opens a gated one. An allowed signup creates a
//! member who starts `not_activated` (the decision says so); until the snapshot lists them,
//! the new user is unknown to the policy and gets nothing.

use policy_core::{Action, Decision, Policy, Principal, Reason, Request, Resource};

/// The organization the signup is decided in, and the decision. `None`: the snapshot has no
/// organization.
pub fn decide(policy: &Policy, token: Option<&str>) -> Option<(u64, Decision)> {
    let ask = |org: u64, token: Option<&str>| {
        policy.decide(&Request {
            principal: Principal::default(),
            org,
            action: Action::OrgSignup,
            resource: Resource {
                invite_token: token.map(str::to_owned),
                ..Resource::default()
            },
        })
    };
    let orgs = policy.snapshot().organization_ids();
    if let Some(t) = token {
        for &org in &orgs {
            let with = ask(org, Some(t));
            if with.allow && !ask(org, None).allow {
                return Some((org, with));
            }
        }
    }
    let mut last = None;
    for &org in &orgs {
        let d = ask(org, token);
        if !d.allow {
            return Some((org, d));
        }
        last = Some((org, d));
    }
    last
}

/// Whether `d` refused for the signup setting.
pub fn closed(d: &Decision) -> bool {
    !d.allow && d.reason == Reason::SettingDisabled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Policy {
        Policy::from_snapshot_json(policy_core::DEMO_SNAPSHOT_JSON).unwrap()
    }

    #[test]
    fn gated_orgs_need_their_token() {
        let p = demo();
        // Acme (1) needs an invite; Beta (2) does not: without a token, Acme refuses.
        let (org, d) = decide(&p, None).unwrap();
        assert_eq!(
            (org, d.allow, d.reason),
            (1, false, Reason::SettingDisabled)
        );
        assert!(closed(&d));
        let (org, d) = decide(&p, Some("wrong")).unwrap();
        assert_eq!((org, d.allow), (1, false));
        let (org, d) = decide(&p, Some("demo-invite-7f3a")).unwrap();
        assert_eq!((org, d.allow), (1, true));
        assert!(d.to_json().contains("not_activated"), "{}", d.to_json());
    }
}
