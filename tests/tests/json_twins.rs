//! The JSON twins never panic and always answer in the contract's forms, whatever the input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use labelgate_tests::random::Rng;
use policy_core::{DEMO_SNAPSHOT_JSON, Policy, Reason};
use serde_json::Value;

fn policy() -> Policy {
    Policy::from_snapshot_json(DEMO_SNAPSHOT_JSON).unwrap()
}

fn assert_decision_json(text: &str, input: &str) -> Value {
    let v: Value = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{input:?} gave non-json {text:?}: {e}"));
    let obj = v.as_object().unwrap();
    assert_eq!(obj.len(), 4, "{text}");
    let allow = v["allow"].as_bool().unwrap();
    let reason = Reason::from_name(v["reason"].as_str().unwrap()).unwrap();
    assert_eq!(allow, reason == Reason::Allowed, "{text}");
    assert!(!v["message"].as_str().unwrap().is_empty());
    assert_eq!(v["policy"].as_str().unwrap().len(), 64);
    v
}

#[test]
fn a_decision_has_the_contract_form() {
    let p = policy();
    let text = p.decide_json(r#"{"principal":{"user":14,"groups":[]},"org":1,"action":"project.export","resource":{"project":1000}}"#);
    let v = assert_decision_json(&text, "");
    assert_eq!(v["reason"], "role_lacks_permission");
    assert_eq!(v["message"], "annotator may never `project.export`");
    assert_eq!(v["policy"], p.id().to_string());
}

#[test]
fn mutated_and_random_input_always_yields_a_deny_or_a_decision() {
    let p = policy();
    let seed = r#"{"principal":{"user":12,"groups":["ml-reviewers"]},"org":1,"action":"project.duplicate","resource":{"project":1000,"target_workspace":101,"copy":"all"}}"#;
    let mut rng = Rng::new(7);
    let alphabet: Vec<char> = "{}[]\":,0123456789-.eE truefalsn\\u\u{0}\u{7f}é😀abcxyz_"
        .chars()
        .collect();
    for i in 0..20_000 {
        let mut chars: Vec<char> = seed.chars().collect();
        for _ in 0..(1 + rng.below(4)) {
            let at = rng.below(chars.len() as u64 + 1) as usize;
            match rng.below(3) {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 if at < chars.len() => chars[at] = *rng.pick(&alphabet),
                _ => chars.insert(at.min(chars.len()), *rng.pick(&alphabet)),
            }
        }
        let input: String = if i % 10 == 0 {
            (0..rng.below(64)).map(|_| *rng.pick(&alphabet)).collect()
        } else {
            chars.into_iter().collect()
        };
        assert_decision_json(&p.decide_json(&input), &input);
        for out in [
            p.allowed_actions_json(&input),
            p.visible_projects_json(&input),
            p.visible_workspaces_json(&input),
        ] {
            let v: Value = serde_json::from_str(&out).unwrap();
            assert!(
                v.get("actions").is_some() || v.get("ids").is_some() || v.get("error").is_some(),
                "{out}"
            );
        }
    }
}

#[test]
fn query_twins_answer_in_json() {
    let p = policy();
    assert_eq!(
        p.allowed_actions_json(r#"{"principal":{"user":13},"org":1,"resource":{"project":1000}}"#),
        r#"{"actions":["project.view","project.label","project.pin","project.unpin","project.review","project.assign_annotators","project.monitor_agreement","project.verify_annotations","project.view_data","project.view_performance","annotation.update","analytics.view"]}"#
    );
    assert_eq!(
        p.visible_projects_json(r#"{"principal":{"user":14},"org":1}"#),
        r#"{"ids":[1000,1001]}"#
    );
    assert_eq!(
        p.visible_workspaces_json(r#"{"principal":{"user":12},"org":1}"#),
        r#"{"ids":[100,101,102,103]}"#
    );
    assert_eq!(
        p.visible_workspaces_json(r#"{"principal":{"user":14},"org":1}"#),
        r#"{"ids":[]}"#
    );
    assert!(
        p.allowed_actions_json("{")
            .starts_with(r#"{"error":"invalid query json: "#)
    );
}
