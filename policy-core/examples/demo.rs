//! Prints what each member of the embedded demo organization may do on each project.
//! Run: `cargo run -p policy-core --example demo`

use policy_core::{Action, DEMO_SNAPSHOT_JSON, Policy, Principal, Resource};

fn main() {
    let policy = match Policy::from_snapshot_json(DEMO_SNAPSHOT_JSON) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("demo snapshot: {e}");
            std::process::exit(2);
        }
    };
    let snapshot = policy.snapshot();
    println!("LabelGate demo: organization `1`, policy {}", policy.id());
    for user in [10, 11, 12, 13, 14, 15, 16, 17] {
        let principal = Principal::user(user);
        let name = snapshot
            .user(user)
            .and_then(|u| u.name.as_deref())
            .unwrap_or("?");
        let role = snapshot
            .membership(1, user)
            .map(|m| {
                m.role.map_or(m.status.name(), |r| {
                    if m.status.name() == "active" {
                        r.name()
                    } else {
                        m.status.name()
                    }
                })
            })
            .unwrap_or("-");
        println!("\n{name} (user {user}, {role})");
        let org_actions = policy.allowed_actions(&principal, 1, &Resource::org());
        println!("  organization: {}", names(&org_actions));
        println!(
            "  workspaces visible: {:?}",
            policy.visible_workspaces(&principal, 1)
        );
        for project in policy.visible_projects(&principal, 1) {
            let title = snapshot
                .project(project)
                .and_then(|p| p.title.as_deref())
                .unwrap_or("?");
            let actions = policy.allowed_actions(&principal, 1, &Resource::project(project));
            println!("  project {project} {title:?}: {}", names(&actions));
        }
        let export = policy.decide(&policy_core::Request {
            principal: principal.clone(),
            org: 1,
            action: Action::ProjectExport,
            resource: Resource::project(1000),
        });
        println!(
            "  export project 1000? {} ({}: {})",
            export.allow,
            export.reason,
            export.message()
        );
    }
}

fn names(actions: &[Action]) -> String {
    if actions.is_empty() {
        return "(nothing)".into();
    }
    actions
        .iter()
        .map(|a| a.name())
        .collect::<Vec<_>>()
        .join(" ")
}
