//! How the route table classifies requests: the Label Studio tests feed it every method and
//! path of the installed server (`tests/labelstudio/ls_routes.py`) and fail on any it does
//! not classify.
//!
//! `cargo run -q -p edge-worker --example classify_routes < routes.jsonl` reads JSON lines
//! with `method` and `path` and prints each line back with `class`: `public`, `signup`,
//! `action <name>`, `list <kind>`, `decided on the body: <what>`, `denied: <reason>`, or
//! `unclassified` (no row of the table), or `ambiguous: <why>` for a path the Worker refuses
//! to read.
#![allow(missing_docs)]

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use edge_worker::gate::routes::{self, How};
use edge_worker::http::path::canonical_segments;
use serde_json::Value;

fn class(method: &str, path: &str) -> String {
    let segments = match canonical_segments(path) {
        Ok(s) => s,
        Err(e) => return format!("ambiguous: {e}"),
    };
    let Some(m) = routes::find(routes::TABLE, method, &segments) else {
        return String::from("unclassified");
    };
    match m.row.how {
        How::Public => String::from("public"),
        How::Signup => String::from("signup: org.signup with the invite token"),
        How::Act(a) => format!("action {a}"),
        How::Authored(a) => format!("action {a} (subject: the object's author)"),
        How::SelfOnly => String::from("action org.api_access (own account only)"),
        How::ProjectOr(p, o) => format!("action {p} (no project: {o})"),
        How::List(kind) => format!("list {} (filtered to the member's reach)", kind.name()),
        How::ProjectPatch => {
            String::from("decided on the body: project.pin / project.unpin / project.update")
        }
        How::Assignees => String::from(
            "decided on the body: project.assign_annotators / project.assign_reviewers",
        ),
        How::Duplicate => String::from("decided on the body: project.duplicate"),
        How::Membership | How::ProjectRoles => String::from("decided on the body: org.change_role"),
        How::CreateProject => String::from("decided on the body: workspace.create_project"),
        How::RefreshToken => String::from("org.api_access of the refresh token's user"),
        How::DmAction => String::from("data manager action: decided by its id"),
        How::DmActions => {
            String::from("action project.view_data (the menu narrowed to what the member may run)")
        }
        How::StorageCheck(a) => format!("action {a} (and on the storage the body's `id` names)"),
        How::Page(a) => format!("page {a} (refused as an HTML page; no session: sign-in)"),
        How::File(a, b) => format!("file {a} or {b} on the file's project"),
        How::Either(a, b) => format!("action {a} or {b}"),
        How::ReadOr(a, n) => format!("action {a} (otherwise narrowed: {n:?})"),
        How::Deny(why) => format!("denied: {why}"),
    }
}

fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let Ok(line) = line else {
            return ExitCode::from(2);
        };
        let mut v: serde_json::Map<String, Value> = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("classify_routes: line {}: {e}", n + 1);
                return ExitCode::from(2);
            }
        };
        let field = |name: &str| {
            v.get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let (method, path) = (field("method"), field("path"));
        v.insert(String::from("class"), Value::from(class(&method, &path)));
        // The row's pattern, and whether Label Studio runs it in the member's active
        // organization when it names no project or workspace (`Row::active_org`).
        let row = canonical_segments(&path)
            .ok()
            .and_then(|segs| routes::find(routes::TABLE, &method, &segs));
        v.insert(
            String::from("pattern"),
            row.as_ref()
                .map_or(Value::Null, |m| Value::from(m.row.path)),
        );
        v.insert(
            String::from("active_org"),
            Value::from(row.is_some_and(|m| m.row.active_org)),
        );
        let v = Value::Object(v);
        if writeln!(out, "{v}").is_err() {
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
