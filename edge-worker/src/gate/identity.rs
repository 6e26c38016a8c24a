//! Who the request is: the chosen credential (see `credential.rs`) resolved to a user of
//! the snapshot. JWTs and Cloudflare Access assertions are verified here; legacy tokens,
//! API keys and sessions are resolved by the origin's `whoami`, cached briefly.

use std::cell::RefCell;

use crate::cache::{TtlCache, key};
use crate::config::Config;
use crate::gate::Ask;
use crate::gate::body::JsonBody;
use crate::gate::credential::{self, Carried};
use crate::gate::credential::{Chosen, Credential};
use crate::gate::forward::Rewrite;
use crate::gate::lookup::{self, Unreachable};
use crate::gate::routes::{How, Matched};
use crate::gate::source::Source;
use crate::gate::{access, csrf, jwt};
use crate::reply::Reply;

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
    source: &Source<'_>,
    now: f64,
) -> Result<Identity, NoIdentity> {
    let id = resolve(&chosen.primary, cfg, source, now).await?;
    if let Some(assertion) = &chosen.also_access {
        let other = resolve(&Credential::Access(assertion.clone()), cfg, source, now).await?;
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
    source: &Source<'_>,
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
            let user = source
                .user_by_email(&email)
                .await
                .map_err(|r| NoIdentity::Unreachable(r.body))?
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

/// The identity, the header rewrite that keeps only the credential decided on, and that
/// credential (for lookups). A write authenticated by the session cookie alone is refused
/// when the browser says another site sent it ([`csrf`]).
pub async fn authenticate(
    ask: &Ask<'_>,
    source: &Source<'_>,
    m: &Matched,
    body: &JsonBody,
) -> Result<(Identity, Rewrite, Option<Credential>), Reply> {
    let (h, cfg, now) = (ask.incoming, ask.cfg, ask.now);
    if m.row.how == How::RefreshToken {
        let token = body
            .str("refresh")
            .ok()
            .flatten()
            .ok_or_else(|| Reply::unauthenticated("the body names no `refresh` token"))?;
        let id = refresh_identity(token, cfg, now).map_err(no_identity)?;
        let cookie = h.get("cookie").map(|_| String::new());
        let rw = Rewrite {
            strip_authorization: true,
            strip_api_key: true,
            cookie,
            ..Rewrite::default()
        };
        return Ok((id, rw, None));
    }
    let carried = Carried {
        api_key: h.get("x-api-key").map(str::to_owned),
        authorization: h.get("authorization").map(str::to_owned),
        cookie: h.get("cookie").map(str::to_owned),
        access: h.get("cf-access-jwt-assertion").map(str::to_owned),
    };
    let chosen =
        credential::choose(&carried, &cfg.session_cookie).map_err(Reply::unauthenticated)?;
    if matches!(chosen.primary, Credential::Session(_))
        && !csrf::is_safe(&ask.method)
        && let Some(why) = csrf::cross_site(h, &ask.url)
    {
        return Err(Reply::error(403, "cross_site", why));
    }
    let id = identify(&chosen, cfg, source, now)
        .await
        .map_err(no_identity)?;
    let rw = Rewrite {
        strip_authorization: chosen.strip_authorization,
        strip_api_key: false,
        cookie: chosen.cookie_rewrite.clone(),
        ..Rewrite::default()
    };
    Ok((id, rw, Some(chosen.primary)))
}

fn no_identity(e: NoIdentity) -> Reply {
    match e {
        NoIdentity::Unauthenticated(m) => Reply::unauthenticated(m),
        NoIdentity::UnknownEmail(email) => Reply::error(
            403,
            "unknown_principal",
            format!("no user of the snapshot has the email `{email}`"),
        ),
        NoIdentity::Unreachable(e) => {
            worker::console_error!("labelgate: whoami: {e}");
            Reply::error(502, "origin_unreachable", "the origin did not answer")
        }
    }
}
