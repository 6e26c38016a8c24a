//! Paths and query strings read the way Label Studio (Django) reads them, or refused.
//!
//! The server percent-decodes the path once, accepts `//` and an optional trailing slash,
//! and reads integer ids with leading zeros. Anything another layer could read differently
//! (a `%` left after decoding, `;` parameters, dot segments, backslashes, control
//! characters, invalid UTF-8) is ambiguous: the Worker refuses it rather than guess.

use std::fmt;

/// Why a path or query string was refused (HTTP 400).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ambiguous {
    /// The path does not start with `/`.
    NotAbsolute,
    /// A `%` not followed by two hex digits.
    BadEscape,
    /// A `%` left after decoding once: double encoding.
    DoubleEncoded,
    /// The decoded path is not UTF-8.
    NotUtf8,
    /// A character some layer treats specially: `;`, `\`, a control character.
    Forbidden(char),
    /// A `.` or `..` segment after decoding.
    DotSegment,
    /// A query parameter the Worker reads appears more than once.
    RepeatedParam(&'static str),
}

impl fmt::Display for Ambiguous {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ambiguous::NotAbsolute => f.write_str("the path is not absolute"),
            Ambiguous::BadEscape => f.write_str("the path has an invalid percent escape"),
            Ambiguous::DoubleEncoded => f.write_str("the path is percent-encoded twice"),
            Ambiguous::NotUtf8 => f.write_str("the decoded path is not utf-8"),
            Ambiguous::Forbidden(c) => {
                write!(f, "the path holds the character `{}`", c.escape_default())
            }
            Ambiguous::DotSegment => f.write_str("the path holds a `.` or `..` segment"),
            Ambiguous::RepeatedParam(p) => write!(f, "the query parameter `{p}` is repeated"),
        }
    }
}

/// Percent-decodes `s` once (`+` stays `+`, as in a path).
pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> Result<Vec<u8>, Ambiguous> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = bytes.get(i + 1).and_then(|c| hex(*c));
            let lo = bytes.get(i + 2).and_then(|c| hex(*c));
            match (hi, lo) {
                (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                _ => return Err(Ambiguous::BadEscape),
            }
            i += 3;
        } else {
            out.push(if plus_is_space && b == b'+' { b' ' } else { b });
            i += 1;
        }
    }
    Ok(out)
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The segments of `raw` (the path as the Worker received it, without the query) as the
/// server reads them: decoded once, empty segments (`//`, trailing slash) dropped.
pub fn canonical_segments(raw: &str) -> Result<Vec<String>, Ambiguous> {
    if !raw.starts_with('/') {
        return Err(Ambiguous::NotAbsolute);
    }
    let decoded = String::from_utf8(percent_decode(raw, false)?).map_err(|_| Ambiguous::NotUtf8)?;
    if decoded.contains('%') {
        return Err(Ambiguous::DoubleEncoded);
    }
    if let Some(c) = decoded
        .chars()
        .find(|c| *c == ';' || *c == '\\' || c.is_control())
    {
        return Err(Ambiguous::Forbidden(c));
    }
    let mut segments = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" => {}
            "." | ".." => return Err(Ambiguous::DotSegment),
            _ => segments.push(seg.to_owned()),
        }
    }
    Ok(segments)
}

/// An integer id as Django's `<int:...>` reads it: ASCII digits, leading zeros allowed.
/// `None` if the segment is not one (or does not fit in a `u64`).
pub fn parse_id(seg: &str) -> Option<u64> {
    if seg.is_empty() || !seg.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    seg.parse().ok()
}

/// The query parameters the Worker reads, decoded. A name the Worker reads must appear at
/// most once (Django keeps the last value, a naive reader the first).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

/// The query parameters that decide a request. Each may appear once.
pub const READ_PARAMS: [&str; 9] = [
    "project",
    "workspace",
    "scope",
    "token",
    "_method",
    "task",
    "task__project",
    "id",
    "view",
];

impl Query {
    /// Parses `raw` (without the `?`).
    pub fn parse(raw: &str) -> Result<Query, Ambiguous> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for part in raw.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let k = String::from_utf8(percent_decode(k, true)?).map_err(|_| Ambiguous::NotUtf8)?;
            let v = String::from_utf8(percent_decode(v, true)?).map_err(|_| Ambiguous::NotUtf8)?;
            if let Some(name) = READ_PARAMS.iter().find(|n| **n == k)
                && pairs.iter().any(|(pk, _)| pk == *name)
            {
                return Err(Ambiguous::RepeatedParam(name));
            }
            pairs.push((k, v));
        }
        Ok(Query { pairs })
    }

    /// The value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Percent-encodes a query value: every byte but letters, digits, `-_.~` and those of `keep`.
pub fn percent_encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') || keep.contains(&b)
        {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The raw path and query of a serialized URL (`https://host/p?q#f`).
pub fn split_url(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let rest = url.get(after_scheme..).unwrap_or("");
    let path_and_query = rest.find('/').and_then(|i| rest.get(i..)).unwrap_or("/");
    let path_and_query = path_and_query.split('#').next().unwrap_or("/");
    path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_path_and_query() {
        assert_eq!(split_url("http://h:1/api/x/?a=1#f"), ("/api/x/", "a=1"));
        assert_eq!(split_url("http://h"), ("/", ""));
        assert_eq!(split_url("https://h/p?"), ("/p", ""));
        assert_eq!(split_url("http://h//api?x=%2F"), ("//api", "x=%2F"));
    }

    fn segs(p: &str) -> Vec<String> {
        canonical_segments(p).unwrap()
    }

    #[test]
    fn the_server_forms_read_alike() {
        let want = vec!["api", "projects", "1"];
        for p in [
            "/api/projects/1/",
            "/api/projects/1",
            "//api/projects/1/",
            "/api//projects//1//",
            "/%61pi/%70rojects/1/",
            "/api%2Fprojects%2F1",
        ] {
            assert_eq!(segs(p), want, "{p}");
        }
        assert_eq!(parse_id("0001"), Some(1));
        assert_eq!(parse_id("1.json"), None);
        assert_eq!(parse_id("+1"), None);
        assert_eq!(parse_id("99999999999999999999999"), None);
        assert_eq!(parse_id("١"), None);
    }

    #[test]
    fn ambiguous_paths_are_refused() {
        for (p, why) in [
            ("api/projects", Ambiguous::NotAbsolute),
            ("/api/%2", Ambiguous::BadEscape),
            ("/api/%zz", Ambiguous::BadEscape),
            ("/api/%2570rojects", Ambiguous::DoubleEncoded),
            ("/api/projects/1;x/", Ambiguous::Forbidden(';')),
            ("/api/projects/1%3bx/", Ambiguous::Forbidden(';')),
            ("/api/projects\\1", Ambiguous::Forbidden('\\')),
            ("/api/projects/1%00", Ambiguous::Forbidden('\0')),
            ("/api/projects/1%2F..%2F2", Ambiguous::DotSegment),
            ("/api/projects/%2e/", Ambiguous::DotSegment),
            ("/api/%ff", Ambiguous::NotUtf8),
        ] {
            assert_eq!(canonical_segments(p), Err(why), "{p}");
        }
    }

    #[test]
    fn queries_read_once() {
        let q = Query::parse("project=1000&x=1&x=2&title=a+b%21").unwrap();
        assert_eq!(q.get("project"), Some("1000"));
        assert_eq!(q.get("title"), Some("a b!"));
        assert_eq!(
            Query::parse("project=1&project=2"),
            Err(Ambiguous::RepeatedParam("project"))
        );
        assert_eq!(
            Query::parse("%70roject=1&project=2"),
            Err(Ambiguous::RepeatedParam("project"))
        );
    }
}
