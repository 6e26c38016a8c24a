//! What the gate knows of a request once it is allowed: the handoff from the gate to the one
//! server its route row names (`crate::serve`). Below the gate and every server.

use std::rc::Rc;

use policy_core::{Action, Policy, Principal, Resource};
use worker::Env;
use worker::web_sys::Response;

use crate::gate::credential::Credential;
use crate::gate::identity;
use crate::gate::plan::Plan;
use crate::gate::routes::Matched;
use crate::http::fetch;
use crate::http::forward::{Body, Rewrite};
use crate::http::path::Query;
use crate::http::reply::Reply;
use crate::http::request::Ask;
use crate::source::Source;

/// What the gate knows of a request once it is decided, for what serves it.
pub struct Decided<'a> {
    /// The request.
    pub ask: &'a Ask<'a>,
    /// The facts it was decided on.
    pub source: &'a Source<'a>,
    /// The member's policy.
    pub policy: Rc<Policy>,
    /// The member.
    pub principal: Principal,
    /// Whether the member exists at all (for the store's own decisions).
    pub known: bool,
    /// The organization.
    pub org: u64,
    /// The matched row.
    pub matched: Matched,
    /// The plan.
    pub plan: Plan,
    /// The action decided.
    pub action: Action,
    /// The resource decided on.
    pub resource: Resource,
    /// The query.
    pub query: Query,
    /// The JSON body read for the decision, if any.
    pub bytes: Option<Vec<u8>>,
    /// The forwarding rewrite, stamped with the decision.
    pub rw: Rewrite,
    /// The origin.
    pub origin: &'a str,
    /// The credential the origin will see (its own lookups are asked with it).
    pub cred: Option<Credential>,
    /// The Worker's environment (the static assets of the web UI's pages).
    pub env: &'a Env,
    /// The organization a change of the member's own account switches to, if it does.
    pub switch: Option<u64>,
}

/// The origin's answer to a request forwarded unchanged.
pub enum OriginRead {
    /// A 200, and its text.
    Text(Response, String),
    /// Any other answer, to pass on as it is.
    Other(Response),
}

impl Decided<'_> {
    /// Proves the request's credential again when what proved it is older than
    /// `MAX_STALENESS_MS`: a write the Worker applies to its store is never made on a credential
    /// Label Studio has since revoked (a reset token, a session that ended). JWTs and Access
    /// assertions were verified on this request.
    pub async fn reprove(&self) -> Result<(), Reply> {
        match (&self.cred, self.principal.user) {
            (Some(cred), Some(user)) => {
                identity::reprove(cred, self.ask.cfg, self.ask.now, user).await
            }
            _ => Ok(()),
        }
    }

    /// Forwards the request unchanged and reads the answer's text when it is a 200; `what`
    /// names it in the error if it cannot be read.
    pub async fn read_origin(&self, what: &str) -> Result<OriginRead, Reply> {
        let resp = self
            .ask
            .send(
                self.origin,
                &self.ask.path_and_query(),
                &self.rw,
                Body::Stream,
            )
            .await?;
        if resp.status() != 200 {
            return Ok(OriginRead::Other(resp));
        }
        match fetch::text(&resp).await {
            Some(text) => Ok(OriginRead::Text(resp, text)),
            None => Err(Reply::error(
                502,
                "origin_answer",
                format!("{what} could not be read"),
            )),
        }
    }
}
