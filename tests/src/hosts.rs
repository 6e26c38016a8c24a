//! The hosts besides the native core, behind the one [`Host`] trait: the policy module in
//! wasmtime, the npm package in Node, and the Worker in workerd (through Miniflare, driven
//! by a Node relay). The last two speak JSON lines with a child process.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use host_demo::{Limits, PolicyModule};
use serde_json::json;

use crate::Host;

fn repo() -> PathBuf {
    crate::tests_dir().join("..")
}

/// The policy module built by `scripts/build-wasm.sh`, run by wasmtime.
pub struct Wasmtime {
    module: PolicyModule,
}

impl Wasmtime {
    pub fn new() -> Result<Wasmtime, String> {
        let path = repo().join("target/labelgate/labelgate_policy.wasm");
        let bytes = std::fs::read(&path)
            .map_err(|e| format!("{}: {e} (run `bash scripts/build-wasm.sh`)", path.display()))?;
        Ok(Wasmtime {
            module: PolicyModule::new(&bytes, Limits::default()).map_err(|e| e.to_string())?,
        })
    }
}

impl Host for Wasmtime {
    fn name(&self) -> &str {
        "wasmtime"
    }

    fn load(&mut self, snapshot_json: &str) -> Result<(), String> {
        self.module.load(snapshot_json)
    }

    fn decide_text(&mut self, request_json: &str) -> String {
        self.module.decide(request_json)
    }
}

/// A host in a child process speaking JSON lines: `{"op":"load","snapshot"}` and
/// `{"op":"decide","request"}`, one answer line each.
pub struct Lines {
    name: &'static str,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Lines {
    /// The npm package (wasm/pkg/node) in Node: `tests/node/host.mjs`.
    pub fn node() -> Result<Lines, String> {
        if !repo().join("wasm/pkg/node/labelgate.js").exists() {
            return Err("wasm/pkg is not built (run `bash scripts/build-wasm.sh`)".into());
        }
        Lines::spawn("node", "tests/node/host.mjs")
    }

    /// The Worker in workerd, through Miniflare on 127.0.0.1: `tests/worker/host.mjs`.
    pub fn worker() -> Result<Lines, String> {
        if !repo().join("edge-worker/build-test/index.js").exists() {
            return Err("the Worker is not built (run `bash scripts/build-worker.sh`)".into());
        }
        Lines::spawn("worker", "tests/worker/host.mjs")
    }

    fn spawn(name: &'static str, script: &str) -> Result<Lines, String> {
        let mut child = Command::new("node")
            .arg(repo().join(script))
            .current_dir(repo())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("starting node {script}: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(Lines {
            name,
            child,
            stdin: Some(stdin),
            stdout,
        })
    }

    fn call(&mut self, message: &serde_json::Value) -> String {
        let stdin = self
            .stdin
            .as_mut()
            .unwrap_or_else(|| panic!("{} host is closed", self.name));
        writeln!(stdin, "{message}").unwrap_or_else(|e| panic!("{} host is gone: {e}", self.name));
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("{} host does not answer: {e}", self.name));
        line.trim_end().to_string()
    }
}

impl Host for Lines {
    fn name(&self) -> &str {
        self.name
    }

    fn load(&mut self, snapshot_json: &str) -> Result<(), String> {
        let reply: serde_json::Value =
            serde_json::from_str(&self.call(&json!({"op": "load", "snapshot": snapshot_json})))
                .map_err(|e| e.to_string())?;
        match reply.get("error").and_then(|e| e.as_str()) {
            Some(e) => Err(e.to_string()),
            None => Ok(()),
        }
    }

    fn decide_text(&mut self, request_json: &str) -> String {
        self.call(&json!({"op": "decide", "request": request_json}))
    }
}

impl Drop for Lines {
    /// Closes the child's stdin so it shuts down what it started (the Worker relay stops
    /// Miniflare and its workerd), then waits; it is killed only if it does not exit in 10 s.
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
