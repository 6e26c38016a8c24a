//! One decision everywhere: the vector suite through every host (native core, wasmtime
//! module, npm package in Node, Worker in workerd), and random differentials against
//! native, comparing whole decisions: allow, reason, message and policy id.
//!
//! Needs `bash scripts/build-wasm.sh` and `bash scripts/build-worker.sh` first. Sizes:
//! `LABELGATE_WASMTIME_DECISIONS` (default 1,000,000), `LABELGATE_NODE_DECISIONS` (10,000),
//! `LABELGATE_WORKER_DECISIONS` (1,000).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use labelgate_tests::hosts::{Lines, Wasmtime};
use labelgate_tests::random::{self, Rng};
use labelgate_tests::{Host, Native, run_suite};
use policy_core::Policy;

fn size(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn suite_on(host: &mut dyn Host) {
    let (ran, mismatches) = run_suite(host);
    for m in &mismatches {
        eprintln!("{}: {m}", host.name());
    }
    assert!(
        mismatches.is_empty(),
        "{}: {} of {ran} vectors failed",
        host.name(),
        mismatches.len()
    );
    eprintln!("{}: {ran} vectors, 0 mismatches", host.name());
}

#[test]
fn the_vector_suite_passes_on_every_host() {
    suite_on(&mut Native::default());
    suite_on(&mut Wasmtime::new().unwrap());
    suite_on(&mut Lines::node().unwrap());
    suite_on(&mut Lines::worker().unwrap());
}

/// Random snapshots and requests: `host` must write exactly native's decision text.
fn differential(host: &mut dyn Host, total: u64, seed: u64) {
    let mut rng = Rng::new(seed);
    let (mut done, mut snapshots) = (0, 0);
    while done < total {
        let snapshot = random::snapshot(&mut rng);
        let text = snapshot.to_string();
        let native = Policy::from_snapshot_json(&text).unwrap();
        host.load(&text).unwrap();
        let ids = random::ids(&snapshot);
        snapshots += 1;
        for _ in 0..200.min(total - done) {
            let request = random::request(&mut rng, &ids).to_string();
            let got = host.decide_text(&request);
            assert_eq!(
                got,
                native.decide_json(&request),
                "{} differs from native on {request}\nsnapshot: {text}",
                host.name()
            );
            done += 1;
        }
    }
    eprintln!(
        "{}: {done} random decisions over {snapshots} snapshots, identical to native",
        host.name()
    );
}

#[test]
fn wasmtime_decides_exactly_as_native() {
    differential(
        &mut Wasmtime::new().unwrap(),
        size("LABELGATE_WASMTIME_DECISIONS", 1_000_000),
        0xC0FFEE,
    );
}

#[test]
fn node_decides_exactly_as_native() {
    differential(
        &mut Lines::node().unwrap(),
        size("LABELGATE_NODE_DECISIONS", 10_000),
        0xBEEF,
    );
}

#[test]
fn the_worker_decides_exactly_as_native() {
    differential(
        &mut Lines::worker().unwrap(),
        size("LABELGATE_WORKER_DECISIONS", 1_000),
        0xED6E,
    );
}
