//! Who the request is: the chosen credential (see `credential.rs`) resolved to a user of
//! the snapshot. JWTs and Cloudflare Access assertions are verified here; legacy tokens,
//! API keys and sessions are resolved by the origin's `whoami`, cached briefly.

use std::cell::RefCell;

use crate::cache::{TtlCache, key};
use crate::config::Config;
use crate::gate::credential::{self, Carried};
use crate::gate::credential::{Chosen, Credential};
use crate::gate::lookup::{self, Unreachable};
use crate::gate::routes::{How, Matched};
use crate::gate::{access, csrf, jwt};
use crate::http::body::JsonBody;
use crate::http::forward::Rewrite;
use crate::http::reply::Reply;
use crate::http::request::Ask;
use crate::source::Source;

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

/// What the origin's `whoami` proved of a credential, and when.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Proved {
    /// The user.
    pub user: u64,
    /// Their active organization in Label Studio (`active_organization`): where Label
    /// Studio runs their organization-level requests.
    pub active_org: Option<u64>,
    /// When `whoami` answered (ms since the epoch).
    pub at: f64,
}

thread_local! {
    static WHOAMI: RefCell<TtlCache<Proved>> = RefCell::new(TtlCache::new(10_000));
}

/// Ends every cached identity of `user` in this isolate: their token was reset, they
/// signed out, changed their password or switched their active organization. The next
/// request of any of their credentials is proved again by the origin.
pub fn forget_user(user: u64) {
    WHOAMI.with_borrow_mut(|c| c.forget(|p| p.user == user));
}

/// Ends the cached identities of the user whose session the `Cookie` header carries (they
/// sign out: `/logout`).
pub fn forget_session(cookie: &str, cfg: &Config, now: f64) {
    let cred = Credential::Session(cookie.to_owned());
    let k = whoami_key(&cred, cfg);
    if let Some(p) = WHOAMI.with_borrow(|c| c.get(&k, now)) {
        forget_user(p.user);
    }
    WHOAMI.with_borrow_mut(|c| c.remove(&k));
}

/// The credential's `whoami`, from the cache when it is at most `max_age_ms` old, else asked
/// of the origin now (and cached). `Ok(None)`: the origin does not accept the credential.
pub async fn proved(
    cred: &Credential,
    cfg: &Config,
    now: f64,
    max_age_ms: f64,
) -> Result<Option<Proved>, NoIdentity> {
    let k = whoami_key(cred, cfg);
    if let Some(p) = WHOAMI.with_borrow(|c| c.get(&k, now))
        && now - p.at <= max_age_ms
    {
        return Ok(Some(p));
    }
    let origin = cfg
        .origin
        .as_deref()
        .ok_or_else(|| NoIdentity::Unreachable(String::from("no origin is configured")))?;
    let (status, answer) =
        lookup::ask_status(origin, "/api/current-user/whoami", cred, None, "whoami")
            .await
            .map_err(|Unreachable(e)| NoIdentity::Unreachable(e))?;
    let Some(user) = answer.as_ref().and_then(|v| lookup::id_field(v, "id")) else {
        // Only a refusal says the credential is no longer good; an origin that is starting or
        // failing says nothing of it.
        if matches!(status, 401 | 403) {
            WHOAMI.with_borrow_mut(|c| c.remove(&k));
            return Ok(None);
        }
        return Err(NoIdentity::Unreachable(format!("whoami answered {status}")));
    };
    let p = Proved {
        user,
        active_org: answer
            .as_ref()
            .and_then(|v| lookup::id_field(v, "active_organization")),
        at: now,
    };
    WHOAMI.with_borrow_mut(|c| c.put(k, p, now, cfg.identity_ttl_ms.max(max_age_ms)));
    Ok(Some(p))
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

/// The key of a credential's identity in the `whoami` cache. A session is keyed by its session
/// cookie's value alone: the other cookies of the header say nothing of who it is.
fn whoami_key(cred: &Credential, cfg: &Config) -> crate::cache::Key {
    let secret = match cred {
        Credential::Session(header) => cookie_value(header, &cfg.session_cookie).unwrap_or(header),
        other => other.secret(),
    };
    key(&[b"whoami", cred.kind().as_bytes(), secret.as_bytes()])
}

/// The value of cookie `name` in a `Cookie` header (the credential's choice has refused a
/// header that carries it twice).
fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .map(str::trim)
        .find_map(|c| c.strip_prefix(name)?.strip_prefix('='))
}

/// The new values of cookie `name` that a `Set-Cookie` value (several may be joined by `, `)
/// sets; a deletion (an empty value) is none.
fn reissued<'a>(set_cookie: &'a str, name: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = set_cookie;
    while let Some(at) = rest.find(name) {
        let starts = at == 0 || rest.get(..at).is_some_and(|b| b.ends_with(", "));
        let after = rest.get(at + name.len()..).unwrap_or("");
        if starts && let Some(v) = after.strip_prefix('=') {
            let value = v.split([';', ',']).next().unwrap_or("").trim();
            if !value.is_empty() && value != "\"\"" {
                out.push(value);
            }
        }
        rest = after;
    }
    out
}

/// Label Studio re-signs its session cookie in its answers (its signed-cookie sessions carry a
/// timestamp), so a browser's cookie changes from one request to the next, and each new one
/// would cost a `whoami`. A successful answer (2xx) to a request made with a session `whoami`
/// has proved to be `user`'s, which sets a new session cookie, gave that cookie to `user`: it
/// is remembered as theirs, but only until the proved one expires. So `whoami` is still asked
/// at least every `IDENTITY_CACHE_SECONDS` per session, and a session Label Studio stops
/// accepting is refused as soon as before.
pub fn remember_reissued_session(
    cred: &Credential,
    user: u64,
    status: u16,
    set_cookie: Option<&str>,
    cfg: &Config,
    now: f64,
) {
    let (Credential::Session(_), Some(set_cookie)) = (cred, set_cookie) else {
        return;
    };
    if !(200..300).contains(&status) {
        return;
    }
    let proved = WHOAMI.with_borrow(|c| c.get_until(&whoami_key(cred, cfg), now));
    let Some((who, until)) = proved else {
        return;
    };
    if who.user != user {
        return;
    }
    for value in reissued(set_cookie, &cfg.session_cookie) {
        let k = key(&[b"whoami", b"session", value.as_bytes()]);
        WHOAMI.with_borrow_mut(|c| c.put(k, who, now, until - now));
    }
}

async fn whoami(cred: &Credential, cfg: &Config, now: f64) -> Result<u64, NoIdentity> {
    match proved(cred, cfg, now, cfg.identity_ttl_ms).await? {
        Some(p) => Ok(p.user),
        None => Err(NoIdentity::Unauthenticated(format!(
            "the origin does not accept this {}",
            cred.kind()
        ))),
    }
}

/// Proves `cred` again when what proved it is older than `MAX_STALENESS_MS`: a write the
/// Worker applies to its store, or an answer it serves from it, is never made on a credential
/// Label Studio has since revoked (a reset token, a session that ended). JWTs and Access
/// assertions were verified on this request.
pub async fn reprove(cred: &Credential, cfg: &Config, now: f64, user: u64) -> Result<(), Reply> {
    if matches!(cred, Credential::Bearer(_) | Credential::Access(_)) {
        return Ok(());
    }
    match proved(cred, cfg, now, cfg.max_staleness_ms).await {
        Ok(Some(p)) if p.user == user => Ok(()),
        Ok(_) => Err(Reply::unauthenticated(
            "Label Studio no longer accepts this credential (it was reset or has ended): sign in again",
        )),
        Err(e) => Err(no_identity(e)),
    }
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

/// A write carried by the session cookie from another site, refused, and whose session it
/// was (when the origin says).
#[derive(Debug)]
pub struct CrossSite(pub Reply, pub Option<u64>);

/// Why a request has no identity: a refusal, and whose credential it was when that is known
/// (for the activity log only, never for a decision).
#[derive(Debug)]
pub struct Refused {
    /// The answer.
    pub reply: Reply,
    /// The user whose credential it was: the session of a refused cross-site write, or the
    /// user an unreachable origin last proved the credential to be.
    pub user: Option<u64>,
    /// A cross-site write.
    pub cross_site: bool,
}

impl From<Reply> for Refused {
    fn from(reply: Reply) -> Refused {
        Refused {
            reply,
            user: None,
            cross_site: false,
        }
    }
}

impl From<CrossSite> for Refused {
    fn from(c: CrossSite) -> Refused {
        Refused {
            reply: c.0,
            user: c.1,
            cross_site: true,
        }
    }
}

/// Whose `cred` was when the origin last proved it, however long ago (while the cache holds
/// it): an origin that cannot be asked leaves the request refused, and its record still
/// names the member.
fn last_proved_user(cred: &Credential, cfg: &Config) -> Option<u64> {
    let k = whoami_key(cred, cfg);
    WHOAMI.with_borrow(|c| c.get_stale(&k)).map(|p| p.user)
}

/// The cached active organization of a credential, if `whoami` told it.
pub fn cached_active_org(cred_cookie: &str, cfg: &Config, now: f64) -> Option<u64> {
    let k = whoami_key(&Credential::Session(cred_cookie.to_owned()), cfg);
    WHOAMI
        .with_borrow(|c| c.get(&k, now))
        .and_then(|p| p.active_org)
}

/// The identity, the header rewrite that keeps only the credential decided on, and that
/// credential (for lookups). A write authenticated by the session cookie alone is refused
/// when the browser says another site sent it ([`csrf`]).
pub async fn authenticate(
    ask: &Ask<'_>,
    source: &Source<'_>,
    m: &Matched,
    body: &JsonBody,
) -> Result<(Identity, Rewrite, Option<Credential>), Refused> {
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
        // Refused whoever it is; who it was (the session's `whoami`, a read) goes to the
        // activity log of their organization.
        let user = identify(&chosen, cfg, source, now)
            .await
            .ok()
            .map(|i| i.user);
        return Err(CrossSite(Reply::error(403, "cross_site", why), user).into());
    }
    let id = match identify(&chosen, cfg, source, now).await {
        Ok(id) => id,
        Err(e @ NoIdentity::Unreachable(_)) => {
            return Err(Refused {
                reply: no_identity(e),
                user: last_proved_user(&chosen.primary, cfg),
                cross_site: false,
            });
        }
        Err(e) => return Err(no_identity(e).into()),
    };
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

#[cfg(test)]
mod tests {
    use super::{cookie_value, reissued};

    #[test]
    fn the_session_cookie_is_read_alone() {
        assert_eq!(
            cookie_value("csrftoken=a; sessionid=s:1", "sessionid"),
            Some("s:1")
        );
        assert_eq!(cookie_value("sessionid=s", "sessionid"), Some("s"));
        assert_eq!(cookie_value("xsessionid=s", "sessionid"), None);
        assert_eq!(cookie_value("csrftoken=a", "sessionid"), None);
    }

    #[test]
    fn reissued_session_cookies_are_found_in_joined_set_cookies() {
        let one = "sessionid=.eJx:1v:sig; expires=Tue, 15 Dec 2026 19:00:00 GMT; HttpOnly; Path=/";
        assert_eq!(reissued(one, "sessionid"), vec![".eJx:1v:sig"]);
        let joined = format!("csrftoken=abc; Path=/, {one}");
        assert_eq!(reissued(&joined, "sessionid"), vec![".eJx:1v:sig"]);
        // A deletion, another cookie whose name ends like it, or none at all: nothing.
        assert!(
            reissued(
                "sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT",
                "sessionid"
            )
            .is_empty()
        );
        assert!(reissued("sessionid=; Max-Age=0", "sessionid").is_empty());
        assert!(reissued("xsessionid=abc; Path=/", "sessionid").is_empty());
        assert!(reissued("csrftoken=abc", "sessionid").is_empty());
    }
}
