//! HTTP plumbing, below the gate and every feature: the request as the gate sees it
//! ([`request`]), its path and query read as Label Studio reads them ([`path`]), its body
//! ([`body`]), the Worker's own answers ([`reply`]), reading answers ([`fetch`]), forwarding to
//! the origin ([`forward`]), other members' emails taken out of an answer ([`redact`]), and
//! the HTML rewriter of Label Studio's pages ([`rewriter`]).

pub mod body;
pub mod fetch;
pub mod forward;
pub mod path;
pub mod redact;
pub mod reply;
pub mod request;
pub mod rewriter;
