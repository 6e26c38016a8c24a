//! Label Studio's own web UI through the edge. Its pages are rows of the route table
//! (`How::Page`: the action a user would expect, on the path's project or the organization;
//! `How::File`: the files the labeling UI loads), decided like any request, with the
//! identity of the session cookie. Here:
//!
//! - [`refused`]: a refused page is an HTML page that says why (the decision's message) and
//!   links back, with the refusal's status; a page asked without a session is sent to the
//!   sign-in page (`/user/login/?next=...`).
//! - [`after`]: an allowed page's HTML answer (keyed on its `Content-Type`, whatever the
//!   request's `Accept`) gets LabelGate's style and UI script in its `<head>`, through the
//!   runtime's `HTMLRewriter` ([`rewriter`]): the style hides every control LabelGate gates
//!   until the script has decided it, so no forbidden control shows even for a moment; the
//!   script (`edge-worker/ui/ui.js`) loads the browser package and the member's slice
//!   (`GET /api/labelgate/me`) and keeps, through React's re-renders and client-side
//!   navigation, only the controls the member may use; it adds pinning, a role column on the
//!   People page and a link to the activity log.
//! - [`asset`]: LabelGate's own UI files (`/__labelgate/ui/...`: the script, the browser
//!   package, the activity log page) from the Worker's static assets (binding `ASSETS`), so
//!   they weigh nothing in the Worker's own bundle.

use worker::Env;
use worker::web_sys::Response;

use crate::decided::Decided;
use crate::http::reply::{Reply, Why};

/// Where LabelGate's own UI files are served.
pub const PREFIX: &str = "/__labelgate/ui/";

/// The style that hides the gated controls until the UI script has decided them.
const UI_CSS: &str = include_str!("../../ui/ui.css");

/// The page LabelGate serves itself: the activity log (its HTML is a static asset).
pub const ACTIVITY_PAGE: &str = "/labelgate/activity";

/// Serves `/__labelgate/ui/<file>` (GET; the front door `Door::Asset`) from the static
/// assets.
pub async fn asset(
    env: &Env,
    method: &str,
    url: &str,
    segments: &[String],
) -> Result<Response, Reply> {
    if method != "GET" && method != "HEAD" {
        return Err(Reply::error(
            405,
            "method_not_allowed",
            "LabelGate's UI files are read only",
        ));
    }
    fetch_asset(env, url, &format!("/{}", segments.join("/"))).await
}

async fn fetch_asset(env: &Env, url: &str, path: &str) -> Result<Response, Reply> {
    let assets = env.assets("ASSETS").map_err(|_| {
        Reply::error(
            404,
            "no_ui_files",
            "this deployment serves no LabelGate UI files (no ASSETS binding)",
        )
    })?;
    let origin = crate::serve::list::origin_of(url);
    let resp = assets
        .fetch(format!("{origin}{path}"), None)
        .await
        .map_err(|e| Reply::error(502, "ui_files", e.to_string()))?;
    Ok(resp.into())
}

/// A refused page or file, as a browser should see it.
pub fn refused(reply: Reply, url: &str) -> Reply {
    if reply.status == 401 {
        let (path, query) = crate::http::path::split_url(url);
        let next = if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        };
        return Reply {
            status: 302,
            body: String::new(),
            headers: vec![(
                "location",
                format!(
                    "/user/login/?next={}",
                    crate::http::path::percent_encode(&next, b"/")
                ),
            )],
            why: reply.why,
        };
    }
    let why = reply
        .why
        .clone()
        .unwrap_or_else(|| Why::of_body(&reply.body));
    let mut out = Reply {
        status: reply.status,
        body: html_page(reply.status, &why.reason, &why.message),
        headers: reply.headers,
        why: Some(why),
    };
    out.headers
        .push(("content-type", String::from("text/html; charset=utf-8")));
    out
}

fn html_page(status: u16, reason: &str, message: &str) -> String {
    let title = match status {
        403 => "You can't open this page",
        404 => "Not found",
        400 => "This address can't be read",
        _ => "This page is not available",
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{title} · LabelGate</title><style>\
body{{font:16px/1.5 system-ui,sans-serif;background:#f6f6f7;color:#1f1f24;margin:0;display:grid;place-items:center;min-height:100vh}}\
main{{background:#fff;border:1px solid #e3e3e8;border-radius:12px;padding:32px 40px;max-width:560px;box-shadow:0 2px 8px #0001}}\
h1{{font-size:22px;margin:0 0 12px}}p{{margin:8px 0}}.why{{background:#fff4f2;border-left:4px solid #d93f2e;padding:8px 12px}}\
.reason{{color:#6b6b76;font-size:13px}}a{{color:#3d5cff}}</style></head><body><main id=\"labelgate-refusal\">\
<h1>{title}</h1><p class=\"why\">{}</p><p class=\"reason\">LabelGate · {} · HTTP {status}</p>\
<p><a href=\"/projects/\">Back to your projects</a> · <a href=\"/logout\">Sign out</a></p></main></body></html>",
        escape(if message.is_empty() {
            "LabelGate refused this request."
        } else {
            message
        }),
        escape(reason),
    )
}

/// An allowed page's answer: an HTML one gets the style and the UI script in its `<head>`;
/// LabelGate's own activity log page is served from the static assets.
pub async fn after(d: &Decided<'_>, resp: Response) -> Result<Response, Reply> {
    let html = resp
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("text/html"));
    if !html {
        return Ok(resp);
    }
    let markup = format!(
        "<style id=\"labelgate-style\">{UI_CSS}</style><script type=\"module\" src=\"{PREFIX}ui.js\" data-org=\"{}\"></script>",
        d.org
    );
    crate::http::rewriter::append_to_head(&resp, markup)
        .map_err(|e| Reply::error(502, "origin_answer", crate::http::fetch::js_error(&e)))
}

/// LabelGate's activity log page (`/labelgate/activity`), decided like any page.
pub async fn activity_page(env: &Env, url: &str) -> Result<Response, Reply> {
    fetch_asset(env, url, &format!("{PREFIX}activity.html")).await
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_page_says_why_in_html() {
        let r = refused(
            Reply::decision(
                403,
                String::from(
                    r#"{"allow":false,"reason":"deactivated","message":"user `7` is <deactivated>"}"#,
                ),
            ),
            "http://w/projects/3/",
        );
        assert_eq!(r.status, 403);
        assert!(r.body.contains("user `7` is &lt;deactivated&gt;"));
        assert!(r.body.contains("deactivated · HTTP 403"));
        assert!(
            r.headers
                .iter()
                .any(|(k, v)| *k == "content-type" && v.starts_with("text/html"))
        );
    }

    #[test]
    fn no_session_goes_to_the_sign_in_page() {
        let r = refused(
            Reply::unauthenticated("no"),
            "http://w/projects/3/data?tab=1&x=a b",
        );
        assert_eq!(r.status, 302);
        assert!(r.headers.contains(&(
            "location",
            String::from("/user/login/?next=/projects/3/data%3Ftab%3D1%26x%3Da%20b")
        )));
    }
}
