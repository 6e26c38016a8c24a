//! A member's slice (SPEC §7) of a snapshot, for the demo page's server (`demo/serve.mjs`),
//! which hands each browser its member's slice instead of the whole organization: the
//! snapshot's JSON on stdin, the slice's JSON on stdout.
//!
//! `slice --user N --org O [--groups a,b] < snapshot.json`
//!
//! A malformed snapshot or argument exits 2 with the reason on stderr.

use std::io::{Read, Write};
use std::process::ExitCode;

use policy_core::{Policy, Principal};

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.windows(2)
        .find(|w| w.first().map(String::as_str) == Some(name))
        .and_then(|w| w.get(1))
        .map(String::as_str)
}

fn run() -> Result<String, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |name: &str| -> Result<u64, String> {
        arg(&args, name)
            .ok_or_else(|| format!("{name} N is required"))?
            .parse()
            .map_err(|_| format!("{name} takes a number"))
    };
    let (user, org) = (number("--user")?, number("--org")?);
    let groups: Vec<String> = arg(&args, "--groups")
        .map(|g| {
            g.split(',')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("stdin: {e}"))?;
    let policy = Policy::from_snapshot_json(&text).map_err(|e| format!("the snapshot: {e}"))?;
    let principal = Principal {
        groups,
        ..Principal::user(user)
    };
    Ok(policy.slice(&principal, org).to_json())
}

fn main() -> ExitCode {
    match run() {
        Ok(json) => {
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{json}").is_err() {
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("slice: {e}");
            ExitCode::from(2)
        }
    }
}
