//! Which credential a request carries, chosen the way Label Studio chooses: `X-Api-Key`
//! wins over `Authorization` (the server rewrites it into `Authorization: Token`), a token
//! wins over the session cookie, and Cloudflare Access's assertion identifies only a
//! request that carries none of the server's credentials. The Worker decides on the
//! credential the server will use and strips the ones it will not, so no request is checked
//! on one credential and served on another.

/// A credential, as the request carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// `X-Api-Key: <key>`: resolved through the origin's `whoami`.
    ApiKey(String),
    /// `Authorization: Token <key>` (the whole header value): resolved through `whoami`.
    Token(String),
    /// `Authorization: Bearer <jwt>`: a Label Studio access JWT, verified here.
    Bearer(String),
    /// The `Cookie` header holding the session cookie: resolved through `whoami`.
    Session(String),
    /// `Cf-Access-Jwt-Assertion`: Cloudflare Access, verified here against the JWKS.
    Access(String),
}

impl Credential {
    /// A short name for logs and cache keys.
    pub fn kind(&self) -> &'static str {
        match self {
            Credential::ApiKey(_) => "api_key",
            Credential::Token(_) => "token",
            Credential::Bearer(_) => "jwt",
            Credential::Session(_) => "session",
            Credential::Access(_) => "access",
        }
    }

    /// The header that carries it, and its value: what the origin receives, and what the
    /// Worker's own lookups send.
    pub fn header(&self) -> (&'static str, String) {
        match self {
            Credential::ApiKey(v) => ("x-api-key", v.clone()),
            Credential::Token(v) => ("authorization", v.clone()),
            Credential::Bearer(v) => ("authorization", format!("Bearer {v}")),
            Credential::Session(v) => ("cookie", v.clone()),
            Credential::Access(v) => ("cf-access-jwt-assertion", v.clone()),
        }
    }

    /// The secret part, for the cache key.
    pub fn secret(&self) -> &str {
        match self {
            Credential::ApiKey(v)
            | Credential::Token(v)
            | Credential::Bearer(v)
            | Credential::Session(v)
            | Credential::Access(v) => v,
        }
    }
}

/// The credential headers of a request.
#[derive(Clone, Debug, Default)]
pub struct Carried {
    /// `X-Api-Key`
    pub api_key: Option<String>,
    /// `Authorization`
    pub authorization: Option<String>,
    /// `Cookie`
    pub cookie: Option<String>,
    /// `Cf-Access-Jwt-Assertion`
    pub access: Option<String>,
}

/// The chosen credential, a Cloudflare Access assertion that must agree with it, and what
/// to strip before forwarding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chosen {
    /// What the server will authenticate.
    pub primary: Credential,
    /// A Cloudflare Access assertion carried alongside a server credential: it must verify
    /// and name the same user.
    pub also_access: Option<String>,
    /// Strip `Authorization` (`X-Api-Key` wins over it).
    pub strip_authorization: bool,
    /// The `Cookie` header to forward instead, without the session cookie (`Some("")`:
    /// drop the header), when a token wins over it.
    pub cookie_rewrite: Option<String>,
}

/// The `name` values of a `Cookie` header.
fn cookie_values<'a>(cookie: &'a str, name: &str) -> Vec<&'a str> {
    cookie
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .filter(|(k, _)| k.trim() == name)
        .map(|(_, v)| v.trim())
        .collect()
}

/// `cookie` without `name`.
fn without_cookie(cookie: &str, name: &str) -> String {
    cookie
        .split(';')
        .map(str::trim)
        .filter(|c| !c.is_empty() && c.split_once('=').is_none_or(|(k, _)| k.trim() != name))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Chooses the credential of `c`. `Err` is the reason for a 401.
pub fn choose(c: &Carried, session_cookie: &str) -> Result<Chosen, String> {
    let sessions = c
        .cookie
        .as_deref()
        .map(|ck| cookie_values(ck, session_cookie))
        .unwrap_or_default();
    if sessions.len() > 1 {
        return Err(format!("the `{session_cookie}` cookie is repeated"));
    }
    let has_session = sessions.iter().any(|v| !v.is_empty());
    let cookie_rewrite = match (&c.cookie, sessions.is_empty()) {
        (Some(ck), false) => Some(without_cookie(ck, session_cookie)),
        _ => None,
    };
    let token = |primary: Credential, strip_authorization: bool| Chosen {
        primary,
        also_access: c.access.clone(),
        strip_authorization,
        cookie_rewrite: cookie_rewrite.clone(),
    };
    if let Some(key) = &c.api_key {
        if key.trim().is_empty() {
            return Err(String::from("the `X-Api-Key` header is empty"));
        }
        return Ok(token(
            Credential::ApiKey(key.clone()),
            c.authorization.is_some(),
        ));
    }
    if let Some(auth) = &c.authorization {
        let (scheme, value) = auth.trim().split_once(' ').unwrap_or((auth.trim(), ""));
        let value = value.trim();
        if value.is_empty() || value.contains([' ', ',']) {
            return Err(String::from("the `Authorization` header is malformed"));
        }
        if scheme.eq_ignore_ascii_case("token") {
            return Ok(token(Credential::Token(auth.clone()), false));
        }
        if scheme == "Bearer" {
            return Ok(token(Credential::Bearer(value.to_owned()), false));
        }
        return Err(format!(
            "the `Authorization` scheme `{scheme}` is not accepted"
        ));
    }
    if has_session && let Some(ck) = &c.cookie {
        return Ok(Chosen {
            primary: Credential::Session(ck.clone()),
            also_access: c.access.clone(),
            strip_authorization: false,
            cookie_rewrite: None,
        });
    }
    if let Some(a) = &c.access {
        return Ok(Chosen {
            primary: Credential::Access(a.clone()),
            also_access: None,
            strip_authorization: false,
            cookie_rewrite: None,
        });
    }
    Err(String::from("the request carries no credential"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn carried(api: Option<&str>, auth: Option<&str>, cookie: Option<&str>) -> Carried {
        Carried {
            api_key: api.map(str::to_owned),
            authorization: auth.map(str::to_owned),
            cookie: cookie.map(str::to_owned),
            access: None,
        }
    }

    #[test]
    fn the_server_precedence() {
        let c = choose(
            &carried(
                Some("k"),
                Some("Bearer x.y.z"),
                Some("sessionid=s; csrftoken=t"),
            ),
            "sessionid",
        )
        .unwrap();
        assert_eq!(c.primary, Credential::ApiKey("k".into()));
        assert!(c.strip_authorization);
        assert_eq!(c.cookie_rewrite.as_deref(), Some("csrftoken=t"));
        let c = choose(
            &carried(None, Some("token abc"), Some("sessionid=s")),
            "sessionid",
        )
        .unwrap();
        assert_eq!(c.primary, Credential::Token("token abc".into()));
        assert_eq!(c.cookie_rewrite.as_deref(), Some(""));
        let c = choose(&carried(None, Some("Bearer a.b.c"), None), "sessionid").unwrap();
        assert_eq!(c.primary, Credential::Bearer("a.b.c".into()));
        let c = choose(&carried(None, None, Some("a=1; sessionid=s")), "sessionid").unwrap();
        assert_eq!(c.primary, Credential::Session("a=1; sessionid=s".into()));
        assert_eq!(c.cookie_rewrite, None);
    }

    #[test]
    fn unclear_credentials_are_refused() {
        for c in [
            carried(None, None, None),
            carried(Some(" "), None, None),
            carried(None, Some("Basic dTpw"), None),
            carried(None, Some("bearer a.b.c"), None),
            carried(None, Some("Token a, Token b"), None),
            carried(None, Some("Token"), None),
            carried(None, None, Some("sessionid=a; sessionid=b")),
            carried(None, None, Some("sessionid=")),
        ] {
            assert!(choose(&c, "sessionid").is_err(), "{c:?}");
        }
    }
}
