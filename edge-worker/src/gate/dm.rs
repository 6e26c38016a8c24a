//! The Data Manager's actions (`POST /api/dm/actions/?id=...&project=...`), decided by their
//! id. Label Studio 1.23.2 registers these (`data_manager/actions/`); each is mapped to the
//! action a Label Studio Enterprise user would expect. Deleting or rewriting tasks,
//! annotations and predictions, running a model, removing duplicates and the experimental
//! bulk edits are project management (`project.update`: managers in their scope and up), as
//! in Enterprise, where annotators and reviewers do not get these actions. Any other id is
//! unknown and denied.
//!
//! The hidden `next_task` hands out one task, with its data. Left to Label Studio's own
//! choice (no tab, no filter, no ordering, no selection) it is the label stream:
//! `project.label`. A request that chooses the task, by ids (`selectedItems`), filters, an
//! ordering, a tab (`view`) or a query, is viewing that task: `project.view_data`, and a
//! member who may view only their own tasks may choose only among them
//! ([`crate::serve::own`]).

use policy_core::Action;
use serde_json::Value;

use crate::http::body::JsonBody;
use crate::http::path::Query;

/// Every action id LabelGate knows, and the action that decides it.
pub const ACTIONS: [(&str, Action); 11] = [
    ("next_task", Action::ProjectLabel),
    ("retrieve_tasks_predictions", Action::ProjectUpdate),
    ("delete_tasks", Action::ProjectUpdate),
    ("delete_tasks_annotations", Action::ProjectUpdate),
    ("delete_tasks_predictions", Action::ProjectUpdate),
    ("predictions_to_annotations", Action::ProjectUpdate),
    ("remove_duplicates", Action::ProjectUpdate),
    ("cache_labels", Action::ProjectUpdate),
    ("propagate_annotations", Action::ProjectUpdate),
    ("rename_labels", Action::ProjectUpdate),
    ("add_data_field", Action::ProjectUpdate),
];

/// The action that decides the Data Manager action `id`; `None`: unknown, denied.
pub fn action_of(id: &str) -> Option<Action> {
    ACTIONS.iter().find(|(k, _)| *k == id).map(|(_, a)| *a)
}

/// The Data Manager action that hands out a task.
pub const NEXT_TASK: &str = "next_task";

/// Whether a `next_task` request chooses its task (see the module's note): Label Studio's
/// `get_prepare_params` reads a tab from `view` (query or body), a selection from the
/// query's `query`, else the body's `selectedItems`, `filters` and `ordering`. Anything but
/// the stream's own defaults, or a value that cannot be read, chooses.
pub fn chooses(query: &Query, body: &JsonBody) -> bool {
    if query.get("view").is_some() || query.get("query").is_some() || body.has("view") {
        return true;
    }
    let filters = match body.get("filters") {
        None | Some(Value::Null) => false,
        Some(Value::Object(f)) => match f.get("items") {
            None | Some(Value::Null) => false,
            Some(Value::Array(items)) => !items.is_empty(),
            Some(_) => true,
        },
        Some(_) => true,
    };
    let ordering = match body.get("ordering") {
        None | Some(Value::Null) => false,
        Some(Value::Array(o)) => !o.is_empty(),
        Some(_) => true,
    };
    let selected = match body.get("selectedItems") {
        None | Some(Value::Null) => false,
        Some(Value::Object(s)) => {
            let all = s.get("all") == Some(&Value::Bool(true));
            let excluded_none = match s.get("excluded") {
                None | Some(Value::Null) => true,
                Some(Value::Array(e)) => e.is_empty(),
                Some(_) => false,
            };
            let keys_known = s.keys().all(|k| k == "all" || k == "excluded");
            !(all && excluded_none && keys_known)
        }
        Some(_) => true,
    };
    filters || ordering || selected
}

/// The task ids a choosing `next_task` names: `selectedItems` `{"all": false, "included":
/// [..]}` and nothing else that chooses. `None`: it chooses otherwise (filters, a tab, all
/// but some), which a member who may view only their own tasks may not.
pub fn chosen_ids(query: &Query, body: &JsonBody) -> Option<Vec<u64>> {
    if query.get("view").is_some() || query.get("query").is_some() || body.has("view") {
        return None;
    }
    let rest = body.without(&["selectedItems"]);
    if chooses(query, &rest) {
        return None;
    }
    let Some(Value::Object(s)) = body.get("selectedItems") else {
        return None;
    };
    if s.get("all") != Some(&Value::Bool(false)) || s.keys().any(|k| k != "all" && k != "included")
    {
        return None;
    }
    let ids: Option<Vec<u64>> = s
        .get("included")?
        .as_array()?
        .iter()
        .map(Value::as_u64)
        .collect();
    ids.filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_next_task_that_chooses_is_viewing() {
        let q = |s: &str| Query::parse(s).unwrap();
        let b = |s: &str| JsonBody::parse(s.as_bytes()).unwrap();
        let none = q("id=next_task&project=1");
        for stream in [
            "{}",
            r#"{"selectedItems": {"all": true, "excluded": []}}"#,
            r#"{"filters": {"conjunction": "and", "items": []}, "ordering": []}"#,
            r#"{"selectedItems": null}"#,
        ] {
            assert!(!chooses(&none, &b(stream)), "{stream}");
        }
        for choice in [
            r#"{"selectedItems": {"all": false, "included": [7]}}"#,
            r#"{"selectedItems": {"all": true, "excluded": [7]}}"#,
            r#"{"selectedItems": {"all": true, "excluded": [], "included": [7]}}"#,
            r#"{"selectedItems": "{\"all\": false, \"included\": [7]}"}"#,
            r#"{"filters": {"conjunction": "and", "items": [{"filter": "filter:tasks:id"}]}}"#,
            r#"{"filters": "x"}"#,
            r#"{"ordering": ["tasks:id"]}"#,
            r#"{"view": 3}"#,
        ] {
            assert!(chooses(&none, &b(choice)), "{choice}");
        }
        assert!(chooses(&q("id=next_task&project=1&view=2"), &b("{}")));
        assert!(chooses(&q("id=next_task&project=1&query=%7B%7D"), &b("{}")));
        assert_eq!(
            chosen_ids(
                &none,
                &b(r#"{"selectedItems": {"all": false, "included": [7, 9]}}"#)
            ),
            Some(vec![7, 9])
        );
        assert_eq!(
            chosen_ids(
                &none,
                &b(r#"{"selectedItems": {"all": true, "excluded": [7]}}"#)
            ),
            None
        );
        assert_eq!(
            chosen_ids(
                &none,
                &b(r#"{"selectedItems": {"all": false, "included": [7]}, "ordering": ["x"]}"#)
            ),
            None
        );
        assert_eq!(
            chosen_ids(
                &none,
                &b(r#"{"selectedItems": {"all": false, "included": []}}"#)
            ),
            None
        );
    }

    #[test]
    fn writes_are_project_management_and_unknown_ids_are_none() {
        assert_eq!(action_of("delete_tasks"), Some(Action::ProjectUpdate));
        assert_eq!(action_of("next_task"), Some(Action::ProjectLabel));
        assert_eq!(action_of("Delete_tasks"), None);
        assert_eq!(action_of("delete_tasks "), None);
        assert_eq!(action_of(""), None);
        for (id, action) in ACTIONS {
            assert!(
                id == "next_task" || action == Action::ProjectUpdate,
                "{id} changes data: managers and up"
            );
        }
    }
}
