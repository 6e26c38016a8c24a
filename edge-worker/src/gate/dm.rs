//! The Data Manager's actions (`POST /api/dm/actions/?id=...&project=...`), decided by their
//! id. Label Studio 1.23.2 registers these (`data_manager/actions/`); each is mapped to the
//! action a Label Studio Enterprise user would expect. Deleting or rewriting tasks,
//! annotations and predictions, running a model, removing duplicates and the experimental
//! bulk edits are project management (`project.update`: managers in their scope and up), as
//! in Enterprise, where annotators and reviewers do not get these actions. The hidden
//! `next_task` (the labeling stream of a Data Manager tab) is labeling. Any other id is
//! unknown and denied.

use policy_core::Action;

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

#[cfg(test)]
mod tests {
    use super::*;

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
