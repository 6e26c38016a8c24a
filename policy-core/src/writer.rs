//! The core's one JSON writer, the twin of [`crate::reader`]: compact output, strings
//! escaped as serde_json (and JavaScript's `JSON.stringify`) escape them. A leaf: it uses
//! nothing else of the crate.

use alloc::string::String;
use core::fmt::Write as _;

/// Lowercase hexadecimal digits, by value.
pub(crate) const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `s` as a JSON string: `"` and `\` escaped, `\n`, `\r`, `\t`, `\b` and `\f` by
/// name, the other control characters as `\u00xx`, everything else as it is.
pub(crate) fn push_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let b = u32::from(c) as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX.get(b >> 4).copied().unwrap_or(b'0')));
                out.push(char::from(HEX.get(b & 15).copied().unwrap_or(b'0')));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A compact JSON text being written.
pub(crate) struct Writer(pub(crate) String);

impl Writer {
    /// An empty text.
    pub(crate) fn new() -> Writer {
        Writer(String::new())
    }

    /// `"name":`, after a comma unless it is the object's first key.
    pub(crate) fn key(&mut self, name: &str, first: bool) {
        if !first {
            self.0.push(',');
        }
        self.string(name);
        self.0.push(':');
    }

    /// A number.
    pub(crate) fn id(&mut self, v: u64) {
        // Writing into a String cannot fail.
        let _ = write!(self.0, "{v}");
    }

    /// A string.
    pub(crate) fn string(&mut self, s: &str) {
        push_string(&mut self.0, s);
    }

    /// `,"name":"v"` if there is a `v`.
    pub(crate) fn opt_string(&mut self, name: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.key(name, false);
            self.string(v);
        }
    }

    /// An array of `items`, each written by `item`.
    pub(crate) fn list<T>(&mut self, items: &[T], mut item: impl FnMut(&T, &mut Writer)) {
        self.0.push('[');
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            item(x, self);
        }
        self.0.push(']');
    }
}

#[cfg(test)]
mod tests {
    use super::{Writer, push_string};

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut out = alloc::string::String::new();
        push_string(&mut out, "a\"b\\c\n\r\t\u{8}\u{c}\u{1f}\u{0}é😀/");
        assert_eq!(out, r#""a\"b\\c\n\r\t\b\f\u001f\u0000é😀/""#);
    }

    #[test]
    fn lists_and_keys_are_compact() {
        let mut w = Writer::new();
        w.0.push('{');
        w.key("ids", true);
        w.list(&[1u64, 22], |v, w| w.id(*v));
        w.opt_string("none", None);
        w.opt_string("name", Some("x"));
        w.0.push('}');
        assert_eq!(w.0, r#"{"ids":[1,22],"name":"x"}"#);
    }
}
