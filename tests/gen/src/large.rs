//! A synthetic large organization for benchmarks: 100,000 users, 500 workspaces, 10,000
//! projects and 1,000,000 task assignments, written straight to JSON text.

use std::fmt::Write;

use crate::random::Rng;

pub struct Shape {
    pub users: u64,
    pub workspaces: u64,
    pub projects: u64,
    pub assignments: u64,
}

pub const LARGE: Shape = Shape {
    users: 100_000,
    workspaces: 500,
    projects: 10_000,
    assignments: 1_000_000,
};

/// Users 1..=N: user 1 owns the organization; users 2..=51 are administrators; the next
/// 1,000 managers; the next 10,000 reviewers; the rest annotators. Workspace `w` (ids
/// from 10,001) has managers and reviewers as members; projects (ids from 100,001) are
/// spread evenly over the workspaces, each with its share of the assignments.
pub fn organization(shape: &Shape, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut s = String::with_capacity(48 * shape.assignments as usize + 64 * shape.users as usize);
    s.push_str(r#"{"edition":"enterprise","organizations":[{"id":1,"owner":1,"members":["#);
    for u in 1..=shape.users {
        let role = match u {
            1 => "owner",
            2..=51 => "administrator",
            52..=1051 => "manager",
            1052..=11051 => "reviewer",
            _ => "annotator",
        };
        let status = if u > 1 && u % 97 == 0 {
            "deactivated"
        } else {
            "active"
        };
        if u > 1 {
            s.push(',');
        }
        let _ = write!(s, r#"{{"user":{u},"role":"{role}","status":"{status}"}}"#);
    }
    s.push_str(
        r#"],"group_mappings":[{"group":"all-reviewers","role":"reviewer"}],"workspaces":["#,
    );
    let managers: Vec<u64> = (52..=1051.min(shape.users)).collect();
    for w in 0..shape.workspaces {
        if w > 0 {
            s.push(',');
        }
        let _ = write!(s, r#"{{"id":{},"members":["#, 10_001 + w);
        // Two managers and twenty reviewers per workspace.
        let mut first = true;
        for i in 0..2 {
            if let Some(m) = managers.get(((w * 2 + i) as usize) % managers.len().max(1)) {
                let _ = write!(s, "{}{m}", if first { "" } else { "," });
                first = false;
            }
        }
        for i in 0..20 {
            let r = 1052 + (w * 20 + i) % 10_000;
            if r <= shape.users {
                let _ = write!(s, "{}{r}", if first { "" } else { "," });
                first = false;
            }
        }
        s.push_str("]}");
    }
    s.push_str(r#"],"projects":["#);
    let per_project = shape.assignments / shape.projects.max(1);
    for p in 0..shape.projects {
        if p > 0 {
            s.push(',');
        }
        let ws = 10_001 + p % shape.workspaces.max(1);
        let creator = 52 + p % 1000;
        let _ = write!(
            s,
            r#"{{"id":{},"workspace":{ws},"created_by":{creator},"members":[{}],"settings":{{"annotators_can_view_own_data":{}}},"assignments":["#,
            100_001 + p,
            11_052 + (p * 7) % (shape.users - 11_052).max(1),
            p % 2 == 0
        );
        // Distinct users per project: a random start and a fixed odd stride.
        let span = shape.users - 11_051;
        // Project 100001 starts at user 11052, so benchmarks know an assigned annotator.
        let start = if p == 0 { 0 } else { rng.below(span) };
        for i in 0..per_project {
            let user = 11_052 + (start + i * 7919) % span;
            let kind = if i % 10 == 0 { "review" } else { "annotate" };
            let _ = write!(
                s,
                r#"{}{{"user":{user},"kind":"{kind}"}}"#,
                if i == 0 { "" } else { "," }
            );
        }
        s.push_str("]}");
    }
    s.push_str("]}]}");
    s
}
