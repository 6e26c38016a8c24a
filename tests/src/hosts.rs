//! The hosts besides the native core, behind the one [`Host`] trait: the policy module in
//! wasmtime, and the npm package in Node. (The Worker in workerd is driven from Node.)

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

/// The npm package (wasm/pkg/node) in a Node child process.
pub struct Node {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Node {
    pub fn new() -> Result<Node, String> {
        if !repo().join("wasm/pkg/node/labelgate.js").exists() {
            return Err("wasm/pkg is not built (run `bash scripts/build-wasm.sh`)".into());
        }
        let mut child = Command::new("node")
            .arg(repo().join("tests/node/host.mjs"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("starting node: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(Node {
            child,
            stdin,
            stdout,
        })
    }

    fn call(&mut self, message: &serde_json::Value) -> String {
        writeln!(self.stdin, "{message}").expect("node host is alive");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("node host answers");
        line.trim_end().to_string()
    }
}

impl Host for Node {
    fn name(&self) -> &str {
        "node"
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

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
