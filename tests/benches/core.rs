//! Criterion benchmarks of the policy core: a single check, `allowed_actions`,
//! `visible_projects` and the snapshot load, on a 10-member organization and on the
//! synthetic large one (100,000 users, 10,000 projects, 500 workspaces, 1,000,000
//! assignments). Also prints the peak memory of the large load.
//! Run: `bash scripts/bench-core.sh` (criterion, then a table of medians and ratios).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use labelgate_tests::large;
use policy_core::{Action, Policy, Principal, Request, Resource, Snapshot};

/// Counts live and peak heap bytes, to report the peak of a snapshot load.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A 10-member organization with the large one's ids for the benchmarked principals and
/// projects, so that the same requests apply to both.
const SMALL: &str = r#"{"organizations":[{"id":1,"owner":1,"members":[
  {"user":1,"role":"owner","status":"active"},{"user":2,"role":"administrator","status":"active"},
  {"user":52,"role":"manager","status":"active"},{"user":54,"role":"manager","status":"active"},
  {"user":1052,"role":"reviewer","status":"active"},{"user":11052,"role":"annotator","status":"active"},
  {"user":11053,"role":"annotator","status":"active"},{"user":11054,"role":"annotator","status":"active"},
  {"user":11055,"role":"annotator","status":"active"},{"user":11056,"role":"annotator","status":"active"}],
 "workspaces":[{"id":10001,"members":[52,1052]},{"id":10002,"members":[54]}],
 "projects":[{"id":100001,"workspace":10001,"created_by":52,"members":[11053],
   "assignments":[{"user":11052,"kind":"annotate"},{"user":11054,"kind":"annotate"}]},
  {"id":100002,"workspace":10002,"created_by":54}]}]}"#;

fn request(user: u64, action: Action, project: u64) -> Request {
    Request {
        principal: Principal::user(user),
        org: 1,
        action,
        resource: Resource::project(project),
    }
}

fn benches(c: &mut Criterion) {
    let small = Policy::from_snapshot_json(SMALL).unwrap();
    let text = large::organization(&large::LARGE, 42);
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let t = std::time::Instant::now();
    let big = Policy::from_snapshot_json(&text).unwrap();
    let load_time = t.elapsed();
    let peak = PEAK.load(Ordering::Relaxed) - base;
    let resident = LIVE.load(Ordering::Relaxed) - base;
    println!(
        "large snapshot: {} bytes of JSON; one load took {:.0} ms, peak heap {:.1} MiB (JSON text excluded), {:.1} MiB held after",
        text.len(),
        load_time.as_secs_f64() * 1e3,
        peak as f64 / 1048576.0,
        resident as f64 / 1048576.0
    );
    let extra = format!(
        "{{\"json_bytes\":{},\"load_peak_bytes\":{peak},\"load_resident_bytes\":{resident}}}",
        text.len()
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/labelgate-bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("core-memory.json"), extra).unwrap();

    // The large generator assigns project 100001 to annotator 11052 first.
    let annotator = 11_052;
    let cases = [
        (
            "manager_allowed",
            request(52, Action::ProjectExport, 100_001),
        ),
        (
            "manager_out_of_scope",
            request(54, Action::ProjectExport, 100_001),
        ),
        (
            "annotator_assigned",
            request(11_052, Action::ProjectLabel, 100_001),
        ),
    ];
    // Paired: the small and the large check alternate in short rounds, so machine drift hits
    // both alike; the median of the per-round ratios is the figure to trust on a noisy host.
    let mut paired = Vec::new();
    for (name, req) in &cases {
        let (s_ns, l_ns, ratio) = paired_ratio(&small, &big, req);
        println!(
            "paired check `{name}`: small {s_ns:.1} ns, large {l_ns:.1} ns, large/small median of rounds {ratio:.2}x"
        );
        paired.push(format!(
            "\"{name}\":{{\"small_ns\":{s_ns:.2},\"large_ns\":{l_ns:.2},\"ratio\":{ratio:.3}}}"
        ));
    }
    std::fs::write(
        dir.join("core-paired.json"),
        format!("{{{}}}", paired.join(",")),
    )
    .unwrap();

    let mut g = c.benchmark_group("check");
    for (name, req) in &cases {
        assert_eq!(small.decide(req).allow, big.decide(req).allow, "{name}");
        g.bench_function(format!("small/{name}"), |b| {
            b.iter(|| black_box(small.decide(black_box(req))))
        });
        g.bench_function(format!("large/{name}"), |b| {
            b.iter(|| black_box(big.decide(black_box(req))))
        });
    }
    let json = r#"{"principal":{"user":52,"groups":[]},"org":1,"action":"project.export","resource":{"project":100001}}"#;
    g.bench_function("small/decide_json", |b| {
        b.iter(|| black_box(small.decide_json(black_box(json))))
    });
    g.finish();

    let mut g = c.benchmark_group("allowed_actions");
    let manager = Principal::user(52);
    let res = Resource::project(100_001);
    g.bench_function("small/manager_project", |b| {
        b.iter(|| black_box(small.allowed_actions(black_box(&manager), 1, black_box(&res))))
    });
    g.bench_function("large/manager_project", |b| {
        b.iter(|| black_box(big.allowed_actions(black_box(&manager), 1, black_box(&res))))
    });
    g.finish();

    let mut g = c.benchmark_group("visible_projects");
    let ann = Principal::user(annotator);
    println!(
        "visible projects in the large organization: manager 52 sees {}, annotator {annotator} sees {}, administrator 2 sees {}",
        big.visible_projects(&manager, 1).len(),
        big.visible_projects(&ann, 1).len(),
        big.visible_projects(&Principal::user(2), 1).len()
    );
    g.bench_function("large/manager", |b| {
        b.iter(|| black_box(big.visible_projects(black_box(&manager), 1)))
    });
    g.bench_function("large/annotator", |b| {
        b.iter(|| black_box(big.visible_projects(black_box(&ann), 1)))
    });
    g.bench_function("large/administrator", |b| {
        b.iter(|| black_box(big.visible_projects(black_box(&Principal::user(2)), 1)))
    });
    g.finish();

    let mut g = c.benchmark_group("load");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("small", |b| {
        b.iter(|| black_box(Snapshot::from_json(black_box(SMALL)).unwrap()))
    });
    g.bench_function("large", |b| {
        b.iter(|| black_box(Snapshot::from_json(black_box(&text)).unwrap()))
    });
    g.finish();
}

/// Median ns per check of each policy, and the median of per-round large/small ratios.
fn paired_ratio(small: &Policy, large: &Policy, req: &Request) -> (f64, f64, f64) {
    const ROUNDS: usize = 200;
    const ITERS: u32 = 20_000;
    let time = |p: &Policy| {
        let t = std::time::Instant::now();
        for _ in 0..ITERS {
            black_box(p.decide(black_box(req)));
        }
        t.elapsed().as_nanos() as f64 / f64::from(ITERS)
    };
    let (mut s, mut l, mut r) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        // Alternate which goes first, so neither always follows the other.
        let (a, b) = if round % 2 == 0 {
            (time(small), time(large))
        } else {
            let b = time(large);
            (time(small), b)
        };
        s.push(a);
        l.push(b);
        r.push(b / a);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    (median(&mut s), median(&mut l), median(&mut r))
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! { name = core; config = config(); targets = benches }
criterion_main!(core);
