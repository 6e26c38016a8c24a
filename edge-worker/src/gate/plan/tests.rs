//! The plan of each kind of row: action, resource and where the project comes from.

use super::*;
use crate::gate::routes::{TABLE, find};
use crate::http::path::canonical_segments;
use policy_core::RoleChange;

fn plan_for(method: &str, path: &str, body: &str) -> Result<Plan, Invalid> {
    let (path, q) = path.split_once('?').unwrap_or((path, ""));
    let segs = canonical_segments(path).unwrap();
    let m = find(TABLE, method, &segs).unwrap();
    let body = JsonBody::parse(body.as_bytes()).unwrap();
    plan(&m, method, &Query::parse(q).unwrap(), &body)
}

#[test]
fn pin_unpin_update() {
    let p = plan_for(
        "PATCH",
        "/api/projects/1000/",
        r#"{"pinned_at": "2024-01-01"}"#,
    );
    assert_eq!(p.unwrap().action, Action::ProjectPin);
    let p = plan_for("PUT", "/api/projects/1000/", r#"{"pinned_at": null}"#);
    assert_eq!(p.unwrap().action, Action::ProjectUnpin);
    let p = plan_for(
        "PATCH",
        "/api/projects/1000/",
        r#"{"pinned_at": null, "title": "x"}"#,
    );
    assert_eq!(p.unwrap().action, Action::ProjectUpdate);
    let p = plan_for("PATCH", "/api/projects/1000/", "");
    assert_eq!(p.unwrap().action, Action::ProjectUpdate);
}

#[test]
fn body_fields_name_the_resource() {
    let p = plan_for(
        "POST",
        "/api/projects/1/tasks/assignees",
        r#"{"type":"RE"}"#,
    )
    .unwrap();
    assert_eq!(p.action, Action::ProjectAssignReviewers);
    assert!(
        plan_for(
            "POST",
            "/api/projects/1/tasks/assignees",
            r#"{"type":"XX"}"#
        )
        .is_err()
    );
    let p = plan_for(
        "POST",
        "/api/organizations/0/memberships",
        r#"{"user_id":14,"role":"OW"}"#,
    )
    .unwrap();
    assert_eq!(p.resource.member, Some(14));
    assert_eq!(p.resource.role, Some(RoleChange::Owner));
    assert!(
        plan_for(
            "POST",
            "/api/organizations/1/memberships",
            r#"{"role":"AN"}"#
        )
        .is_err()
    );
    let p = plan_for(
        "POST",
        "/api/projects/1/duplicate/",
        r#"{"mode":"settings,data","workspace":102}"#,
    )
    .unwrap();
    assert_eq!(p.resource.target_workspace, Some(102));
    assert_eq!(p.resource.copy, Some(CopyMode::SettingsData));
    let p = plan_for("POST", "/api/projects/", "{}").unwrap();
    assert!(p.default_sandbox);
    let p = plan_for(
        "POST",
        "/api/predictions/",
        r#"{"task": 5, "project": 1000}"#,
    )
    .unwrap();
    assert_eq!(
        p.projects,
        vec![
            ProjectRef::Id(1000),
            ProjectRef::Object("/api/tasks/5/".into())
        ]
    );
}

#[test]
fn query_and_objects() {
    let p = plan_for("GET", "/api/tasks/?project=1001", "").unwrap();
    assert_eq!(
        (p.action, p.projects.clone()),
        (Action::ProjectViewData, vec![ProjectRef::Id(1001)])
    );
    assert!(p.subject_self);
    assert!(plan_for("GET", "/api/tasks/", "").is_err());
    assert!(plan_for("GET", "/api/tasks/?project=x", "").is_err());
    let p = plan_for("DELETE", "/api/annotations/7/", "").unwrap();
    assert!(p.subject_from_object);
    assert_eq!(
        p.projects,
        vec![ProjectRef::Object("/api/annotations/7/".into())]
    );
    let p = plan_for("GET", "/api/analytics/?workspace=100&scope=own", "").unwrap();
    assert_eq!(p.resource.workspace, Some(100));
    assert_eq!(p.resource.scope, Some(Scope::Own));
}

#[test]
fn data_manager_actions_are_decided_by_their_id() {
    let p = plan_for("POST", "/api/dm/actions/?id=delete_tasks&project=4", "").unwrap();
    assert_eq!(
        (p.action, p.projects),
        (Action::ProjectUpdate, vec![ProjectRef::Id(4)])
    );
    let p = plan_for("POST", "/api/dm/actions?id=next_task&project=4", "").unwrap();
    assert_eq!(p.action, Action::ProjectLabel);
    let p = plan_for(
        "GET",
        "/api/dm/actions/remove_duplicates/form?project=4",
        "",
    )
    .unwrap();
    assert_eq!(p.action, Action::ProjectUpdate);
    let p = plan_for("GET", "/api/dm/actions/?project=4", "").unwrap();
    assert_eq!((p.action, p.subject_self), (Action::ProjectViewData, true));
    let unknown = plan_for("POST", "/api/dm/actions/?id=wipe&project=4", "").unwrap_err();
    assert_eq!(
        (unknown.reason, unknown.status()),
        (Reason::UnknownAction, 403)
    );
    let none = plan_for("POST", "/api/dm/actions/?project=4", "").unwrap_err();
    assert_eq!(none.status(), 400);
    // The server reads the project of an action from the query only.
    assert!(plan_for("POST", "/api/dm/actions/?id=delete_tasks", "").is_err());
}

#[test]
fn every_place_the_server_reads_a_project_from_is_a_source() {
    let p = plan_for("PATCH", "/api/webhooks/4/?project=9", r#"{"project": 10}"#).unwrap();
    assert_eq!(
        p.projects,
        vec![
            ProjectRef::Object("/api/webhooks/4/".into()),
            ProjectRef::Id(9),
            ProjectRef::Id(10)
        ]
    );
    let p = plan_for(
        "DELETE",
        "/api/dm/views/reset/?project=4",
        r#"{"project": 5}"#,
    )
    .unwrap();
    assert_eq!(p.projects, vec![ProjectRef::Id(4), ProjectRef::Id(5)]);
    let p = plan_for("GET", "/api/predictions/?task=7&task__project=4", "").unwrap();
    assert_eq!(
        p.projects,
        vec![
            ProjectRef::Id(4),
            ProjectRef::Object("/api/tasks/7/".into())
        ]
    );
    assert!(plan_for("GET", "/api/predictions/", "").is_err());
    let p = plan_for("POST", "/api/projects/4/exports/77/convert", "").unwrap();
    assert_eq!(
        p.projects,
        vec![
            ProjectRef::Exists("/api/projects/4/exports/77".into()),
            ProjectRef::Id(4)
        ]
    );
    let p = plan_for("GET", "/api/projects/4/imports/9/", "").unwrap();
    assert_eq!(
        p.projects,
        vec![
            ProjectRef::Object("/api/projects/4/imports/9/".into()),
            ProjectRef::Id(4)
        ]
    );
    let p = plan_for(
        "POST",
        "/api/storages/s3/validate",
        r#"{"project": 4, "id": 12}"#,
    )
    .unwrap();
    assert_eq!(
        p.projects,
        vec![
            ProjectRef::Id(4),
            ProjectRef::Object("/api/storages/s3/12".into())
        ]
    );
    let p = plan_for("POST", "/api/storages/export/gcs/validate", r#"{"id": 3}"#).unwrap();
    assert_eq!(
        p.projects,
        vec![ProjectRef::Object("/api/storages/export/gcs/3".into())]
    );
    assert!(plan_for("POST", "/api/storages/s3/validate", "{}").is_err());
}

#[test]
fn organization_level_fallbacks_and_own_accounts() {
    let p = plan_for("GET", "/api/webhooks/", "").unwrap();
    assert_eq!(
        (p.projects.len(), p.fallback),
        (0, Some(Action::OrgChangeRole))
    );
    let p = plan_for("GET", "/api/webhooks/?project=null", "").unwrap();
    assert_eq!(p.action, Action::OrgChangeRole);
    let p = plan_for("GET", "/api/webhooks/?project=3", "").unwrap();
    assert_eq!(
        (p.action, p.projects.clone()),
        (Action::ProjectUpdate, vec![ProjectRef::Id(3)])
    );
    let p = plan_for("PATCH", "/api/users/14/", r#"{"first_name": "a"}"#).unwrap();
    assert_eq!((p.action, p.own_account), (Action::OrgApiAccess, Some(14)));
}

#[test]
fn annotations_and_drafts_name_their_author() {
    let p = plan_for("PATCH", "/api/annotations/5/", r#"{"result": []}"#).unwrap();
    assert_eq!(
        (p.action, p.subject_from_object),
        (Action::AnnotationUpdate, true)
    );
    let p = plan_for(
        "POST",
        "/api/tasks/5/annotations/",
        r#"{"completed_by": 13}"#,
    )
    .unwrap();
    assert_eq!(p.body_author, Some(13));
    let p = plan_for("PATCH", "/api/drafts/5/", r#"{"user": 12}"#).unwrap();
    assert_eq!(p.body_author, Some(12));
    let p = plan_for("POST", "/api/tasks/5/annotations/7/drafts", "{}").unwrap();
    assert_eq!(
        (p.action, p.projects),
        (
            Action::AnnotationUpdate,
            vec![
                ProjectRef::Object("/api/tasks/5/".into()),
                ProjectRef::Object("/api/annotations/7/".into())
            ]
        )
    );
}

#[test]
fn denied_rows_say_why() {
    let e = plan_for("GET", "/admin/", "").unwrap_err();
    assert_eq!(e.reason, Reason::UnknownAction);
    assert!(e.message.contains("operator"), "{e}");
}
