//! The role/matrix part of LabelGate as a Casbin RBAC-with-domains policy.

use casbin::prelude::*;
use serde_json::Value;

pub const MODEL: &str = include_str!("../casbin/model.conf");

/// The `p` rules (role, org, action) of the default matrix for `orgs`, and the `g` rules
/// (user, role, org) of every active member.
pub fn rules(snapshot: &Value) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let matrix: Value =
        serde_json::from_str(policy_core::DEFAULT_MATRIX_JSON).expect("default matrix");
    let mut p = Vec::new();
    let mut g = Vec::new();
    let empty = vec![];
    for o in snapshot["organizations"].as_array().unwrap_or(&empty) {
        let org = o["id"].as_u64().unwrap_or(0).to_string();
        for (action, cells) in matrix["grants"].as_object().expect("grants") {
            for (role, grant) in cells.as_object().expect("cells") {
                if grant.as_str() != Some("none") {
                    p.push(vec![role.clone(), org.clone(), action.clone()]);
                }
            }
        }
        for m in o["members"].as_array().unwrap_or(&empty) {
            if m["status"].as_str() == Some("active") {
                let role = m["role"].as_str().unwrap_or("annotator").to_string();
                g.push(vec![format!("u{}", m["user"]), role, org.clone()]);
            }
        }
    }
    (p, g)
}

/// A Casbin enforcer over `snapshot`.
pub fn enforcer(snapshot: &Value) -> Enforcer {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let model = DefaultModel::from_str(MODEL).await.expect("model");
        let mut e = Enforcer::new(model, MemoryAdapter::default())
            .await
            .expect("enforcer");
        e.enable_auto_build_role_links(false);
        let (p, g) = rules(snapshot);
        e.add_policies(p).await.expect("p rules");
        e.add_grouping_policies(g).await.expect("g rules");
        e.build_role_links().expect("role links");
        e
    })
}

/// One check: may `user` take `action` in organization `org`, by role alone?
pub fn allows(e: &Enforcer, user: &str, org: &str, action: &str) -> bool {
    e.enforce((user, org, action)).unwrap_or(false)
}
