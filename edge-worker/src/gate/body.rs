//! The JSON bodies the decision reads: a top-level object, each key once (Python keeps the
//! last of a repeated key, a naive reader the first, so a repeat is refused).

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

/// Why a body was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyError {
    /// Not JSON, not an object, or a repeated key.
    Malformed(String),
    /// A field the decision reads has the wrong type.
    Field(&'static str, &'static str),
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::Malformed(m) => write!(f, "the body is not a json object: {m}"),
            BodyError::Field(name, want) => write!(f, "the body's `{name}` must be {want}"),
        }
    }
}

/// A JSON object body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JsonBody(Map<String, Value>);

struct Strict(Map<String, Value>);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Strict;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut access: M) -> Result<Strict, M::Error> {
                let mut map = Map::new();
                while let Some((k, v)) = access.next_entry::<String, Value>()? {
                    if map.contains_key(&k) {
                        return Err(serde::de::Error::custom(format!("key `{k}` is repeated")));
                    }
                    map.insert(k, v);
                }
                Ok(Strict(map))
            }
        }
        d.deserialize_map(V)
    }
}

impl JsonBody {
    /// Parses `bytes`. An empty body is the empty object.
    pub fn parse(bytes: &[u8]) -> Result<JsonBody, BodyError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
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
            Some(Value::String(s)) => crate::gate::path::parse_id(s)
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
    }
}
