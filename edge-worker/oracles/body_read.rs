//! The gate's reading of a request body, for the differential against Label Studio's own
//! parsers (`tests/labelstudio/test_bodies.py`): one JSON line in per body,
//! `{"content_type": "..." or null, "body_hex": "..."}`, one line out,
//! `{"refused": "why"}` or `{"read": <the object the decision reads>}`.
//!
//! `cargo run -q -p edge-worker --example body_read < bodies.jsonl`
#![allow(missing_docs)]

use std::io::{BufRead, BufWriter, Write};

use edge_worker::http::body::{JsonBody, check_charset};
use serde_json::{Value, json};

fn unhex(s: &str) -> Option<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn main() {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let Ok(v) = serde_json::from_str::<Value>(&line) else {
            let _ = writeln!(out, "{}", json!({"refused": "bad input line"}));
            continue;
        };
        let ct = v.get("content_type").and_then(Value::as_str);
        let bytes = v
            .get("body_hex")
            .and_then(Value::as_str)
            .and_then(unhex)
            .unwrap_or_default();
        let answer = match check_charset(ct).and_then(|()| JsonBody::read(ct, &bytes)) {
            Ok(body) => {
                json!({"read": serde_json::from_str::<Value>(&body.to_json()).unwrap_or(Value::Null)})
            }
            Err(e) => json!({"refused": e.to_string()}),
        };
        let _ = writeln!(out, "{answer}");
    }
}
