//! Forwarding an allowed request to the origin: same method, same path and query, same
//! body (streamed, or the very bytes the decision read), same headers except the
//! Worker's own: incoming `X-LabelGate-*` headers are dropped, credentials the server
//! would not use are stripped, and `X-LabelGate-User` / `X-LabelGate-Decision` tell the
//! origin's logs what was decided. Redirects are passed back, not followed.

use worker::wasm_bindgen::JsValue;
use worker::web_sys::{self, Headers, Response};

use crate::http::fetch::{self, Incoming};

/// Headers that describe one hop, never forwarded.
const HOP: [&str; 7] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// What to change in the headers.
#[derive(Clone, Debug, Default)]
pub struct Rewrite {
    /// Drop `Authorization`.
    pub strip_authorization: bool,
    /// Drop `X-Api-Key`.
    pub strip_api_key: bool,
    /// Replace `Cookie` (empty: drop it).
    pub cookie: Option<String>,
    /// `X-LabelGate-User`
    pub user: Option<u64>,
    /// `X-LabelGate-Decision`
    pub decision: String,
    /// The member who may not see other members' emails: every JSON answer is narrowed for
    /// them ([`crate::http::redact`]).
    pub redact_for: Option<u64>,
}

/// The body to send.
pub enum Body<'a> {
    /// The incoming body, streamed.
    Stream,
    /// The bytes the decision read.
    Bytes(&'a [u8]),
}

/// The headers the origin receives.
pub fn outgoing_headers(incoming: &Incoming, rw: &Rewrite) -> Result<Headers, JsValue> {
    let out = Headers::new()?;
    for (name, value) in incoming.iter() {
        let drop = name.starts_with("x-labelgate-")
            || HOP.contains(&name)
            || (rw.strip_authorization && name == "authorization")
            || (rw.strip_api_key && name == "x-api-key");
        if drop {
            continue;
        }
        if name == "cookie"
            && let Some(cookie) = &rw.cookie
        {
            if !cookie.is_empty() {
                out.append("cookie", cookie)?;
            }
            continue;
        }
        out.append(name, value)?;
    }
    if let Some(user) = rw.user {
        out.set("x-labelgate-user", &user.to_string())?;
    }
    out.set("x-labelgate-decision", &rw.decision)?;
    Ok(out)
}

/// Sends `req` to `origin` + `path_and_query`. `Err`: the origin is unreachable.
pub async fn forward(
    req: &web_sys::Request,
    incoming: &Incoming,
    origin: &str,
    path_and_query: &str,
    rw: &Rewrite,
    body: Body<'_>,
) -> Result<Response, String> {
    let headers = outgoing_headers(incoming, rw).map_err(|e| fetch::js_error(&e))?;
    let method = req.method();
    let body = match (method.as_str(), body) {
        ("GET" | "HEAD", _) => None,
        (_, Body::Bytes(bytes)) => Some(fetch::bytes_body(bytes)),
        (_, Body::Stream) => req.body().map(JsValue::from),
    };
    let url = format!("{origin}{path_and_query}");
    fetch::send(&url, &method, &headers, body.as_ref()).await
}
