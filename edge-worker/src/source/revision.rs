//! Read your writes, at the edge (SpiceDB's ZedToken idea): a write's answer carries the
//! store's new revision, `X-LabelGate-Revision: <organization>.<revision>`; a request that
//! sends it back is decided on facts at least that new (the isolate refreshes the member's
//! slice first). A malformed value is ignored: it can only ask for fresher facts.

use crate::http::fetch::Incoming;
use crate::source::client::Client;

/// The header.
pub const HEADER: &str = "x-labelgate-revision";

/// `(organization, revision)` of a header value.
pub fn parse(value: &str) -> Option<(u64, u64)> {
    let (org, rev) = value.trim().split_once('.')?;
    Some((org.parse().ok()?, rev.parse().ok()?))
}

/// The header's value for a revision of `org`.
pub fn value(org: u64, revision: u64) -> String {
    format!("{org}.{revision}")
}

/// Notes the revision the request asks for, if any.
pub fn note(incoming: &Incoming, store: &Client<'_>) {
    if let Some((org, rev)) = incoming.get(HEADER).and_then(parse) {
        store.saw_revision(org, rev);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_name_an_organization_and_a_revision() {
        assert_eq!(parse("1.42"), Some((1, 42)));
        assert_eq!(parse(&value(7, 3)), Some((7, 3)));
        for bad in ["", "1", "1.", ".2", "a.b", "1.2.3", "-1.2"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
