//! Snapshot and matrix loading: every inconsistency is refused whole, with an error that
//! names the offending item; a custom matrix is validated cell by cell and hashed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use policy_core::{
    Action, CopyMode, DEMO_SNAPSHOT_JSON, LoadError, Matrix, Policy, Principal, Request, Resource,
    Snapshot,
};
use serde_json::{Value, json};

fn base() -> Value {
    json!({"edition": "enterprise", "organizations": [{
        "id": 1, "owner": 10,
        "members": [
            {"user": 10, "role": "owner", "status": "active"},
            {"user": 12, "role": "manager", "status": "active"},
            {"user": 14, "role": "annotator", "status": "active"}],
        "workspaces": [{"id": 100, "members": [12]}, {"id": 101, "members": [], "sandbox_of": 12}],
        "projects": [{"id": 1000, "workspace": 100, "created_by": 12, "members": [14],
                      "assignments": [{"user": 14, "kind": "annotate"}]}]}]})
}

fn org(v: &mut Value) -> &mut Value {
    &mut v["organizations"][0]
}

fn refused(edit: impl FnOnce(&mut Value)) -> String {
    let mut v = base();
    edit(&mut v);
    match Snapshot::from_json(&v.to_string()) {
        Ok(_) => panic!("snapshot accepted: {v}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_base_snapshot_loads() {
    assert!(Snapshot::from_json(&base().to_string()).is_ok());
    assert!(Snapshot::from_json(DEMO_SNAPSHOT_JSON).is_ok());
}

#[test]
fn inconsistent_snapshots_are_refused_naming_the_item() {
    type Edit = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "organization `1`, project `1000`: is in workspace `999`, which does not exist",
            Box::new(|v| org(v)["projects"][0]["workspace"] = json!(999)),
        ),
        (
            "organization `1`, member `12`: is a second owner (the owner is `10`)",
            Box::new(|v| org(v)["members"][1]["role"] = json!("owner")),
        ),
        (
            "organization `1`: owner `77` is not among its members",
            Box::new(|v| {
                org(v)["owner"] = json!(77);
                org(v)["members"][0]["role"] = json!("administrator")
            }),
        ),
        (
            "organization `1`, member `10`: is a second owner (the owner is `77`)",
            Box::new(|v| org(v)["owner"] = json!(77)),
        ),
        (
            "organization `1`, member `10`: is the owner but not an active `owner` member",
            Box::new(|v| org(v)["members"][0]["status"] = json!("deactivated")),
        ),
        (
            "organization `1`, member `14`: is listed twice",
            Box::new(|v| {
                org(v)["members"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"user": 14, "role": "reviewer", "status": "active"}))
            }),
        ),
        (
            "organization `1`, workspace `100`: appears twice (also in organization `1`)",
            Box::new(|v| org(v)["workspaces"][1]["id"] = json!(100)),
        ),
        (
            "organization `1`, workspace `101`: is a sandbox and cannot have members",
            Box::new(|v| org(v)["workspaces"][1]["members"] = json!([14])),
        ),
        (
            "organization `1`, workspace `101`: is the sandbox of `55`, who is not a member",
            Box::new(|v| org(v)["workspaces"][1]["sandbox_of"] = json!(55)),
        ),
        (
            "organization `1`, workspace `100`: member `55` is not a member of the organization",
            Box::new(|v| org(v)["workspaces"][0]["members"] = json!([12, 55])),
        ),
        (
            "organization `1`, workspace `100`: lists member `12` twice",
            Box::new(|v| org(v)["workspaces"][0]["members"] = json!([12, 12])),
        ),
        (
            "organization `1`, project `1000`: member `55` is not a member of the organization",
            Box::new(|v| org(v)["projects"][0]["members"] = json!([55])),
        ),
        (
            "organization `1`, project `1000`: assigns a task to `55`, who is not a member of the organization",
            Box::new(|v| {
                org(v)["projects"][0]["assignments"] = json!([{"user": 55, "kind": "review"}])
            }),
        ),
        (
            "organization `1`, project `1000`: lists the same assignment of `14` twice",
            Box::new(|v| {
                org(v)["projects"][0]["assignments"] =
                    json!([{"user": 14, "kind": "review"}, {"user": 14, "kind": "review"}])
            }),
        ),
        (
            "organization `1`, group mapping `admins`: maps to `owner`, which no mapping can grant",
            Box::new(|v| org(v)["group_mappings"] = json!([{"group": "admins", "role": "owner"}])),
        ),
        (
            "organization `1`, group mapping `p`: names project `5`, which is not in the organization",
            Box::new(|v| {
                org(v)["group_mappings"] =
                    json!([{"group": "p", "project": 5, "role": "annotator"}])
            }),
        ),
        (
            "organization `1`, group mapping `p`: maps project `1000` to `administrator`; a project role is at most `manager`",
            Box::new(|v| {
                org(v)["group_mappings"] =
                    json!([{"group": "p", "project": 1000, "role": "administrator"}])
            }),
        ),
        (
            "organization `1`, group mapping `g`: is given twice for the organization",
            Box::new(|v| {
                org(v)["group_mappings"] =
                    json!([{"group": "g", "role": "reviewer"}, {"group": "g", "role": "manager"}])
            }),
        ),
        (
            "organization `1`, member `14`: is active but has no role",
            Box::new(|v| org(v)["members"][2] = json!({"user": 14, "status": "active"})),
        ),
        (
            "organization `1`: has an empty invite token",
            Box::new(|v| org(v)["invite_tokens"] = json!([""])),
        ),
        (
            "organization `1`, member `14`: holds `annotator`, which the teams edition does not have",
            Box::new(|v| v["edition"] = json!("teams")),
        ),
        (
            "organization `1`: appears twice",
            Box::new(|v| {
                let o = v["organizations"][0].clone();
                v["organizations"].as_array_mut().unwrap().push(o)
            }),
        ),
        (
            "user `3`: email `A@x.test` is also user `2`'s",
            Box::new(|v| {
                v["users"] = json!([{"id": 2, "email": "a@x.test"}, {"id": 3, "email": "A@x.test"}])
            }),
        ),
        (
            "invalid snapshot json: unknown field `colour`",
            Box::new(|v| org(v)["workspaces"][0]["colour"] = json!("red")),
        ),
        (
            "invalid snapshot json: unknown variant `superuser`",
            Box::new(|v| org(v)["members"][2]["role"] = json!("superuser")),
        ),
        (
            "invalid snapshot json: missing field `owner`",
            Box::new(|v| {
                org(v).as_object_mut().unwrap().remove("owner");
            }),
        ),
    ];
    for (expected, edit) in cases {
        let error = refused(edit);
        assert!(
            error.starts_with(expected),
            "expected `{expected}`, got `{error}`"
        );
    }
}

#[test]
fn a_project_in_another_organizations_workspace_is_refused() {
    let mut v = base();
    let mut other = json!({"id": 2, "owner": 20, "members": [{"user": 20, "role": "owner", "status": "active"}],
                           "workspaces": [{"id": 200}], "projects": []});
    other["projects"] = json!([{"id": 2000, "workspace": 100, "created_by": 20}]);
    v["organizations"].as_array_mut().unwrap().push(other);
    let e = Snapshot::from_json(&v.to_string()).unwrap_err().to_string();
    assert_eq!(
        e,
        "organization `2`, project `2000`: is in workspace `100` of organization `1`"
    );
}

#[test]
fn garbage_snapshots_are_refused_not_panicked_on() {
    for text in [
        "",
        "null",
        "[]",
        "{",
        "{\"organizations\": 5}",
        "\u{0}",
        &"[".repeat(10_000),
    ] {
        let e = Snapshot::from_json(text).unwrap_err();
        assert!(
            matches!(
                e,
                LoadError::Json {
                    what: "snapshot",
                    ..
                }
            ),
            "{text:?}: {e}"
        );
    }
}

#[test]
fn the_default_matrix_is_specs_table_and_hashes_stably() {
    let m = Matrix::default_matrix().unwrap();
    let again = Matrix::from_json(&reformatted(policy_core::DEFAULT_MATRIX_JSON)).unwrap();
    assert_eq!(m.id(), again.id(), "the hash ignores spacing and key order");
    // The default matrix agrees with the reference's transcription of SPEC's table.
    for (action, cells) in labelgate_tests::reference::TABLE {
        let action = Action::from_name(action).unwrap();
        for (role, cell) in policy_core::Role::ALL.iter().zip(cells) {
            let expected = match *cell {
                "" => "none",
                "R" | "R (names)" => "reach",
                "scoped" => "scoped",
                "own" => "own",
                "own, if setting" => "own_if_setting",
                other => panic!("unknown cell {other}"),
            };
            assert_eq!(m.grant(action, *role).name(), expected, "{action} {role}");
        }
    }
}

/// The same JSON with keys in reverse order and no spaces.
fn reformatted(text: &str) -> String {
    let v: Value = serde_json::from_str(text).unwrap();
    fn reverse(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .rev()
                    .map(|(k, v)| (k.clone(), reverse(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    reverse(&v).to_string()
}

#[test]
fn a_custom_matrix_changes_decisions_and_the_policy_id() {
    let mut m: Value = serde_json::from_str(policy_core::DEFAULT_MATRIX_JSON).unwrap();
    // Managers may duplicate but not export: copying annotations now needs what they lack.
    m["grants"]["project.export"]["manager"] = json!("none");
    m["grants"]["project.pin"]["annotator"] = json!("reach");
    let custom = Matrix::from_json(&m.to_string()).unwrap();
    assert_ne!(custom.id(), Matrix::default_matrix().unwrap().id());
    let policy = Policy::new(custom, Snapshot::from_json(&base().to_string()).unwrap());
    let ask = |user, action, resource: Resource| {
        policy.decide(&Request {
            principal: Principal::user(user),
            org: 1,
            action,
            resource,
        })
    };
    let dup = |copy: &str| Resource {
        copy: CopyMode::ALL.into_iter().find(|c| c.name() == copy),
        ..Resource::project(1000)
    };
    assert!(ask(12, Action::ProjectDuplicate, dup("settings_data")).allow);
    let d = ask(12, Action::ProjectDuplicate, dup("all"));
    assert_eq!((d.allow, d.reason.name()), (false, "role_lacks_permission"));
    assert_eq!(
        d.message(),
        "duplicating needs `project.export` too: manager may never `project.export`"
    );
    assert!(ask(14, Action::ProjectPin, Resource::project(1000)).allow);
    assert_eq!(d.policy, policy.id());
}

#[test]
fn bad_matrices_are_refused_naming_the_cell() {
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut m: Value = serde_json::from_str(policy_core::DEFAULT_MATRIX_JSON).unwrap();
        f(&mut m);
        Matrix::from_json(&m.to_string()).unwrap_err().to_string()
    };
    assert_eq!(
        edit(&|m| {
            m["grants"]["project.export"]
                .as_object_mut()
                .unwrap()
                .remove("manager");
        }),
        "matrix action `project.export`: has no cell for role `manager`"
    );
    assert_eq!(
        edit(&|m| {
            m["grants"].as_object_mut().unwrap().remove("org.invite");
        }),
        "matrix: has no row for action `org.invite`"
    );
    assert_eq!(
        edit(&|m| m["grants"]["project.export"]["manager"] = json!("always")),
        "matrix action `project.export`: `always` for `manager` is not a grant (none, reach, scoped, own, own_if_setting)"
    );
    assert_eq!(
        edit(&|m| m["grants"]["org.invite"]["manager"] = json!("scoped")),
        "matrix action `org.invite`: grant `scoped` for `manager` does not apply to this action's resource"
    );
    assert_eq!(
        edit(&|m| m["grants"]["project.export"]["intern"] = json!("none")),
        "matrix action `project.export`: `intern` is not a role"
    );
    assert_eq!(
        edit(&|m| m["grants"]["project.teleport"] = m["grants"]["project.export"].clone()),
        "matrix action `project.teleport`: is not an action the matrix decides"
    );
    assert_eq!(
        edit(&|m| m["analytics_scopes"]["manager"] = json!("galaxy")),
        "matrix analytics_scopes: `galaxy` for `manager` is not a scope (none, own, project, workspace, organization)"
    );
    assert!(
        edit(&|m| m["extra"] = json!(1)).starts_with("invalid matrix json: unknown field `extra`")
    );
}
