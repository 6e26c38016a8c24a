//! Broken and hostile policy modules cannot hang or exhaust the host: each failure comes
//! back as a deny with reason `policy_error` (or a clear error), and the host recovers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};

use host_demo::{Limits, PolicyModule};

/// A module with LabelGate's exports; `decide`, `load` and `version` bodies vary.
fn module(decide: &str, load: &str, version: i32) -> Vec<u8> {
    let text = format!(
        r#"(module
          (memory (export "memory") 1)
          (global $len (mut i32) (i32.const 0))
          (func (export "lg_abi_version") (result i32) (i32.const {version}))
          (func (export "lg_input") (param i32) (result i32) (global.set $len (local.get 0)) (i32.const 1024))
          (func (export "lg_output") (result i32) (i32.const 2048))
          (func (export "lg_output_len") (result i32) (i32.const 0))
          (func (export "lg_load") (result i32) {load})
          (func (export "lg_decide") (result i32) {decide})
          (func (export "lg_allowed") (result i32) (i32.const 0))
          (func (export "lg_visible_projects") (result i32) (i32.const 0))
          (func (export "lg_visible_workspaces") (result i32) (i32.const 0))
          (func (export "lg_policy_id") (result i32) (i32.const 0))
          (func (export "lg_check") (param i64 i64 i32 i64 i64) (result i32) (i32.const 0))
          (func (export "lg_check_batch") (result i32) (i32.const 0)))"#
    );
    wat::parse_str(text).unwrap()
}

fn limits() -> Limits {
    Limits {
        fuel_per_call: 5_000_000,
        fuel_per_snapshot_byte: 100,
        max_memory: 64 << 20,
    }
}

fn reason(decision: &str) -> &str {
    decision
        .split(r#""reason":""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("")
}

#[test]
fn an_endless_loop_runs_out_of_fuel_and_is_a_deny() {
    let mut m = PolicyModule::new(
        &module("(loop (br 0)) (i32.const 0)", "(i32.const 0)", 1),
        limits(),
    )
    .unwrap();
    m.load("{}").unwrap();
    let t = Instant::now();
    let d = m.decide("{}");
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "fuel should stop the loop quickly"
    );
    assert_eq!(reason(&d), "policy_error", "{d}");
    assert!(d.contains("fuel"), "{d}");
}

#[test]
fn a_trap_is_a_deny_and_the_host_recovers_with_the_last_snapshot() {
    // Traps only on an input of 13 bytes; otherwise answers with an empty output.
    let decide = "(if (i32.eq (global.get $len) (i32.const 13)) (then unreachable)) (i32.const 0)";
    // Counts loads in memory at address 0, so a reload after the trap can be seen.
    let load =
        "(i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1))) (i32.const 0)";
    let mut m = PolicyModule::new(&module(decide, load, 1), limits()).unwrap();
    m.load("snapshot").unwrap();
    let d = m.decide("thirteen byte");
    assert_eq!(reason(&d), "policy_error", "{d}");
    assert!(d.contains("unreachable"), "{d}");
    assert_eq!(
        m.decide("fine"),
        "",
        "a fresh instance answers after the trap"
    );
}

#[test]
fn memory_beyond_the_limit_is_refused() {
    // Tries to grow by 16 MiB until refused, then traps: the limiter must say no at 64 MiB.
    let load = "(block (loop (br_if 1 (i32.eq (memory.grow (i32.const 256)) (i32.const -1))) (br 0))) unreachable";
    let mut m = PolicyModule::new(&module("(i32.const 0)", load, 1), limits()).unwrap();
    let e = m.load("{}").unwrap_err();
    assert!(e.contains("trapped while loading"), "{e}");
    // The host is still usable.
    assert_eq!(m.decide("x"), "");
}

#[test]
fn output_out_of_bounds_is_a_deny_not_a_crash() {
    let decide = "(i32.const 2147483647)";
    let mut m = PolicyModule::new(&module(decide, "(i32.const 0)", 1), limits()).unwrap();
    m.load("{}").unwrap();
    let d = m.decide("{}");
    assert_eq!(reason(&d), "policy_error", "{d}");
}

#[test]
fn a_wrong_interface_version_or_an_import_is_refused_clearly() {
    let e = PolicyModule::new(&module("(i32.const 0)", "(i32.const 0)", 2), limits())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("interface version 2"), "{e}");
    let importing =
        wat::parse_str(r#"(module (import "env" "f" (func)) (memory (export "memory") 1))"#)
            .unwrap();
    let e = PolicyModule::new(&importing, limits())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("must import nothing"), "{e}");
    let e = PolicyModule::new(b"\0asm garbage", limits())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("not a valid WebAssembly module"), "{e}");
    let missing = wat::parse_str(r#"(module (memory (export "memory") 1) (func (export "lg_abi_version") (result i32) (i32.const 1)))"#).unwrap();
    let e = PolicyModule::new(&missing, limits())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("exports no `lg_input`"), "{e}");
}
