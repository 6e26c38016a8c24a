//! The vector suite through the native core, and the suite's coverage of SPEC's table.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};

use labelgate_tests::reference::{ROLES, TABLE};
use labelgate_tests::{Host, Native, run_suite, snapshot_text, vector_files};
use serde_json::Value;

#[test]
fn every_vector_passes_on_the_native_core() {
    let mut host = Native::default();
    let (ran, mismatches) = run_suite(&mut host);
    for m in &mismatches {
        eprintln!("{m}");
    }
    assert!(ran > 600, "only {ran} vectors ran");
    assert!(
        mismatches.is_empty(),
        "{} of {ran} vectors failed",
        mismatches.len()
    );
    eprintln!("{} vectors, 0 mismatches on {}", ran, host.name());
}

/// Every action x role x status of the table has a vector; every non-blank cell of an
/// active member has an allowed and a denied one.
#[test]
fn the_suite_covers_every_cell_of_the_table() {
    let cells: Value =
        serde_json::from_str(&snapshot_text(&Value::String("cells".into()))).unwrap();
    let mut who: BTreeMap<u64, (String, String)> = BTreeMap::new();
    for m in cells["organizations"][0]["members"].as_array().unwrap() {
        let user = m["user"].as_u64().unwrap();
        let status = m["status"].as_str().unwrap().to_string();
        // A pending member has no role: the cells snapshot numbers users by role.
        let role = ROLES[((user - 100) / 10) as usize].to_string();
        who.insert(user, (role, status));
    }
    let mut seen: BTreeSet<(String, String, String, bool)> = BTreeSet::new();
    for file in vector_files().values() {
        for v in &file.vectors {
            if v.snapshot != Value::String("cells".into()) {
                continue;
            }
            let req = v.request.as_ref().unwrap();
            let user = req["principal"]["user"].as_u64().unwrap();
            let (role, status) = who[&user].clone();
            let action = req["action"].as_str().unwrap().to_string();
            seen.insert((action, role, status, v.expect.allow));
        }
    }
    let mut actions: Vec<(&str, [&str; 5])> = TABLE.to_vec();
    actions.push(("analytics.view", ["own"; 5]));
    actions.push(("org.signup", ["R"; 5]));
    let mut missing = Vec::new();
    for (action, row) in &actions {
        for (r, role) in ROLES.iter().enumerate() {
            for status in ["active", "not_activated", "deactivated"] {
                if *role == "owner" && status != "active" {
                    continue; // the one owner is active by rule: the snapshot refuses anything else
                }
                let key = |allow| {
                    (
                        action.to_string(),
                        role.to_string(),
                        status.to_string(),
                        allow,
                    )
                };
                let has_denied = seen.contains(&key(false));
                let has_allowed = seen.contains(&key(true));
                let needs_allowed =
                    !row[r].is_empty() && (status == "active" || *action == "org.signup");
                if !has_denied || (needs_allowed && !has_allowed) {
                    missing.push(format!("{action} | {role} | {status}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "cells without vectors: {missing:#?}");
}
