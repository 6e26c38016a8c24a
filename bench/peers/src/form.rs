//! A LabelGate request (SPEC §4) read for its form only: the fields, their types and their
//! enumerated values, what a JSON schema would say. Every host below (Cedar, Rego) starts
//! from a [`Form`]; every rule is left to the policies.

use serde_json::Value;

/// The role (or status) names `org.change_role` accepts.
pub const ROLE_CHANGES: [&str; 7] = [
    "annotator",
    "reviewer",
    "manager",
    "administrator",
    "owner",
    "not_activated",
    "deactivated",
];
const COPIES: [&str; 3] = ["settings", "settings_data", "all"];
const SCOPES: [&str; 4] = ["own", "project", "workspace", "organization"];

const TOP: [&str; 4] = ["principal", "org", "action", "resource"];
const PRINCIPAL: [&str; 2] = ["user", "groups"];
const RESOURCE: [&str; 9] = [
    "workspace",
    "project",
    "subject",
    "member",
    "role",
    "target_workspace",
    "copy",
    "scope",
    "invite_token",
];

/// The fields of one request. `None` is an absent (or null) optional field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Form<'a> {
    pub org: u64,
    pub user: Option<u64>,
    pub groups: Vec<&'a str>,
    pub action: &'a str,
    pub workspace: Option<u64>,
    pub project: Option<u64>,
    pub subject: Option<u64>,
    pub member: Option<u64>,
    pub role: Option<&'a str>,
    pub target: Option<u64>,
    pub copy: Option<&'a str>,
    pub scope: Option<&'a str>,
    pub token: Option<&'a str>,
}

fn only(v: &Value, keys: &[&str]) -> Option<()> {
    v.as_object()?
        .keys()
        .all(|k| keys.contains(&k.as_str()))
        .then_some(())
}

fn opt_u64(v: &Value, k: &str) -> Option<Option<u64>> {
    match v.get(k) {
        None | Some(Value::Null) => Some(None),
        Some(x) => Some(Some(x.as_u64()?)),
    }
}

fn opt_str<'a>(v: &'a Value, k: &str, allowed: Option<&[&str]>) -> Option<Option<&'a str>> {
    match v.get(k) {
        None | Some(Value::Null) => Some(None),
        Some(x) => {
            let s = x.as_str()?;
            if allowed.is_some_and(|a| !a.contains(&s)) {
                return None;
            }
            Some(Some(s))
        }
    }
}

impl<'a> Form<'a> {
    /// The form of `v`, or `None` when a JSON schema would reject it (LabelGate's
    /// `invalid_request` for malformed input: unknown fields, wrong types, unknown values).
    pub fn read(v: &'a Value) -> Option<Form<'a>> {
        only(v, &TOP)?;
        let p = v.get("principal")?;
        only(p, &PRINCIPAL)?;
        // An absent resource is `{}`; `Value::Null` answers every field as absent.
        let r = v.get("resource").unwrap_or(&Value::Null);
        if v.get("resource").is_some() {
            only(r, &RESOURCE)?;
        }
        let groups = match p.get("groups") {
            None => vec![],
            Some(g) => g
                .as_array()?
                .iter()
                .map(|x| x.as_str())
                .collect::<Option<_>>()?,
        };
        Some(Form {
            org: v.get("org")?.as_u64()?,
            user: opt_u64(p, "user")?,
            groups,
            action: v.get("action")?.as_str()?,
            workspace: opt_u64(r, "workspace")?,
            project: opt_u64(r, "project")?,
            subject: opt_u64(r, "subject")?,
            member: opt_u64(r, "member")?,
            role: opt_str(r, "role", Some(&ROLE_CHANGES))?,
            target: opt_u64(r, "target_workspace")?,
            copy: opt_str(r, "copy", Some(&COPIES))?,
            scope: opt_str(r, "scope", Some(&SCOPES))?,
            token: opt_str(r, "invite_token", None)?,
        })
    }

    /// One action on one project, by a user without groups.
    pub fn project(org: u64, user: u64, action: &'a str, project: u64) -> Form<'a> {
        Form {
            org,
            user: Some(user),
            action,
            project: Some(project),
            ..Form::default()
        }
    }
}
