//! The native core's answers, for other hosts to compare with (JSON lines on stdout).
//!
//! - `native_cases vectors`: every vector of `tests/vectors/` with its snapshot text, its
//!   request text and the native decision.
//! - `native_cases random --seed S --snapshots N --requests M`: seeded random snapshots, each
//!   with M requests and their native decisions, and allowed-action queries with answers.
//! - `native_cases allowed-demo`: for each demo user, the visible workspaces and projects
//!   and the allowed actions on each project (asked with `subject` = the user).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufWriter, Write};

use labelgate_tests::random::{self, Rng};
use labelgate_tests::{snapshot_text, vector_files};
use policy_core::{DEMO_SNAPSHOT_JSON, Policy, Principal, Resource};
use serde_json::{Value, json};

fn decision(policy: &Policy, request: &str) -> Value {
    serde_json::from_str(&policy.decide_json(request)).unwrap()
}

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.windows(2)
        .find(|w| w[0] == name)
        .map_or(default, |w| w[1].parse().expect("a number"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    match args.first().map(String::as_str) {
        Some("vectors") => {
            for (file, vf) in vector_files() {
                for v in vf.vectors {
                    let snapshot = snapshot_text(&v.snapshot);
                    let policy = Policy::from_snapshot_json(&snapshot).unwrap();
                    let request = v.request_text();
                    let line = json!({
                        "file": file, "description": v.description, "snapshot": snapshot,
                        "request": request, "expect": {"allow": v.expect.allow, "reason": v.expect.reason},
                        "decision": decision(&policy, &request),
                    });
                    writeln!(out, "{line}").unwrap();
                }
            }
        }
        Some("random") => {
            let mut rng = Rng::new(arg(&args, "--seed", 1));
            for _ in 0..arg(&args, "--snapshots", 100) {
                let snapshot = random::snapshot(&mut rng);
                let text = snapshot.to_string();
                let policy = Policy::from_snapshot_json(&text).unwrap();
                let ids = random::ids(&snapshot);
                let mut cases = Vec::new();
                let mut queries = Vec::new();
                for _ in 0..arg(&args, "--requests", 100) {
                    let request = random::request(&mut rng, &ids).to_string();
                    cases.push(json!({"request": request, "decision": decision(&policy, &request), "text": policy.decide_json(&request)}));
                    if cases.len() % 4 == 0 {
                        let req: Value = serde_json::from_str(&request).unwrap();
                        let query = json!({"principal": req["principal"], "org": req["org"], "resource": req["resource"]}).to_string();
                        let answer: Value =
                            serde_json::from_str(&policy.allowed_actions_json(&query)).unwrap();
                        queries.push(json!({"query": query, "answer": answer}));
                    }
                }
                let line = json!({"snapshot": text, "policy": policy.id().to_string(), "cases": cases, "queries": queries});
                writeln!(out, "{line}").unwrap();
            }
        }
        Some("allowed-demo") => {
            let policy = Policy::from_snapshot_json(DEMO_SNAPSHOT_JSON).unwrap();
            for user in 10..=17 {
                let p = Principal::user(user);
                let projects: Vec<Value> = policy
                    .visible_projects(&p, 1)
                    .into_iter()
                    .map(|project| {
                        let res = Resource {
                            subject: Some(user),
                            ..Resource::project(project)
                        };
                        let actions: Vec<&str> = policy
                            .allowed_actions(&p, 1, &res)
                            .iter()
                            .map(|a| a.name())
                            .collect();
                        json!({"project": project, "actions": actions})
                    })
                    .collect();
                let line = json!({"user": user, "workspaces": policy.visible_workspaces(&p, 1), "projects": projects});
                writeln!(out, "{line}").unwrap();
            }
        }
        _ => {
            eprintln!(
                "usage: native_cases vectors | random [--seed S] [--snapshots N] [--requests M] | allowed-demo"
            );
            std::process::exit(2);
        }
    }
}
