//! host-demo: LabelGate's policy module run by wasmtime, as a command-line tool.
//! Run: `cargo run -p host-demo -- --help` (the module comes from `bash scripts/build-wasm.sh`).

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use host_demo::{Limits, PolicyModule};
use policy_core::{Action, Policy, Principal, Request, Resource};

const HELP: &str = "host-demo: LabelGate's policy module embedded through wasmtime

USAGE:
  host-demo decide  --snapshot FILE [--module FILE]
      Reads one JSON request per line on stdin, writes one JSON decision per line on stdout.
  host-demo allowed --snapshot FILE --user U --org O [--project P | --workspace W] [--module FILE]
      Prints the actions the user may take on the project, workspace or organization.
  host-demo bench   [--snapshot FILE] [--module FILE] [--rounds N]
      Prints the cost of a decision through the module next to the native core.

OPTIONS:
  --module FILE   the policy module (default: $LABELGATE_MODULE, else
                  target/labelgate/labelgate_policy.wasm, built by scripts/build-wasm.sh)
  --snapshot FILE the snapshot JSON (bench: default the embedded demo organization)
  -h, --help      this text

Exit status: 0 done, 2 a missing or unusable module, snapshot or argument.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("host-demo: {e}");
            ExitCode::from(2)
        }
    }
}

/// The value of `--name`, if given.
fn opt<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn number(args: &[String], name: &str) -> Result<Option<u64>, String> {
    opt(args, name)
        .map(|v| {
            v.parse::<u64>()
                .map_err(|_| format!("{name} takes a non-negative integer, not `{v}`"))
        })
        .transpose()
}

fn module_path(args: &[String]) -> PathBuf {
    opt(args, "--module")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("LABELGATE_MODULE").map(PathBuf::from))
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../target/labelgate/labelgate_policy.wasm")
        })
}

fn open_module(args: &[String]) -> Result<PolicyModule, String> {
    let path = module_path(args);
    let bytes = std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read the policy module `{}`: {e} (build it with `bash scripts/build-wasm.sh`)",
            path.display()
        )
    })?;
    PolicyModule::new(&bytes, Limits::default())
        .map_err(|e| format!("the policy module `{}` is unusable: {e:#}", path.display()))
}

fn read_snapshot(args: &[String]) -> Result<String, String> {
    let path = opt(args, "--snapshot").ok_or("a --snapshot FILE is required")?;
    std::fs::read_to_string(path).map_err(|e| format!("cannot read the snapshot `{path}`: {e}"))
}

fn loaded(args: &[String]) -> Result<PolicyModule, String> {
    let snapshot = read_snapshot(args)?;
    let mut module = open_module(args)?;
    module
        .load(&snapshot)
        .map_err(|e| format!("the snapshot is refused: {e}"))?;
    Ok(module)
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => {
            println!("{HELP}");
            Ok(())
        }
        Some("decide") => decide(args),
        Some("allowed") => allowed(args),
        Some("bench") => bench(args),
        Some(other) => Err(format!("unknown command `{other}`; see `host-demo --help`")),
    }
}

fn decide(args: &[String]) -> Result<(), String> {
    let mut module = loaded(args)?;
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in stdin.lock().lines() {
        let line = line.map_err(|e| format!("reading stdin: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        writeln!(out, "{}", module.decide(&line)).map_err(|e| format!("writing stdout: {e}"))?;
    }
    out.flush().map_err(|e| format!("writing stdout: {e}"))
}

fn allowed(args: &[String]) -> Result<(), String> {
    let user = number(args, "--user")?.ok_or("a --user U is required")?;
    let org = number(args, "--org")?.ok_or("an --org O is required")?;
    let resource = match (number(args, "--project")?, number(args, "--workspace")?) {
        (Some(_), Some(_)) => return Err("give --project or --workspace, not both".into()),
        (Some(p), None) => format!(r#"{{"project":{p}}}"#),
        (None, Some(w)) => format!(r#"{{"workspace":{w}}}"#),
        (None, None) => "{}".into(),
    };
    let mut module = loaded(args)?;
    let query = format!(r#"{{"principal":{{"user":{user}}},"org":{org},"resource":{resource}}}"#);
    let answer = module.allowed(&query);
    let actions = answer
        .split_once(r#""actions":["#)
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(list, _)| {
            list.split(',')
                .map(|a| a.trim_matches('"'))
                .filter(|a| !a.is_empty())
                .collect::<Vec<_>>()
        });
    match actions {
        Some(actions) if actions.is_empty() => println!("(nothing)"),
        Some(actions) => actions.iter().for_each(|a| println!("{a}")),
        None => return Err(format!("the module answered {answer}")),
    }
    Ok(())
}

/// The median of `rounds` timings of `iters` calls of `f`, in ns per call.
fn median_ns(rounds: usize, iters: u32, mut f: impl FnMut()) -> f64 {
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_nanos() as f64 / f64::from(iters)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

fn bench(args: &[String]) -> Result<(), String> {
    let rounds = number(args, "--rounds")?.unwrap_or(15) as usize;
    let snapshot = match opt(args, "--snapshot") {
        Some(_) => read_snapshot(args)?,
        None => policy_core::DEMO_SNAPSHOT_JSON.to_string(),
    };
    let path = module_path(args);
    let bytes =
        std::fs::read(&path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let native = Policy::from_snapshot_json(&snapshot)
        .map_err(|e| format!("the snapshot is refused: {e}"))?;
    let mut module = PolicyModule::new(&bytes, Limits::default()).map_err(|e| format!("{e:#}"))?;
    module
        .load(&snapshot)
        .map_err(|e| format!("the snapshot is refused: {e}"))?;

    // The same request four ways: native struct, native JSON, module ids, module JSON.
    let request = Request {
        principal: Principal::user(12),
        org: 1,
        action: Action::ProjectExport,
        resource: Resource::project(1000),
    };
    let json = r#"{"principal":{"user":12,"groups":[]},"org":1,"action":"project.export","resource":{"project":1000}}"#;
    let action = Action::ALL
        .iter()
        .position(|a| *a == Action::ProjectExport)
        .unwrap_or(0) as i32;
    if native.decide(&request).allow != (module.check(12, 1, action, -1, 1000) == 0) {
        return Err("the module and the native core disagree on the benchmark request".into());
    }
    let native_ids = median_ns(rounds, 200_000, || {
        std::hint::black_box(native.decide(std::hint::black_box(&request)));
    });
    let native_json = median_ns(rounds, 50_000, || {
        std::hint::black_box(native.decide_json(std::hint::black_box(json)));
    });
    let module_ids = median_ns(rounds, 100_000, || {
        std::hint::black_box(module.check(12, 1, action, -1, 1000));
    });
    let module_json = median_ns(rounds, 20_000, || {
        std::hint::black_box(module.decide(json));
    });
    // A batch of 10,000 id records per call.
    let mut records = Vec::with_capacity(10_000 * 40);
    for i in 0..10_000i64 {
        let (user, project) = if i % 2 == 0 { (12, 1000) } else { (14, 1001) };
        for v in [user, 1, i64::from(action), -1, project] {
            records.extend_from_slice(&v.to_le_bytes());
        }
    }
    let batch = median_ns(rounds, 20, || {
        std::hint::black_box(module.check_batch(&records).map(|v| v.len()).unwrap_or(0));
    }) / 10_000.0;
    let instantiate = median_ns(rounds.max(5), 5, || {
        std::hint::black_box(PolicyModule::new(&bytes, Limits::default()).is_ok());
    });
    let mut spare = PolicyModule::new(&bytes, Limits::default()).map_err(|e| format!("{e:#}"))?;
    let instantiate_only = median_ns(rounds.max(5), 20, || {
        std::hint::black_box(spare.reinstantiate().is_ok());
    });
    let load = median_ns(rounds.max(5), 20, || {
        std::hint::black_box(module.load(&snapshot).is_ok());
    });
    println!("| measure | native core | policy module (wasmtime) | module / native |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| one decision, ids | {native_ids:.0} ns | {module_ids:.0} ns | {:.1}x |",
        module_ids / native_ids
    );
    println!(
        "| one decision, JSON in and out | {native_json:.0} ns | {module_json:.0} ns | {:.1}x |",
        module_json / native_json
    );
    println!(
        "| batch of 10,000 id checks, per decision | {native_ids:.0} ns | {batch:.0} ns ({:.2} M decisions/s) | {:.1}x |",
        1e3 / batch,
        batch / native_ids
    );
    println!(
        "| compile + instantiate the module | - | {:.2} ms | |",
        instantiate / 1e6
    );
    println!(
        "| instantiate the compiled module | - | {:.1} us | |",
        instantiate_only / 1e3
    );
    println!(
        "| load the snapshot ({} bytes) | - | {:.1} us | |",
        snapshot.len(),
        load / 1e3
    );
    println!("| module size | - | {} bytes | |", bytes.len());
    let summary = format!(
        r#"{{"native_ids_ns":{native_ids:.1},"native_json_ns":{native_json:.1},"module_ids_ns":{module_ids:.1},"module_json_ns":{module_json:.1},"module_batch_ns":{batch:.1},"instantiate_ms":{:.3},"instantiate_only_us":{:.1},"load_us":{:.2},"module_bytes":{}}}"#,
        instantiate / 1e6,
        instantiate_only / 1e3,
        load / 1e3,
        bytes.len()
    );
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/labelgate-bench");
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("wasmtime.json"), summary))
        .map_err(|e| e.to_string())?;
    Ok(())
}
