//! Where the gate's facts come from: the store (a Durable Object per organization, with
//! the `STORE` binding: each member decided on their own slice, see [`crate::source::client`])
//! or, without it, a whole snapshot in KV ([`crate::source::snapshot`], for deployments that
//! generate snapshots elsewhere). Either way the gate asks the same questions; a store that
//! cannot be asked is a 503, never a guess.
//!
//! - [`client`]: the Worker's client of the store, and its caches;
//! - [`snapshot`]: the KV snapshot;
//! - [`revision`]: `X-LabelGate-Revision`, the revision a request must be decided on.

pub mod client;
pub mod revision;
pub mod snapshot;

use std::rc::Rc;

use policy_core::{Facts, Policy, Principal, Resource};
use worker::Env;

use crate::config::Config;
use crate::http::reply::Reply;
use crate::source::client::{Client, SliceScope};

/// The facts the gate decides on.
pub enum Source<'a> {
    /// A whole snapshot from KV, and its version.
    Snapshot(Rc<Policy>, String),
    /// The store: slices per member.
    Store(Client<'a>, Rc<Policy>),
}

/// The user's organizations as the facts know them.
pub struct UserOrgs {
    /// The organizations the user is a member of (ascending).
    pub orgs: Vec<u64>,
    /// Whether the user exists at all (a member anywhere, or listed).
    pub known: bool,
}

fn unavailable(e: String) -> Reply {
    worker::console_error!("labelgate: store: {e}");
    Reply::error(
        503,
        "store_unavailable",
        "the policy's facts could not be read: nothing was decided",
    )
}

/// A policy with no facts: the matrix only (for the policy id of the Worker's own refusals).
fn matrix_only() -> Result<Policy, Reply> {
    let matrix = crate::store::reach::default_matrix()
        .map_err(|e| Reply::error(500, "no_matrix", format!("the role matrix: {e}")))?;
    Policy::from_facts(matrix, Facts::default())
        .map_err(|e| Reply::error(500, "no_matrix", e.to_string()))
}

impl<'a> Source<'a> {
    /// The store if the `STORE` binding exists, else the KV snapshot (503 without one).
    pub async fn of(env: &'a Env, cfg: &Config, now: f64) -> Result<Source<'a>, Reply> {
        if env.durable_object(crate::store::namespace::BINDING).is_ok() {
            let client = Client {
                env,
                staleness_ms: cfg.max_staleness_ms,
                now,
            };
            return Ok(Source::Store(client, Rc::new(matrix_only()?)));
        }
        match snapshot::current(env, now, cfg.snapshot_check_ms).await {
            Some((policy, version)) => Ok(Source::Snapshot(policy, version)),
            None => Err(Reply::error(
                503,
                "no_policy",
                "no policy snapshot is loaded",
            )),
        }
    }

    /// The policy of the Worker's own refusals (its id), and in KV mode the whole policy.
    pub fn base(&self) -> &Rc<Policy> {
        match self {
            Source::Snapshot(p, _) | Source::Store(_, p) => p,
        }
    }

    /// The store's client, in store mode.
    pub fn store(&self) -> Option<&Client<'a>> {
        match self {
            Source::Store(c, _) => Some(c),
            Source::Snapshot(..) => None,
        }
    }

    /// The user with this email (Cloudflare Access).
    pub async fn user_by_email(&self, email: &str) -> Result<Option<u64>, Reply> {
        match self {
            Source::Snapshot(p, _) => Ok(p.snapshot().user_by_email(email)),
            Source::Store(c, _) => c.user_by_email(email).await.map_err(unavailable),
        }
    }

    /// The organizations of `user`.
    pub async fn user(&self, user: u64) -> Result<UserOrgs, Reply> {
        match self {
            Source::Snapshot(p, _) => Ok(UserOrgs {
                orgs: p.snapshot().organizations_of(user),
                known: p.snapshot().knows_user(user),
            }),
            Source::Store(c, _) => {
                let (orgs, known) = c.orgs_of(user).await.map_err(unavailable)?;
                Ok(UserOrgs { orgs, known })
            }
        }
    }

    /// The organization of the project or workspace `res` names.
    pub async fn org_of(&self, res: &Resource) -> Result<Option<u64>, Reply> {
        let (kind, id) = match (res.project, res.workspace) {
            (Some(p), _) => ("project", p),
            (None, Some(w)) => ("workspace", w),
            (None, None) => return Ok(None),
        };
        match self {
            Source::Snapshot(p, _) => Ok(if kind == "project" {
                p.snapshot().project(id).map(|x| x.org)
            } else {
                p.snapshot().workspace(id).map(|x| x.org)
            }),
            Source::Store(c, _) => c.org_of(kind, id).await.map_err(unavailable),
        }
    }

    /// The policy `principal` is decided on in `org`: the whole one, or their slice of
    /// `scope` (asked of the store again when `fresh`). An organization the store does not
    /// hold decides as an unknown one.
    pub async fn policy(
        &self,
        org: u64,
        principal: &Principal,
        known: bool,
        fresh: bool,
        scope: SliceScope,
    ) -> Result<Rc<Policy>, Reply> {
        match self {
            Source::Snapshot(p, _) => Ok(p.clone()),
            Source::Store(c, base) => Ok(c
                .policy(org, principal, known, fresh, scope)
                .await
                .map_err(unavailable)?
                .unwrap_or_else(|| base.clone())),
        }
    }

    /// Whether asking again might change a refusal (the store, not a fixed snapshot).
    pub fn may_be_stale(&self) -> bool {
        matches!(self, Source::Store(..))
    }
}

/// The store's answer to an error, as the gate says it.
pub fn store_failed(e: String) -> Reply {
    unavailable(e)
}
