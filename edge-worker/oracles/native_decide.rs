//! The native core (policy-core, compiled for this machine, not the Worker's wasm) answering
//! JSON requests: the reference the Label Studio load test checks the Worker against.
//!
//! `cargo run -q -p edge-worker --example native_decide -- SNAPSHOT.json < requests.jsonl`
//! prints one decision JSON per request line.
#![allow(missing_docs)]

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use policy_core::Policy;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: native_decide SNAPSHOT.json < requests.jsonl");
        return ExitCode::from(2);
    };
    let policy = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| Policy::from_snapshot_json(&t).map_err(|e| e.to_string()))
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("native_decide: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else {
            return ExitCode::from(2);
        };
        if line.trim().is_empty() {
            continue;
        }
        if writeln!(out, "{}", policy.decide_json(&line)).is_err() {
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
