//! A strict JSON reader for the few shapes of the contract (objects of known fields, arrays,
//! names, non-negative integers, strings, booleans), read straight into the core's types.
//!
//! Why not `serde_json`: every host carries this code, and the browser package has a size
//! budget. A general deserializer and the derived visitors were two thirds of the package;
//! reading the contract's shapes directly is a tenth of that. What is kept of serde_json's
//! behavior: RFC 8259 syntax, unknown and duplicate fields refused, `null` for an optional
//! field, errors with line and column. What is refused on purpose: numbers other than
//! non-negative integers (every number of the contract is an id), lone surrogates.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Display;

/// What went wrong, worded with its line and column.
pub(crate) type Res<T> = Result<T, String>;

/// What reads one entry of an object: given its key and where the key starts.
pub(crate) type Entry<'f, 'a> = dyn FnMut(&mut Reader<'a>, Cow<'a, str>, usize) -> Res<()> + 'f;

pub(crate) struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

/// Reads `text` as one value with `read`, and nothing after it but whitespace.
pub(crate) fn parse<'a, T>(text: &'a str, read: impl FnOnce(&mut Reader<'a>) -> Res<T>) -> Res<T> {
    let mut r = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = read(&mut r)?;
    match r.peek() {
        None => Ok(value),
        Some(_) => Err(r.fail("trailing characters")),
    }
}

/// "`a`, `b`, `c`"
fn listed(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}

impl<'a> Reader<'a> {
    /// `message` at the current position.
    pub(crate) fn fail(&self, message: impl Display) -> String {
        self.fail_at(self.at, message)
    }

    pub(crate) fn fail_at(&self, at: usize, message: impl Display) -> String {
        let before = self.bytes.get(..at).unwrap_or(self.bytes);
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = self
            .text
            .get(line_start..at)
            .map_or(0, |s| s.chars().count())
            + 1;
        format!("{message} at line {line} column {column}")
    }

    /// The next significant byte, after whitespace.
    fn peek(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn literal(&mut self, word: &str) -> bool {
        let found = self.peek().is_some()
            && self
                .bytes
                .get(self.at..)
                .is_some_and(|rest| rest.starts_with(word.as_bytes()));
        if found {
            self.at += word.len();
        }
        found
    }

    /// "invalid type: string, expected an object", for what is found where `expected` was.
    fn wrong(&mut self, expected: &str) -> String {
        let found = match self.peek() {
            None => return self.fail(format!("end of input, expected {expected}")),
            Some(b'{') => "an object",
            Some(b'[') => "an array",
            Some(b'"') => "a string",
            Some(b't' | b'f') => "a boolean",
            Some(b'n') => "null",
            Some(b'-') => "a negative number",
            Some(b'0'..=b'9') => "a number",
            Some(_) => return self.fail(format!("expected {expected}")),
        };
        self.fail(format!("invalid type: {found}, expected {expected}"))
    }

    /// "expected `what`", or at the end of the text "end of input, expected `what`".
    fn expected(&mut self, what: &str) -> String {
        match self.peek() {
            None => self.fail(format!("end of input, expected {what}")),
            Some(_) => self.fail(format!("expected {what}")),
        }
    }

    /// `null`, read as `None`; anything else is read by `read`.
    pub(crate) fn option<T>(&mut self, read: impl FnOnce(&mut Self) -> Res<T>) -> Res<Option<T>> {
        if self.literal("null") {
            Ok(None)
        } else {
            read(self).map(Some)
        }
    }

    pub(crate) fn boolean(&mut self) -> Res<bool> {
        if self.literal("true") {
            Ok(true)
        } else if self.literal("false") {
            Ok(false)
        } else {
            Err(self.wrong("a boolean"))
        }
    }

    /// A non-negative integer that fits in 64 bits, without fraction or exponent.
    pub(crate) fn id(&mut self) -> Res<u64> {
        const EXPECTED: &str = "a non-negative integer";
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.wrong(EXPECTED));
        }
        let start = self.at;
        let mut n: u64 = 0;
        while let Some(&d @ b'0'..=b'9') = self.bytes.get(self.at) {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d - b'0')))
                .ok_or_else(|| self.fail_at(start, "integer out of range of 64 bits"))?;
            self.at += 1;
        }
        if self.at - start > 1 && self.bytes.get(start) == Some(&b'0') {
            return Err(self.fail_at(start, "invalid number: a leading zero"));
        }
        if let Some(b'.' | b'e' | b'E') = self.bytes.get(self.at) {
            return Err(self.fail_at(
                start,
                format!("invalid type: a fractional number, expected {EXPECTED}"),
            ));
        }
        Ok(n)
    }

    /// A string, borrowed from the text when it has no escape.
    pub(crate) fn text(&mut self) -> Res<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return Err(self.wrong("a string"));
        }
        self.at += 1;
        let mut owned: Option<String> = None;
        loop {
            let start = self.at;
            while let Some(&b) = self.bytes.get(self.at) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            // Runs end on ASCII bytes, so they are whole characters of the text.
            let run = self.text.get(start..self.at).unwrap_or_default();
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(match owned {
                        None => Cow::Borrowed(run),
                        Some(mut s) => {
                            s.push_str(run);
                            Cow::Owned(s)
                        }
                    });
                }
                Some(b'\\') => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(run);
                    self.at += 1;
                    s.push(self.escape()?);
                }
                Some(_) => return Err(self.fail("control character in a string")),
                None => return Err(self.fail("end of input in a string")),
            }
        }
    }

    /// The character of an escape, after its backslash.
    fn escape(&mut self) -> Res<char> {
        let b = self.bytes.get(self.at).copied();
        self.at += 1;
        Ok(match b {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let high = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&high) {
                    if !(self.bytes.get(self.at) == Some(&b'\\')
                        && self.bytes.get(self.at + 1) == Some(&b'u'))
                    {
                        return Err(self.fail("lone leading surrogate in a \\u escape"));
                    }
                    self.at += 2;
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.fail("invalid trailing surrogate in a \\u escape"));
                    }
                    0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    high
                };
                char::from_u32(code)
                    .ok_or_else(|| self.fail("lone trailing surrogate in a \\u escape"))?
            }
            _ => return Err(self.fail_at(self.at - 1, "invalid escape")),
        })
    }

    fn hex4(&mut self) -> Res<u32> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.fail("invalid \\u escape"))?;
        self.at += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.fail("invalid \\u escape"))
    }

    pub(crate) fn string(&mut self) -> Res<String> {
        self.text().map(Cow::into_owned)
    }

    /// The one of `all` whose `name` is the string read.
    pub(crate) fn one_of<T: Copy>(&mut self, all: &[T], name: fn(T) -> &'static str) -> Res<T> {
        let start = self.at;
        let text = self.text()?;
        match all.iter().find(|t| name(**t) == text) {
            Some(t) => Ok(*t),
            None => {
                let names: Vec<&str> = all.iter().map(|t| name(*t)).collect();
                let listed = listed(&names);
                Err(self.fail_at(
                    start,
                    format!("unknown variant `{text}`, expected one of {listed}"),
                ))
            }
        }
    }

    /// An array, each element read by `read`.
    pub(crate) fn array<T>(&mut self, mut read: impl FnMut(&mut Self) -> Res<T>) -> Res<Vec<T>> {
        let mut out = Vec::new();
        self.elements(&mut |r| read(r).map(|v| out.push(v)))?;
        Ok(out)
    }

    fn elements(&mut self, read: &mut dyn FnMut(&mut Self) -> Res<()>) -> Res<()> {
        if !self.eat(b'[') {
            return Err(self.wrong("an array"));
        }
        if self.eat(b']') {
            return Ok(());
        }
        loop {
            read(self)?;
            if self.eat(b',') {
                continue;
            }
            if self.eat(b']') {
                return Ok(());
            }
            return Err(self.expected("`,` or `]`"));
        }
    }

    /// An object of any keys: `read` gets each key (and where it starts) and reads its
    /// value.
    pub(crate) fn entries(&mut self, read: &mut Entry<'_, 'a>) -> Res<()> {
        if !self.eat(b'{') {
            return Err(self.wrong("an object"));
        }
        if self.eat(b'}') {
            return Ok(());
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.expected("a key (a string)"));
            }
            let at = self.at;
            let key = self.text()?;
            if !self.eat(b':') {
                return Err(self.expected("`:`"));
            }
            read(self, key, at)?;
            if self.eat(b',') {
                continue;
            }
            if self.eat(b'}') {
                return Ok(());
            }
            return Err(self.expected("`,` or `}`"));
        }
    }

    /// An object whose keys are among `fields` (at most 64), each at most once, and every
    /// field of the `required` mask present. `read` reads the value of field `i`.
    pub(crate) fn object(
        &mut self,
        fields: &[&str],
        required: u64,
        read: &mut dyn FnMut(&mut Self, usize) -> Res<()>,
    ) -> Res<()> {
        let mut seen: u64 = 0;
        self.entries(&mut |r, key, at| {
            let Some(i) = fields.iter().position(|f| *f == key) else {
                return Err(r.fail_at(
                    at,
                    format!("unknown field `{key}`, expected one of {}", listed(fields)),
                ));
            };
            if seen & (1 << i) != 0 {
                return Err(r.fail_at(at, format!("duplicate field `{key}`")));
            }
            seen |= 1 << i;
            read(r, i)
        })?;
        match fields
            .iter()
            .enumerate()
            .find(|(i, _)| required & !seen & (1 << i) != 0)
        {
            Some((_, missing)) => Err(self.fail(format!("missing field `{missing}`"))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn ids(text: &str) -> Res<Vec<u64>> {
        parse(text, |r| r.array(Reader::id))
    }

    fn string(text: &str) -> Res<String> {
        parse(text, Reader::string)
    }

    #[test]
    fn numbers_are_non_negative_integers() {
        assert_eq!(
            ids(" [0, 7 ,18446744073709551615]\n"),
            Ok(vec![0, 7, u64::MAX])
        );
        assert_eq!(ids("[]"), Ok(vec![]));
        for (text, error) in [
            (
                "[18446744073709551616]",
                "integer out of range of 64 bits at line 1 column 2",
            ),
            (
                "[1.0]",
                "invalid type: a fractional number, expected a non-negative integer at line 1 column 2",
            ),
            ("[1e3]", "invalid type: a fractional number"),
            (
                "[-1]",
                "invalid type: a negative number, expected a non-negative integer",
            ),
            ("[01]", "invalid number: a leading zero"),
            (
                "[\"1\"]",
                "invalid type: a string, expected a non-negative integer",
            ),
            ("[1,]", "expected a non-negative integer at line 1 column 4"),
            ("[1 2]", "expected `,` or `]` at line 1 column 4"),
            ("[1", "end of input, expected `,` or `]` at line 1 column 3"),
            (
                "[1,",
                "end of input, expected a non-negative integer at line 1 column 4",
            ),
            ("[1] x", "trailing characters at line 1 column 5"),
            ("", "end of input, expected an array"),
            ("{}", "invalid type: an object, expected an array"),
        ] {
            let got = ids(text).unwrap_err();
            assert!(got.starts_with(error), "{text}: {got}");
        }
    }

    #[test]
    fn strings_unescape_and_refuse_what_json_refuses() {
        assert_eq!(string(r#""plain""#), Ok("plain".into()));
        assert_eq!(
            string(r#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00é""#),
            Ok("a\"b\\c/d\u{8}\u{c}\n\r\té😀é".into())
        );
        for (text, error) in [
            (r#""\ud83d""#, "lone leading surrogate"),
            (r#""\ude00""#, "lone trailing surrogate"),
            (r#""\ud83d\u0041""#, "invalid trailing surrogate"),
            (r#""\x""#, "invalid escape"),
            (r#""\u12""#, "invalid \\u escape"),
            (
                "\"a\nb\"",
                "control character in a string at line 1 column 3",
            ),
            ("\"abc", "end of input in a string"),
            ("7", "invalid type: a number, expected a string"),
        ] {
            let got = string(text).unwrap_err();
            assert!(got.starts_with(error), "{text}: {got}");
        }
    }

    #[test]
    fn objects_refuse_unknown_duplicate_and_missing_fields() {
        const FIELDS: &[&str] = &["id", "name", "tags"];
        let read = |text: &str| {
            parse(text, |r| {
                let mut out = (0, None, Vec::new());
                r.object(FIELDS, 0b001, &mut |r, i| {
                    match i {
                        0 => out.0 = r.id()?,
                        1 => out.1 = r.option(Reader::string)?,
                        _ => out.2 = r.array(Reader::boolean)?,
                    }
                    Ok(())
                })?;
                Ok(out)
            })
        };
        assert_eq!(
            read(r#"{"name": "x", "id": 3, "tags": [true, false]}"#),
            Ok((3, Some("x".into()), vec![true, false]))
        );
        assert_eq!(read(r#"{"id": 3, "name": null}"#), Ok((3, None, vec![])));
        for (text, error) in [
            (
                "{\n  \"colour\": 1}",
                "unknown field `colour`, expected one of `id`, `name`, `tags` at line 2 column 3",
            ),
            (
                r#"{"id": 1, "id": 2}"#,
                "duplicate field `id` at line 1 column 11",
            ),
            (r#"{"name": "x"}"#, "missing field `id` at line 1 column 14"),
            (r#"{"id" 1}"#, "expected `:`"),
            (r#"{id: 1}"#, "expected a key (a string)"),
            (r#"{"id": 1,}"#, "expected a key (a string)"),
            (
                "{",
                "end of input, expected a key (a string) at line 1 column 2",
            ),
            (r#"{"id""#, "end of input, expected `:`"),
            (r#"{"id": 1"#, "end of input, expected `,` or `}`"),
            (r#"{"id": 1 "name": null}"#, "expected `,` or `}`"),
            (
                r#"{"id": 1, "tags": null}"#,
                "invalid type: null, expected an array",
            ),
            (
                r#"{"id": 1, "tags": [1]}"#,
                "invalid type: a number, expected a boolean",
            ),
            (r#"[]"#, "invalid type: an array, expected an object"),
        ] {
            let got = read(text).unwrap_err();
            assert!(got.starts_with(error), "{text}: {got}");
        }
    }

    #[test]
    fn names_are_one_of_a_list() {
        let read = |text: &str| parse(text, |r| r.one_of(&[1, 2], |i| ["own", "project"][i - 1]));
        assert_eq!(read(r#""project""#), Ok(2));
        assert_eq!(
            read(r#""org""#).unwrap_err(),
            "unknown variant `org`, expected one of `own`, `project` at line 1 column 1"
        );
    }

    #[test]
    fn columns_count_characters() {
        let got = parse("{\"é\": 1}", |r| r.object(&["a"], 0, &mut |_, _| Ok(()))).unwrap_err();
        assert_eq!(
            got,
            "unknown field `é`, expected one of `a` at line 1 column 2"
        );
    }
}
