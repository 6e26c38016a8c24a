//! Casbin on the part of the policy it can express.

use labelgate_peers::{casbin_model, random};
use policy_core::Policy;
use serde_json::Value;

/// Casbin expresses the role x action cells: active explicit members, no SSO groups,
/// organization-level matrix actions (no member named, so no owner protection).
#[test]
fn casbin_agrees_on_role_cells() {
    let matrix: Value = serde_json::from_str(policy_core::DEFAULT_MATRIX_JSON).expect("matrix");
    let actions: Vec<&str> = matrix["grants"]
        .as_object()
        .expect("grants")
        .keys()
        .filter(|a| a.starts_with("org."))
        .map(String::as_str)
        .collect();
    let mut checked = 0;
    let mut disagree = vec![];
    for seed in 0..200 {
        let mut rng = random::Rng::new(0x9_0000 + seed);
        let snap = random::snapshot(&mut rng);
        let lg = Policy::from_snapshot_json(&snap.to_string()).expect("loads");
        let e = casbin_model::enforcer(&snap);
        for o in snap["organizations"].as_array().expect("orgs") {
            let org = o["id"].as_u64().expect("org id");
            for m in o["members"].as_array().expect("members") {
                if m["status"].as_str() != Some("active") {
                    continue;
                }
                let user = m["user"].as_u64().expect("user");
                for a in &actions {
                    let req = format!(
                        r#"{{"principal":{{"user":{user}}},"org":{org},"action":"{a}","resource":{{}}}}"#
                    );
                    let l = lg.decide_request_json(&req).allow;
                    let c = casbin_model::allows(&e, &format!("u{user}"), &org.to_string(), a);
                    checked += 1;
                    if l != c {
                        disagree.push(format!("{req}: labelgate {l}, casbin {c}"));
                    }
                }
            }
        }
    }
    eprintln!(
        "casbin role cells: {checked} requests, {} disagree",
        disagree.len()
    );
    for d in disagree.iter().take(20) {
        eprintln!("  DISAGREE {d}");
    }
    assert!(disagree.is_empty());
}
