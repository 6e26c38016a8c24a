//! LabelGate and its peers agree on allow/deny: both Cedar encodings and Rego (interpreter
//! and VM) on the whole vector suite and on >= 100,000 random requests over random snapshots;
//! Casbin on the part it can express.

mod casbin;
mod cedar;
mod harness;
mod rego;

/// The random suite every engine runs: 1,000 seeded snapshots, 120 requests on each.
const SEED: u64 = 0x7_0000;
const SNAPSHOTS: u64 = 1000;
const PER_SNAPSHOT: usize = 120;
