//! Cross-site writes. Label Studio exempts its API views from Django's CSRF check
//! (`core.middleware.DisableCSRF`), so a write authenticated only by the session cookie
//! would be served whoever's page sent it. The Worker refuses such a write when the browser
//! says it comes from another site: `Origin` names another origin than the Worker's own
//! (`null` and empty included), or `Sec-Fetch-Site` is `cross-site`, or it says neither
//! (no `Origin`, and no `Sec-Fetch-Site: same-origin`). Reads, and clients that
//! authenticate with a token (the token wins, the cookie is then not forwarded), are not
//! concerned.

use crate::http::fetch::Incoming;

/// Methods that do not change anything (RFC 9110 §9.2.1).
pub fn is_safe(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS" | "TRACE")
}

/// `scheme://host[:port]` of an absolute URL, lowercase, without a default port.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => "",
    };
    let authority = match authority.strip_suffix(default_port) {
        Some(host) if !default_port.is_empty() => host.to_owned(),
        _ => authority,
    };
    Some(format!("{scheme}://{authority}"))
}

/// Why a cookie-authenticated write is refused, or `None` when the browser says it is
/// same-origin: `Origin` names the Worker's own origin, or (no `Origin`) `Sec-Fetch-Site` is
/// `same-origin`. A write that says neither is refused too: every browser sends `Origin` on a
/// write, and an empty `Origin` cannot be told from none once the runtime has read the
/// headers (a script signed in by a cookie uses an API token instead).
pub fn cross_site(incoming: &Incoming, request_url: &str) -> Option<String> {
    let site = incoming.get("sec-fetch-site").map(str::trim);
    if let Some(site) = site
        && site.eq_ignore_ascii_case("cross-site")
    {
        return Some(String::from(
            "a write authenticated by the session cookie was sent from another site (`Sec-Fetch-Site: cross-site`)",
        ));
    }
    let Some(origin) = incoming.get("origin").map(str::trim) else {
        if site.is_some_and(|s| s.eq_ignore_ascii_case("same-origin")) {
            return None;
        }
        return Some(String::from(
            "a write authenticated by the session cookie must say it comes from this site (`Origin`), and this one does not: a browser always does; a script should use an API token",
        ));
    };
    let own = origin_of(request_url);
    if origin_of(origin).is_some() && origin_of(origin) == own {
        return None;
    }
    Some(format!(
        "a write authenticated by the session cookie was sent from another site (`Origin: {origin}`)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://ls.example.com/api/projects/1/";

    fn check(pairs: &[(&str, &str)]) -> Option<String> {
        cross_site(&Incoming::from_pairs(pairs), URL)
    }

    #[test]
    fn same_origin_writes_pass() {
        assert_eq!(check(&[("origin", "https://ls.example.com")]), None);
        assert_eq!(check(&[("sec-fetch-site", "same-origin")]), None);
        assert_eq!(check(&[("origin", "https://LS.example.com:443")]), None);
        assert_eq!(
            check(&[
                ("origin", "https://ls.example.com"),
                ("sec-fetch-site", "same-origin")
            ]),
            None
        );

        assert_eq!(
            cross_site(
                &Incoming::from_pairs(&[("origin", "http://127.0.0.1:8787")]),
                "http://127.0.0.1:8787/api/dm/actions?id=delete_tasks"
            ),
            None
        );
    }

    #[test]
    fn another_site_is_refused() {
        for pairs in [
            &[("origin", "https://evil.example")][..],
            &[("origin", "null")],
            &[("origin", "http://ls.example.com")],
            &[("origin", "https://ls.example.com:8443")],
            &[("origin", "https://ls.example.com.evil.example")],
            &[("origin", "https://user@ls.example.com")],
            &[("origin", "")],
            &[("origin", " ")],
            &[],
            &[("sec-fetch-site", "none")],
            &[("sec-fetch-site", "same-site")],
            &[("sec-fetch-site", "cross-site")],
            &[
                ("origin", "https://ls.example.com"),
                ("sec-fetch-site", "Cross-Site"),
            ],
        ] {
            assert!(check(pairs).is_some(), "{pairs:?}");
        }
    }

    #[test]
    fn safe_methods() {
        assert!(is_safe("GET") && is_safe("HEAD") && is_safe("OPTIONS"));
        assert!(!is_safe("POST") && !is_safe("PATCH") && !is_safe("DELETE") && !is_safe("PUT"));
    }
}
