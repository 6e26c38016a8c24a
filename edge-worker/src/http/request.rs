//! The request as the gate and every server see it: the runtime's request, its headers, its
//! method and URL, the settings and the time. Forwarding it and reading its body are here.

use worker::web_sys::{self, Response};

use crate::config::Config;
use crate::http::fetch::{self, Incoming};
use crate::http::forward::{self, Body, Rewrite};
use crate::http::reply::Reply;
use crate::http::{body, path, redact};

/// The request as the gate sees it.
pub struct Ask<'a> {
    /// The runtime's request (for its body).
    pub req: &'a web_sys::Request,
    /// Its headers.
    pub incoming: &'a Incoming,
    /// Its method.
    pub method: String,
    /// Its whole URL.
    pub url: String,
    /// The Worker's settings.
    pub cfg: &'a Config,
    /// Now (ms since the epoch).
    pub now: f64,
}

impl Ask<'_> {
    /// The path as received.
    pub fn raw_path(&self) -> &str {
        path::split_url(&self.url).0
    }

    /// The query as received.
    pub fn raw_query(&self) -> &str {
        path::split_url(&self.url).1
    }

    /// The path and query as received.
    pub fn path_and_query(&self) -> String {
        match self.raw_query() {
            "" => self.raw_path().to_owned(),
            q => format!("{}?{q}", self.raw_path()),
        }
    }

    /// Forwards the request to `origin` + `path_and_query`.
    pub async fn send(
        &self,
        origin: &str,
        path_and_query: &str,
        rw: &Rewrite,
        body: Body<'_>,
    ) -> Result<Response, Reply> {
        let resp = forward::forward(self.req, self.incoming, origin, path_and_query, rw, body)
            .await
            .map_err(|e| {
                worker::console_error!("labelgate: origin unreachable: {e}");
                Reply::error(502, "origin_unreachable", "the origin did not answer")
            })?;
        match rw.redact_for {
            Some(me) => redact::answer(resp, me).await,
            None => Ok(resp),
        }
    }

    /// The body, within the size limit.
    pub async fn read_body(&self) -> Result<Vec<u8>, Reply> {
        fetch::body_bytes(self.req, self.cfg.max_body)
            .await
            .map_err(|e| match e {
                None => Reply::error(413, "body_too_large", "the body is too large to decide on"),
                Some(e) => {
                    worker::console_error!("labelgate: body: {e}");
                    Reply::error(400, "unreadable_body", "the body could not be read")
                }
            })
    }

    /// The body the decision reads: JSON, not encoded, within the size limit.
    pub async fn read_decision_body(&self) -> Result<Vec<u8>, Reply> {
        let h = self.incoming;
        if let Some(enc) = h
            .get("content-encoding")
            .filter(|e| !e.eq_ignore_ascii_case("identity"))
        {
            return Err(Reply::error(
                415,
                "encoded_body",
                format!("a `{enc}` body cannot be decided on"),
            ));
        }
        if let Some(len) = h.get("content-length")
            && len
                .trim()
                .parse::<usize>()
                .map_or(true, |n| n > self.cfg.max_body)
        {
            return Err(Reply::error(
                413,
                "body_too_large",
                "the body is too large to decide on",
            ));
        }
        let bytes = self.read_body().await?;
        body::check_json_declared(h.get("content-type"), &bytes).map_err(|e| match e {
            body::BodyError::Declared(m) => Reply::error(415, "not_json", m),
            other => Reply::error(400, "invalid_request", other.to_string()),
        })?;
        Ok(bytes)
    }
}
