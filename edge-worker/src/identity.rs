//! Who the request is: the chosen credential (see `credential.rs`) resolved to a user of
//! the snapshot. JWTs and Cloudflare Access assertions are verified here; legacy tokens,
//! API keys and sessions are resolved by the origin's `whoami`, cached briefly.

use std::cell::RefCell;

use policy_core::Policy;

use crate::cache::{TtlCache, key};
use crate::config::Config;
use crate::credential::{Chosen, Credential};
use crate::lookup::{self, Unreachable};
use crate::{access, jwt};

/// A resolved identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The user id.
    pub user: u64,
    /// SSO groups (from Cloudflare Access).
    pub groups: Vec<String>,
    /// Which credential proved it (`jwt`, `token`, `api_key`, `session`, `access`).
    pub via: &'static str,
}

/// Why there is no identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoIdentity {
    /// Missing or invalid credential (401).
    Unauthenticated(String),
    /// A valid Cloudflare Access assertion whose email no user of the snapshot has (403).
    UnknownEmail(String),
    /// The origin could not be asked (502).
    Unreachable(String),
}

thread_local! {
    static WHOAMI: RefCell<TtlCache<u64>> = RefCell::new(TtlCache::new(10_000));
}

/// Resolves `chosen` (and checks that an Access assertion alongside agrees).
pub async fn identify(
    chosen: &Chosen,
    cfg: &Config,
    policy: &Policy,
    now: f64,
) -> Result<Identity, NoIdentity> {
    let id = resolve(&chosen.primary, cfg, policy, now).await?;
    if let Some(assertion) = &chosen.also_access {
        let other = resolve(&Credential::Access(assertion.clone()), cfg, policy, now).await?;
        if other.user != id.user {
            return Err(NoIdentity::Unauthenticated(String::from(
                "the cloudflare access identity and the label studio credential name different users",
            )));
        }
        return Ok(Identity {
            groups: other.groups,
            ..id
        });
    }
    Ok(id)
}

async fn resolve(
    cred: &Credential,
    cfg: &Config,
    policy: &Policy,
    now: f64,
) -> Result<Identity, NoIdentity> {
    let via = cred.kind();
    let user = match cred {
        Credential::Bearer(token) => {
            let secret = cfg.jwt_secret.as_deref().ok_or_else(|| {
                NoIdentity::Unauthenticated(String::from("jwts cannot be verified here"))
            })?;
            jwt::verify_label_studio(token, secret.as_bytes(), "access", now / 1000.0)
                .map_err(|e| NoIdentity::Unauthenticated(e.to_string()))?
        }
        Credential::Access(token) => {
            let access = cfg.access.as_ref().ok_or_else(|| {
                NoIdentity::Unauthenticated(String::from("cloudflare access is not configured"))
            })?;
            let (email, groups) = access::verify(token, access, now)
                .await
                .map_err(|e| NoIdentity::Unauthenticated(e.to_string()))?;
            let user = policy
                .snapshot()
                .user_by_email(&email)
                .ok_or(NoIdentity::UnknownEmail(email))?;
            return Ok(Identity { user, groups, via });
        }
        Credential::ApiKey(_) | Credential::Token(_) | Credential::Session(_) => {
            whoami(cred, cfg, now).await?
        }
    };
    Ok(Identity {
        user,
        groups: Vec::new(),
        via,
    })
}

async fn whoami(cred: &Credential, cfg: &Config, now: f64) -> Result<u64, NoIdentity> {
    let k = key(&[b"whoami", cred.kind().as_bytes(), cred.secret().as_bytes()]);
    if let Some(user) = WHOAMI.with_borrow(|c| c.get(&k, now)) {
        return Ok(user);
    }
    let origin = cfg
        .origin
        .as_deref()
        .ok_or_else(|| NoIdentity::Unreachable(String::from("no origin is configured")))?;
    let answer = lookup::ask(origin, "/api/current-user/whoami", cred, None, "whoami")
        .await
        .map_err(|Unreachable(e)| NoIdentity::Unreachable(e))?;
    let user = answer
        .as_ref()
        .and_then(|v| lookup::id_field(v, "id"))
        .ok_or_else(|| {
            NoIdentity::Unauthenticated(format!("the origin does not accept this {}", cred.kind()))
        })?;
    WHOAMI.with_borrow_mut(|c| c.put(k, user, now, cfg.identity_ttl_ms));
    Ok(user)
}

/// The identity of a token-refresh request: the refresh JWT in its body.
pub fn refresh_identity(token: &str, cfg: &Config, now: f64) -> Result<Identity, NoIdentity> {
    let secret = cfg
        .jwt_secret
        .as_deref()
        .ok_or_else(|| NoIdentity::Unauthenticated(String::from("jwts cannot be verified here")))?;
    let user = jwt::verify_label_studio(token, secret.as_bytes(), "refresh", now / 1000.0)
        .map_err(|e| NoIdentity::Unauthenticated(e.to_string()))?;
    Ok(Identity {
        user,
        groups: Vec::new(),
        via: "refresh",
    })
}
