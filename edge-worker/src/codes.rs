//! Label Studio Enterprise's role codes (`OW AD MA RE AN NO DI`): one table, read both ways,
//! for the bodies the gate reads, the administration API's answers and the store's reads.

use policy_core::{Role, RoleChange, Status};

/// Each code and the role change it names.
pub const ROLE_CODES: [(&str, RoleChange); 7] = [
    ("OW", RoleChange::Owner),
    ("AD", RoleChange::Administrator),
    ("MA", RoleChange::Manager),
    ("RE", RoleChange::Reviewer),
    ("AN", RoleChange::Annotator),
    ("NO", RoleChange::NotActivated),
    ("DI", RoleChange::Deactivated),
];

/// The role change a code (`OW`) or a contract name (`owner`) names.
pub fn role_change(code_or_name: &str) -> Option<RoleChange> {
    ROLE_CODES
        .iter()
        .find(|(code, change)| *code == code_or_name || change.name() == code_or_name)
        .map(|(_, change)| *change)
}

/// The code of a membership: its status's (`NO`, `DI`), else its role's.
pub fn code_of(role: Option<Role>, status: Status) -> &'static str {
    let name = match (status, role) {
        (Status::Deactivated, _) => RoleChange::Deactivated.name(),
        (Status::Active, Some(role)) => role.name(),
        _ => RoleChange::NotActivated.name(),
    };
    ROLE_CODES
        .iter()
        .find(|(_, change)| change.name() == name)
        .map_or("NO", |(code, _)| code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_read_both_ways() {
        assert_eq!(role_change("OW"), Some(RoleChange::Owner));
        assert_eq!(role_change("owner"), Some(RoleChange::Owner));
        assert_eq!(role_change("DI"), Some(RoleChange::Deactivated));
        assert_eq!(role_change("XX"), None);
        assert_eq!(code_of(Some(Role::Manager), Status::Active), "MA");
        assert_eq!(code_of(Some(Role::Manager), Status::Deactivated), "DI");
        assert_eq!(code_of(Some(Role::Owner), Status::NotActivated), "NO");
        assert_eq!(code_of(None, Status::Active), "NO");
        for (code, change) in ROLE_CODES {
            assert_eq!(role_change(code), Some(change));
        }
    }
}
