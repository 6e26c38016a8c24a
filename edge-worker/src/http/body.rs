//! The JSON bodies the decision reads, read as exactly the document Label Studio will parse,
//! or refused. Label Studio's API parses a body with DRF's `JSONParser`, `FormParser` or
//! `MultiPartParser`, chosen by the media type, and decodes it in the `charset` the
//! `Content-Type` names (Django's `request.encoding`; UTF-8 when none is named). So:
//! - a body the decision reads must be declared `application/json` (any case), with no
//!   parameter but `charset`, and that one UTF-8; a form or multipart body is refused (415),
//!   never guessed;
//! - any `charset` but UTF-8 is refused on every request ([`check_charset`]): in UTF-7,
//!   `+ACI-` is a `"`, so a field hidden inside one string would be real to Label Studio;
//! - a byte order mark is refused (Python's `json` refuses it too, but it is no document);
//! - a key repeated in any object, at any depth, is refused (Python keeps the last of a
//!   repeated key, a naive reader the first);
//! - JSON's own whitespace only (Python's `json` does not skip a form feed);
//! - what `serde_json` refuses and Python accepts (`NaN`, lone surrogates) is refused.
//!
//! `tests/labelstudio/test_bodies.py` checks this reading against DRF's own parsers on
//! mutated bodies (`oracles/body_read.rs` is the gate's side).

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

/// Why a body was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyError {
    /// Not JSON, not an object, or a repeated key.
    Malformed(String),
    /// Declared in a way Label Studio could read differently (415).
    Declared(String),
    /// A field the decision reads has the wrong type.
    Field(&'static str, &'static str),
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::Malformed(m) => write!(f, "the body is not a json object: {m}"),
            BodyError::Declared(m) => f.write_str(m),
            BodyError::Field(name, want) => write!(f, "the body's `{name}` must be {want}"),
        }
    }
}

/// A JSON object body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JsonBody(Map<String, Value>);

struct Strict(Map<String, Value>);

/// A JSON value in which no object repeats a key.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrictValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a json value")
            }
            fn visit_bool<E>(self, b: bool) -> Result<StrictValue, E> {
                Ok(StrictValue(Value::Bool(b)))
            }
            fn visit_i64<E>(self, n: i64) -> Result<StrictValue, E> {
                Ok(StrictValue(Value::from(n)))
            }
            fn visit_u64<E>(self, n: u64) -> Result<StrictValue, E> {
                Ok(StrictValue(Value::from(n)))
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<StrictValue, E> {
                serde_json::Number::from_f64(n)
                    .map(|n| StrictValue(Value::Number(n)))
                    .ok_or_else(|| E::custom("a number out of range"))
            }
            fn visit_str<E>(self, s: &str) -> Result<StrictValue, E> {
                Ok(StrictValue(Value::String(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<StrictValue, E> {
                Ok(StrictValue(Value::String(s)))
            }
            fn visit_unit<E>(self) -> Result<StrictValue, E> {
                Ok(StrictValue(Value::Null))
            }
            fn visit_none<E>(self) -> Result<StrictValue, E> {
                Ok(StrictValue(Value::Null))
            }
            fn visit_seq<S: serde::de::SeqAccess<'de>>(
                self,
                mut seq: S,
            ) -> Result<StrictValue, S::Error> {
                let mut items = Vec::new();
                while let Some(StrictValue(v)) = seq.next_element()? {
                    items.push(v);
                }
                Ok(StrictValue(Value::Array(items)))
            }
            fn visit_map<M: MapAccess<'de>>(self, access: M) -> Result<StrictValue, M::Error> {
                strict_map(access).map(|m| StrictValue(Value::Object(m)))
            }
        }
        d.deserialize_any(V)
    }
}

fn strict_map<'de, M: MapAccess<'de>>(mut access: M) -> Result<Map<String, Value>, M::Error> {
    let mut map = Map::new();
    while let Some(k) = access.next_key::<String>()? {
        let StrictValue(v) = access.next_value()?;
        if map.contains_key(&k) {
            return Err(serde::de::Error::custom(format!("key `{k}` is repeated")));
        }
        map.insert(k, v);
    }
    Ok(map)
}

/// JSON's own whitespace (RFC 8259: space, tab, line feed, carriage return).
pub fn json_blank(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// The parameters of a `Content-Type` value as Django reads them (names lowercase, values
/// unquoted), or why it is refused: a parameter without `=`, or one named twice.
fn params(ct: &str) -> Result<(String, Vec<(String, String)>), BodyError> {
    let mut parts = ct.split(';');
    let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let mut out: Vec<(String, String)> = Vec::new();
    for p in parts {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        let Some((k, v)) = p.split_once('=') else {
            return Err(declared(format!(
                "the `Content-Type` parameter `{p}` has no value"
            )));
        };
        let k = k.trim().to_ascii_lowercase();
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        if out.iter().any(|(n, _)| *n == k) {
            return Err(declared(format!(
                "the `Content-Type` parameter `{k}` is named twice"
            )));
        }
        out.push((k, v.to_owned()));
    }
    Ok((mime, out))
}

fn declared(m: String) -> BodyError {
    BodyError::Declared(m)
}

/// Refuses a `Content-Type` whose `charset` is not UTF-8 (or is named twice), whatever the
/// media type: Label Studio would decode the body in that charset, and the gate reads UTF-8.
pub fn check_charset(ct: Option<&str>) -> Result<(), BodyError> {
    let Some(ct) = ct else { return Ok(()) };
    let (_, ps) = params(ct)?;
    match ps.iter().find(|(k, _)| k == "charset") {
        Some((_, v)) if !(v.eq_ignore_ascii_case("utf-8") || v.eq_ignore_ascii_case("utf8")) => {
            Err(declared(format!(
                "the body's charset `{v}` is not accepted: send it as UTF-8 (`charset=utf-8`, or no charset)"
            )))
        }
        _ => Ok(()),
    }
}

/// Checks that a body the decision reads is declared as JSON the way Label Studio's
/// `JSONParser` reads it: `application/json`, no parameter but a UTF-8 `charset`.
/// A blank body needs no declaration (DRF reads it as empty).
pub fn check_json_declared(ct: Option<&str>, bytes: &[u8]) -> Result<(), BodyError> {
    // No body, or a blank one DRF reads as nothing (no media type: no parser runs).
    if bytes.is_empty() || (ct.is_none_or(|c| c.trim().is_empty()) && json_blank(bytes)) {
        return Ok(());
    }
    let Some(ct) = ct.filter(|c| !c.trim().is_empty()) else {
        return Err(declared(String::from(
            "this route is decided on its json body: send it with `Content-Type: application/json`",
        )));
    };
    check_charset(Some(ct))?;
    let (mime, ps) = params(ct)?;
    if mime != "application/json" {
        return Err(declared(format!(
            "this route is decided on its json body: `{mime}` is not accepted, send `application/json`"
        )));
    }
    if let Some((k, _)) = ps.iter().find(|(k, _)| k != "charset") {
        return Err(declared(format!(
            "the `Content-Type` parameter `{k}` is not accepted on a json body"
        )));
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(declared(String::from(
            "the body starts with a byte order mark: send plain UTF-8",
        )));
    }
    if let Some(n) = wide_integer(bytes) {
        return Err(BodyError::Malformed(format!(
            "the integer `{n}` does not fit in 64 bits (Label Studio would read it exactly, LabelGate cannot)"
        )));
    }
    Ok(())
}

/// The first integer literal of a JSON text (outside strings) that does not fit in an `i64`
/// or a `u64`: `serde_json` would read it as a float, Python as the exact integer.
fn wide_integer(bytes: &[u8]) -> Option<String> {
    let mut in_string = false;
    let mut escaped = false;
    let mut token: Vec<u8> = Vec::new();
    let wide = |token: &[u8]| {
        let t = core::str::from_utf8(token).unwrap_or("");
        let integer = !t.is_empty() && !t.contains(['.', 'e', 'E']) && t != "-";
        (integer && t.parse::<i64>().is_err() && t.parse::<u64>().is_err()).then(|| t.to_owned())
    };
    for &b in bytes.iter().chain(core::iter::once(&b' ')) {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if matches!(b, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
            token.push(b);
            continue;
        }
        if let Some(n) = wide(&token) {
            return Some(n);
        }
        token.clear();
        in_string = b == b'"';
    }
    None
}

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Strict;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, access: M) -> Result<Strict, M::Error> {
                strict_map(access).map(Strict)
            }
        }
        d.deserialize_map(V)
    }
}

impl JsonBody {
    /// Parses `bytes` declared as `content_type` (see [`check_json_declared`]).
    pub fn read(content_type: Option<&str>, bytes: &[u8]) -> Result<JsonBody, BodyError> {
        check_json_declared(content_type, bytes)?;
        JsonBody::parse(bytes)
    }

    /// Parses `bytes` (already checked to be declared as JSON). A blank body is the empty
    /// object.
    pub fn parse(bytes: &[u8]) -> Result<JsonBody, BodyError> {
        if json_blank(bytes) {
            return Ok(JsonBody::default());
        }
        serde_json::from_slice::<Strict>(bytes)
            .map(|s| JsonBody(s.0))
            .map_err(|e| BodyError::Malformed(e.to_string()))
    }

    /// The keys present.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Whether `name` is present (even as `null`).
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// An integer id field, as DRF's `IntegerField` reads it: a number or a string of ASCII
    /// digits. Absent or `null`: `None`.
    pub fn id(&self, name: &'static str) -> Result<Option<u64>, BodyError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or(BodyError::Field(name, "a non-negative integer")),
            Some(Value::String(s)) => crate::http::path::parse_id(s)
                .map(Some)
                .ok_or(BodyError::Field(name, "a non-negative integer")),
            Some(Value::Object(o)) => match o.get("id") {
                Some(Value::Number(n)) => n
                    .as_u64()
                    .map(Some)
                    .ok_or(BodyError::Field(name, "a non-negative integer")),
                _ => Err(BodyError::Field(name, "a non-negative integer")),
            },
            Some(_) => Err(BodyError::Field(name, "a non-negative integer")),
        }
    }

    /// A string field. Absent or `null`: `None`.
    pub fn str(&self, name: &'static str) -> Result<Option<&str>, BodyError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(BodyError::Field(name, "a string")),
        }
    }

    /// Whether `name` is present and `null`.
    pub fn is_null(&self, name: &str) -> bool {
        matches!(self.0.get(name), Some(Value::Null))
    }

    /// A boolean field. Absent or `null`: `None`.
    pub fn boolean(&self, name: &'static str) -> Result<Option<bool>, BodyError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(BodyError::Field(name, "true or false")),
        }
    }

    /// A list of integer ids. Absent or `null`: `None`.
    pub fn ids(&self, name: &'static str) -> Result<Option<Vec<u64>>, BodyError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_u64().ok_or(BodyError::Field(name, "a list of ids")))
                .collect::<Result<Vec<u64>, _>>()
                .map(Some),
            Some(_) => Err(BodyError::Field(name, "a list of ids")),
        }
    }

    /// A field as it is.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The body without these fields.
    pub fn without(&self, names: &[&str]) -> JsonBody {
        let mut m = self.0.clone();
        for n in names {
            m.remove(*n);
        }
        JsonBody(m)
    }

    /// Whether it has no field.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Its JSON.
    pub fn to_json(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_parse_and_repeats_are_refused() {
        let b = JsonBody::parse(br#"{"user_id": "014", "role": "AN", "x": null}"#).unwrap();
        assert_eq!(b.id("user_id"), Ok(Some(14)));
        assert_eq!(b.str("role"), Ok(Some("AN")));
        assert_eq!(b.id("x"), Ok(None));
        assert!(b.is_null("x") && !b.is_null("role"));
        assert_eq!(JsonBody::parse(b"  "), Ok(JsonBody::default()));
        assert!(JsonBody::parse(br#"{"a":1,"a":2}"#).is_err());
        assert!(JsonBody::parse(br#"[1]"#).is_err());
        assert!(JsonBody::parse(b"role=AN").is_err());
        let b = JsonBody::parse(br#"{"user_id": -1, "role": 3}"#).unwrap();
        assert!(b.id("user_id").is_err() && b.str("role").is_err());
        // Repeated keys at any depth, and what Python reads differently, are refused.
        assert!(JsonBody::parse(br#"{"a":{"b":1,"b":2}}"#).is_err());
        assert!(JsonBody::parse(br#"{"a":[{"b":1,"b":2}]}"#).is_err());
        assert!(JsonBody::parse(b"{\"a\": NaN}").is_err());
        assert!(JsonBody::parse(b"{\"a\": \"\\ud800\"}").is_err());
        assert!(JsonBody::parse(b"\x0c{}").is_err());
        let wide = br#"{"a": "1234567890123456789012345", "b": 123456789012345678901234567890}"#;
        assert!(check_json_declared(Some("application/json"), wide).is_err());
        let fits = br#"{"a": "123456789012345678901234567890", "b": -9223372036854775808, "c": 18446744073709551615, "d": 1e30}"#;
        assert_eq!(check_json_declared(Some("application/json"), fits), Ok(()));
        assert_eq!(JsonBody::parse(b" \t\r\n"), Ok(JsonBody::default()));
    }

    #[test]
    fn only_what_label_studio_reads_alike_is_declared_json() {
        let body = br#"{"pinned_at": null}"#;
        for ok in [
            "application/json",
            "APPLICATION/JSON",
            "application/json; charset=utf-8",
            "application/json;charset=\"UTF-8\"",
            "application/json ; charset=utf8",
        ] {
            assert_eq!(check_json_declared(Some(ok), body), Ok(()), "{ok}");
        }
        for bad in [
            "application/json; charset=utf-7",
            "application/json; charset=utf-16",
            "application/json; charset=latin-1",
            "application/json; charset=utf-8; charset=utf-7",
            "application/json; boundary=x",
            "application/json; charset",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "text/plain",
            "application/*",
            "*/*",
            "application/vnd.api+json",
            "text/json",
            "application/json, text/plain",
        ] {
            assert!(check_json_declared(Some(bad), body).is_err(), "{bad}");
        }
        assert!(check_json_declared(None, body).is_err());
        assert_eq!(check_json_declared(None, b"  "), Ok(()));
        assert_eq!(
            check_json_declared(Some("application/x-www-form-urlencoded"), b""),
            Ok(())
        );
        assert!(check_json_declared(Some("application/x-www-form-urlencoded"), b"  ").is_err());
        let bom = b"\xEF\xBB\xBF{}";
        assert!(check_json_declared(Some("application/json"), bom).is_err());
        assert!(check_charset(Some("multipart/form-data; boundary=x; charset=utf-7")).is_err());
        assert!(check_charset(Some("text/plain; charset=iso-8859-1")).is_err());
        assert_eq!(
            check_charset(Some("multipart/form-data; boundary=x")),
            Ok(())
        );
        assert_eq!(check_charset(None), Ok(()));
    }
}
