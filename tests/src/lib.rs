//! LabelGate's conformance suite: JSON vector files under `tests/vectors/`, snapshots under
//! `tests/snapshots/`, one [`Host`] trait that every host implements (native core here;
//! the npm package, the wasmtime module and the Worker run the same files), an independent
//! reference model and seeded generators.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(missing_docs)]

pub mod hosts;

pub use labelgate_gen::{large, random};
pub mod reference;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// A file of vectors.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    pub description: String,
    pub vectors: Vec<Vector>,
}

/// One vector: a snapshot (by name, from `tests/snapshots/NAME.json`, or inline), a
/// request (JSON, or raw text for malformed input) and the expected allow and reason.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Vector {
    pub description: String,
    pub snapshot: Value,
    #[serde(default)]
    pub request: Option<Value>,
    #[serde(default)]
    pub request_text: Option<String>,
    pub expect: Expect,
}

#[derive(Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub allow: bool,
    pub reason: String,
}

impl Vector {
    /// The request as the host receives it.
    pub fn request_text(&self) -> String {
        match (&self.request_text, &self.request) {
            (Some(text), _) => text.clone(),
            (None, Some(v)) => v.to_string(),
            (None, None) => String::new(),
        }
    }
}

/// What a host answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub allow: bool,
    pub reason: String,
    pub message: String,
}

impl Answer {
    pub fn from_json(text: &str) -> Result<Answer, String> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| format!("decision is not json: {e}: {text}"))?;
        Ok(Answer {
            allow: v["allow"]
                .as_bool()
                .ok_or_else(|| format!("decision has no allow: {text}"))?,
            reason: v["reason"]
                .as_str()
                .ok_or_else(|| format!("decision has no reason: {text}"))?
                .to_string(),
            message: v["message"].as_str().unwrap_or_default().to_string(),
        })
    }
}

/// A place a decision can be made: native core, wasmtime module, npm package, Worker.
pub trait Host {
    /// A short name for reports.
    fn name(&self) -> &str;
    /// Replaces the snapshot in force. An error leaves the previous one.
    fn load(&mut self, snapshot_json: &str) -> Result<(), String>;
    /// Decides one request given as JSON text: the decision JSON, as the host wrote it.
    fn decide_text(&mut self, request_json: &str) -> String;
    /// Decides one request given as JSON text.
    fn decide(&mut self, request_json: &str) -> Answer {
        let text = self.decide_text(request_json);
        Answer::from_json(&text).unwrap_or_else(|e| Answer {
            allow: false,
            reason: format!("<{e}>"),
            message: String::new(),
        })
    }
}

/// The native core, called directly.
#[derive(Default)]
pub struct Native {
    policy: Option<policy_core::Policy>,
}

impl Host for Native {
    fn name(&self) -> &str {
        "native"
    }

    fn load(&mut self, snapshot_json: &str) -> Result<(), String> {
        self.policy = Some(
            policy_core::Policy::from_snapshot_json(snapshot_json).map_err(|e| e.to_string())?,
        );
        Ok(())
    }

    fn decide_text(&mut self, request_json: &str) -> String {
        self.policy
            .as_ref()
            .expect("a snapshot is loaded")
            .decide_json(request_json)
    }
}

/// The repository's `tests/` folder.
pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Every vector file, by file name.
pub fn vector_files() -> BTreeMap<String, VectorFile> {
    let dir = tests_dir().join("vectors");
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("tests/vectors exists") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            let file: VectorFile =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            files.insert(
                path.file_name().unwrap().to_string_lossy().into_owned(),
                file,
            );
        }
    }
    files
}

/// The snapshot text a vector names.
pub fn snapshot_text(snapshot: &Value) -> String {
    match snapshot {
        Value::String(name) => {
            let path = tests_dir().join("snapshots").join(format!("{name}.json"));
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        }
        inline => inline.to_string(),
    }
}

/// One mismatch between a vector and a host.
pub struct Mismatch {
    pub file: String,
    pub description: String,
    pub expected: Expect,
    pub got: Answer,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: expected allow={} reason={}, got allow={} reason={} ({})",
            self.file,
            self.description,
            self.expected.allow,
            self.expected.reason,
            self.got.allow,
            self.got.reason,
            self.got.message
        )
    }
}

/// Runs every vector through `host`; returns how many ran and the mismatches.
pub fn run_suite(host: &mut dyn Host) -> (usize, Vec<Mismatch>) {
    let mut ran = 0;
    let mut mismatches = Vec::new();
    let mut loaded: Option<String> = None;
    for (file, vf) in vector_files() {
        for v in &vf.vectors {
            let text = snapshot_text(&v.snapshot);
            if loaded.as_deref() != Some(text.as_str()) {
                host.load(&text)
                    .unwrap_or_else(|e| panic!("{file}: {}: snapshot refused: {e}", v.description));
                loaded = Some(text);
            }
            let got = host.decide(&v.request_text());
            ran += 1;
            if got.allow != v.expect.allow || got.reason != v.expect.reason {
                mismatches.push(Mismatch {
                    file: file.clone(),
                    description: v.description.clone(),
                    expected: v.expect.clone(),
                    got,
                });
            }
        }
    }
    (ran, mismatches)
}
