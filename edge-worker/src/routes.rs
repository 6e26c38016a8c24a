//! The route table of `label-studio-api.md` as data: method + path pattern -> how the
//! request is decided. The first matching row wins; a request no row matches is denied.
//!
//! Patterns are written without the trailing slash (the server accepts both) and match the
//! canonical segments of [`crate::path::canonical_segments`]. A pattern segment is one of:
//! - `name`: that literal segment (routes are case-sensitive);
//! - `(a|b)`: one of the literals;
//! - `pre*`: a segment starting with `pre`; `*` alone: any one segment;
//! - `**`: the rest of the path, zero or more segments (last only);
//! - `{org}`, `{workspace}`, `{project}`, `{member}`, `{subject}`, `{n}`: an integer id
//!   (leading zeros allowed) that names the organization, the workspace, the project, the
//!   member a role change or removal is about, the user whose data it is, or nothing;
//! - `{obj}` / `{obj-}`: the integer id of a task, annotation, draft, ML backend, webhook,
//!   storage, review or view: the Worker asks the origin for the object at the path so far
//!   (with a trailing slash, or without one for `{obj-}`, as the server's route is written)
//!   to learn its project.

use policy_core::Action;

use crate::path::parse_id;

/// How a matched request is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// No identity needed (`/health`, `/api/version/`).
    Public,
    /// `GET|POST /user/signup/`: `org.signup` for anyone, with the query's invite `token`
    /// (see [`crate::signup`]).
    Signup,
    /// One action; the resource comes from the path, the query or the body.
    Act(Action),
    /// A list the member may read (`org.api_access`), to be filtered to their reach.
    List(ListKind),
    /// `PATCH/PUT /api/projects/{id}/`: `project.pin`/`project.unpin` if the body changes
    /// only `pinned_at`, else `project.update`.
    ProjectPatch,
    /// `POST .../tasks/assignees`: `type` `AN` or `RE`.
    Assignees,
    /// `POST .../duplicate/`: `{mode, workspace, title}`.
    Duplicate,
    /// `POST/PATCH /api/organizations/{id}/memberships`: `{user_id, role}`.
    Membership,
    /// `POST/PATCH /api/projects/roles/`: `{user, role}`.
    ProjectRoles,
    /// `POST /api/projects/`: the body's `workspace`, or the member's sandbox.
    CreateProject,
    /// `POST /api/token/{refresh,blacklist}/`: the identity is the refresh token in the body.
    RefreshToken,
}

/// The lists that are filtered to the member's reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    /// `GET /api/projects/`
    Projects,
    /// `GET /api/projects/counts/`
    ProjectCounts,
    /// `GET /api/workspaces/`
    Workspaces,
}

impl ListKind {
    /// A short name for logs and the decision header.
    pub fn name(self) -> &'static str {
        match self {
            ListKind::Projects => "projects",
            ListKind::ProjectCounts => "project_counts",
            ListKind::Workspaces => "workspaces",
        }
    }
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    /// `GET`, `GET|POST`, or `*` for any method. `HEAD` matches `GET`.
    pub methods: &'static str,
    /// The path pattern.
    pub path: &'static str,
    /// How a match is decided.
    pub how: How,
    /// Whether the last segment may carry a DRF format suffix (`/api/users/1.json`).
    pub suffix: bool,
}

const fn row(methods: &'static str, path: &'static str, how: How) -> Row {
    Row {
        methods,
        path,
        how,
        suffix: false,
    }
}

const fn suffixed(methods: &'static str, path: &'static str, how: How) -> Row {
    Row {
        methods,
        path,
        how,
        suffix: true,
    }
}

use Action as A;
use How::{Act, List};

const WRITE: &str = "POST|PATCH|PUT|DELETE";

/// The default route table (`label-studio-api.md`), most specific rows first.
pub static TABLE: &[Row] = &[
    // Public.
    row("GET", "/health", How::Public),
    row("GET", "/api/version", How::Public),
    // Signup: gated by `disable_signup_without_link` and the invite token.
    row("GET|POST", "/user/signup", How::Signup),
    // The current user: API access, self only.
    row("GET", "/api/current-user/whoami", Act(A::OrgApiAccess)),
    row("GET", "/api/current-user/token", Act(A::OrgApiAccess)),
    row(
        "POST",
        "/api/current-user/reset-token",
        Act(A::OrgApiAccess),
    ),
    row(
        "GET|PATCH",
        "/api/current-user/hotkeys",
        Act(A::OrgApiAccess),
    ),
    row("GET|POST", "/api/token", Act(A::OrgApiAccess)),
    row("POST", "/api/token/(refresh|blacklist)", How::RefreshToken),
    row("POST", "/api/token/rotate", Act(A::OrgApiAccess)),
    // The organization.
    row("GET", "/api/organizations", Act(A::OrgViewMembers)),
    row("GET", "/api/organizations/{org}", Act(A::OrgViewMembers)),
    row(
        "PATCH|PUT",
        "/api/organizations/{org}",
        Act(A::OrgChangeRole),
    ),
    row(
        "GET",
        "/api/organizations/{org}/memberships",
        Act(A::OrgViewMembers),
    ),
    row(
        "POST|PATCH",
        "/api/organizations/{org}/memberships",
        How::Membership,
    ),
    row(
        "GET",
        "/api/organizations/{org}/memberships/{member}",
        Act(A::OrgViewMembers),
    ),
    row(
        "DELETE",
        "/api/organizations/{org}/memberships/{member}",
        Act(A::OrgRemoveMember),
    ),
    suffixed("GET", "/api/users", Act(A::OrgViewMembers)),
    suffixed("GET", "/api/users/{member}", Act(A::OrgViewMembers)),
    suffixed("DELETE", "/api/users/{member}", Act(A::OrgRemoveMember)),
    row("GET|POST", "/api/jwt/settings", Act(A::OrgChangeRole)),
    row("PATCH", "/api/session-policy", Act(A::OrgChangeRole)),
    row("GET", "/api/invite", Act(A::OrgInvite)),
    row(
        "POST",
        "/api/invite/(reset-token|send-email)",
        Act(A::OrgInvite),
    ),
    row("*", "/api/billing/**", Act(A::OrgViewBilling)),
    row("GET", "/api/activity-logs", Act(A::OrgViewActivityLog)),
    row("GET", "/api/project-templates/**", Act(A::OrgApiAccess)),
    row(WRITE, "/api/project-templates/**", Act(A::OrgSaveTemplate)),
    // Workspaces.
    row("GET", "/api/workspaces", List(ListKind::Workspaces)),
    row("POST", "/api/workspaces", Act(A::OrgCreateWorkspace)),
    row("GET", "/api/workspaces/{workspace}", Act(A::WorkspaceView)),
    row(
        "PATCH|PUT",
        "/api/workspaces/{workspace}",
        Act(A::WorkspaceUpdate),
    ),
    row(
        "DELETE",
        "/api/workspaces/{workspace}",
        Act(A::WorkspaceDelete),
    ),
    row(
        "POST|DELETE",
        "/api/workspaces/{workspace}/memberships",
        Act(A::WorkspaceManageMembers),
    ),
    // Projects.
    row("GET", "/api/projects", List(ListKind::Projects)),
    row("POST", "/api/projects", How::CreateProject),
    row("GET", "/api/projects/counts", List(ListKind::ProjectCounts)),
    row("POST|PATCH", "/api/projects/roles", How::ProjectRoles),
    row("GET", "/api/projects/{project}", Act(A::ProjectView)),
    row("PATCH|PUT", "/api/projects/{project}", How::ProjectPatch),
    row("DELETE", "/api/projects/{project}", Act(A::ProjectDelete)),
    row(
        "GET",
        "/api/projects/{project}/(summary|annotators)",
        Act(A::ProjectView),
    ),
    row(
        "GET|POST",
        "/api/projects/{project}/validate",
        Act(A::ProjectUpdate),
    ),
    row("POST", "/api/projects/{project}/duplicate", How::Duplicate),
    row(
        "POST",
        "/api/projects/{project}/import",
        Act(A::ProjectImport),
    ),
    row(
        "POST",
        "/api/projects/{project}/import/predictions",
        Act(A::ProjectImport),
    ),
    row(
        "POST",
        "/api/projects/{project}/reimport",
        Act(A::ProjectImport),
    ),
    row(
        "POST",
        "/api/projects/{project}/tasks/bulk",
        Act(A::ProjectImport),
    ),
    row(
        "POST",
        "/api/projects/{project}/tasks/assignees",
        How::Assignees,
    ),
    row(
        "GET",
        "/api/projects/{project}/tasks",
        Act(A::ProjectViewData),
    ),
    row(
        "POST",
        "/api/projects/{project}/tasks",
        Act(A::ProjectImport),
    ),
    row(
        "DELETE",
        "/api/projects/{project}/tasks",
        Act(A::ProjectUpdate),
    ),
    row(
        "GET",
        "/api/projects/{project}/export",
        Act(A::ProjectExport),
    ),
    row(
        "GET",
        "/api/projects/{project}/export/(formats|files)",
        Act(A::ProjectExport),
    ),
    row(
        "*",
        "/api/projects/{project}/exports/**",
        Act(A::ProjectExport),
    ),
    row(
        "GET",
        "/api/projects/{project}/(next|label-stream-history)",
        Act(A::ProjectLabel),
    ),
    row(
        "GET",
        "/api/projects/{project}/stats/agreement*/**",
        Act(A::ProjectMonitorAgreement),
    ),
    row(
        "GET",
        "/api/projects/{project}/stats/IAA",
        Act(A::ProjectMonitorAgreement),
    ),
    row(
        "GET",
        "/api/projects/{project}/stats/member_performance*/**",
        Act(A::ProjectViewPerformance),
    ),
    row(
        "GET",
        "/api/projects/{project}/stats/**",
        Act(A::AnalyticsView),
    ),
    row(
        "GET",
        "/api/projects/{project}/users/{subject}/stats/**",
        Act(A::ProjectViewPerformance),
    ),
    // Tasks, annotations, drafts, predictions: their project is looked up at the origin.
    row("GET", "/api/tasks", Act(A::ProjectViewData)),
    row("POST", "/api/tasks", Act(A::ProjectImport)),
    row("GET", "/api/tasks/{obj}", Act(A::ProjectViewData)),
    row(
        "GET|POST",
        "/api/tasks/{obj}/annotations",
        Act(A::ProjectLabel),
    ),
    row("GET|POST", "/api/tasks/{obj}/drafts", Act(A::ProjectLabel)),
    row(
        "GET",
        "/api/tasks/{obj}/agreement",
        Act(A::ProjectMonitorAgreement),
    ),
    row("*", "/api/drafts/{obj}", Act(A::ProjectLabel)),
    row(
        "PATCH|DELETE",
        "/api/annotations/{obj}",
        Act(A::AnnotationUpdate),
    ),
    suffixed("POST", "/api/predictions", Act(A::ProjectImport)),
    row("GET|POST", "/api/annotation-reviews", Act(A::ProjectReview)),
    row(
        "GET",
        "/api/annotation-reviews/{obj}/**",
        Act(A::ProjectReview),
    ),
    row(
        WRITE,
        "/api/annotation-reviews/{obj}/**",
        Act(A::ProjectVerifyAnnotations),
    ),
    // Storages, ML backends, webhooks, the data manager: the project is in the query or
    // the body, or looked up for one object.
    row(
        "*",
        "/api/storages/export/(s3|gcs|azure|redis|localfiles)/{obj-}/**",
        Act(A::ProjectExport),
    ),
    row("*", "/api/storages/export/**", Act(A::ProjectExport)),
    row(
        "*",
        "/api/storages/(s3|gcs|azure|redis|localfiles)/{obj-}/**",
        Act(A::ProjectImport),
    ),
    row(
        "*",
        "/api/storages/(s3|gcs|azure|redis|localfiles)/**",
        Act(A::ProjectImport),
    ),
    row("*", "/api/ml/{obj-}/**", Act(A::ProjectUpdate)),
    row("*", "/api/ml/**", Act(A::ProjectUpdate)),
    row("*", "/api/webhooks/{obj}/**", Act(A::ProjectUpdate)),
    row("*", "/api/webhooks/**", Act(A::ProjectUpdate)),
    suffixed("*", "/api/dm/views/{obj}/**", Act(A::ProjectViewData)),
    suffixed("*", "/api/dm/**", Act(A::ProjectViewData)),
    // Analytics.
    row("GET", "/api/analytics/**", Act(A::AnalyticsView)),
];

/// What a matched path names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    /// `{org}`: the organization (`0`: the member's only one).
    pub org: Option<u64>,
    /// `{workspace}`
    pub workspace: Option<u64>,
    /// `{project}`
    pub project: Option<u64>,
    /// `{member}`
    pub member: Option<u64>,
    /// `{subject}`
    pub subject: Option<u64>,
    /// `{obj}`: the origin path that describes the object, e.g. `/api/tasks/5/`.
    pub object: Option<String>,
}

/// A row and what its path named.
#[derive(Clone, Debug)]
pub struct Matched {
    /// The row.
    pub row: &'static Row,
    /// The named ids.
    pub params: Params,
}

/// Finds the first row of `table` for `method` and the canonical `segments`.
pub fn find(table: &'static [Row], method: &str, segments: &[String]) -> Option<Matched> {
    let method = if method == "HEAD" { "GET" } else { method };
    table.iter().find_map(|row| {
        if !method_matches(row.methods, method) {
            return None;
        }
        match_path(row, segments).map(|params| Matched { row, params })
    })
}

fn method_matches(methods: &str, method: &str) -> bool {
    methods == "*" || methods.split('|').any(|m| m == method)
}

/// Strips a DRF format suffix (`.json`, `.api`: `[a-z0-9]+`) from a segment.
fn strip_suffix(seg: &str) -> Option<&str> {
    let (stem, fmt) = seg.rsplit_once('.')?;
    let valid = !stem.is_empty()
        && !fmt.is_empty()
        && fmt
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    valid.then_some(stem)
}

fn match_path(row: &Row, segments: &[String]) -> Option<Params> {
    if let Some(params) = match_segments(row.path, segments.iter().map(String::as_str)) {
        return Some(params);
    }
    if !row.suffix {
        return None;
    }
    let (last, init) = segments.split_last()?;
    let stem = strip_suffix(last)?;
    match_segments(
        row.path,
        init.iter()
            .map(String::as_str)
            .chain(core::iter::once(stem)),
    )
}

fn match_segments<'a>(pattern: &str, segments: impl Iterator<Item = &'a str>) -> Option<Params> {
    let mut params = Params::default();
    let mut so_far = String::new();
    let mut segments = segments.peekable();
    for pat in pattern.split('/').filter(|p| !p.is_empty()) {
        if pat == "**" {
            return Some(params);
        }
        let seg = segments.next()?;
        if !segment_matches(pat, seg, &mut params, &so_far)? {
            return None;
        }
        so_far.push('/');
        so_far.push_str(seg);
    }
    segments.peek().is_none().then_some(params)
}

/// Whether `seg` matches the pattern segment `pat`, recording the ids it names. `None` for
/// a pattern that names an id the segment is not.
fn segment_matches(pat: &str, seg: &str, params: &mut Params, so_far: &str) -> Option<bool> {
    if let Some(name) = pat.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
        let id = parse_id(seg)?;
        let slot = match name {
            "org" => &mut params.org,
            "workspace" => &mut params.workspace,
            "project" => &mut params.project,
            "member" => &mut params.member,
            "subject" => &mut params.subject,
            "obj" | "obj-" => {
                let slash = if name == "obj" { "/" } else { "" };
                params.object = Some(format!("{so_far}/{id}{slash}"));
                return Some(true);
            }
            _ => return Some(true),
        };
        *slot = Some(id);
        return Some(true);
    }
    if let Some(alts) = pat.strip_prefix('(').and_then(|p| p.strip_suffix(')')) {
        return Some(alts.split('|').any(|a| a == seg));
    }
    if pat == "*" {
        return Some(true);
    }
    if let Some(prefix) = pat.strip_suffix('*') {
        return Some(seg.starts_with(prefix));
    }
    Some(pat == seg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path::canonical_segments;

    fn how(method: &str, path: &str) -> Option<(How, Params)> {
        let segs = canonical_segments(path).unwrap();
        find(TABLE, method, &segs).map(|m| (m.row.how, m.params))
    }

    fn act(method: &str, path: &str) -> Option<Action> {
        match how(method, path)?.0 {
            Act(a) => Some(a),
            _ => None,
        }
    }

    #[test]
    fn rows_map_to_their_actions() {
        assert_eq!(
            act("GET", "/api/projects/1000/export"),
            Some(A::ProjectExport)
        );
        assert_eq!(
            act("GET", "/api/projects/01000/export/"),
            Some(A::ProjectExport)
        );
        assert_eq!(
            act("POST", "/api/projects/1000/exports/"),
            Some(A::ProjectExport)
        );
        assert_eq!(
            act("DELETE", "/api/projects/1000/exports/7"),
            Some(A::ProjectExport)
        );
        assert_eq!(act("HEAD", "/api/projects/1000/"), Some(A::ProjectView));
        assert_eq!(
            act("GET", "/api/projects/1/stats/agreement_matrix"),
            Some(A::ProjectMonitorAgreement)
        );
        assert_eq!(
            act("GET", "/api/projects/1/stats/IAA"),
            Some(A::ProjectMonitorAgreement)
        );
        assert_eq!(
            act("GET", "/api/projects/1/stats/member_performance"),
            Some(A::ProjectViewPerformance)
        );
        assert_eq!(
            act("GET", "/api/projects/1/stats/finished"),
            Some(A::AnalyticsView)
        );
        assert_eq!(act("GET", "/api/users/12.json"), Some(A::OrgViewMembers));
        assert_eq!(act("GET", "/api/users.json"), Some(A::OrgViewMembers));
        assert_eq!(act("GET", "/api/storages/s3/5/"), Some(A::ProjectImport));
        assert_eq!(
            act("POST", "/api/storages/export/gcs/5/sync"),
            Some(A::ProjectExport)
        );
        assert_eq!(
            how("GET", "/api/projects/").unwrap().0,
            List(ListKind::Projects)
        );
        assert_eq!(
            how("PATCH", "/api/projects/7").unwrap().0,
            How::ProjectPatch
        );
    }

    #[test]
    fn params_name_ids_and_objects() {
        let (_, p) = how("DELETE", "/api/organizations/0/memberships/014/").unwrap();
        assert_eq!((p.org, p.member), (Some(0), Some(14)));
        let (_, p) = how("GET", "/api/projects/1000/users/14/stats/x").unwrap();
        assert_eq!((p.project, p.subject), (Some(1000), Some(14)));
        let (_, p) = how("PATCH", "/api/annotations/0042").unwrap();
        assert_eq!(p.object.as_deref(), Some("/api/annotations/42/"));
        let (_, p) = how("POST", "/api/ml/3/train").unwrap();
        assert_eq!(p.object.as_deref(), Some("/api/ml/3"));
        let (_, p) = how("GET", "/api/storages/export/redis/9").unwrap();
        assert_eq!(p.object.as_deref(), Some("/api/storages/export/redis/9"));
    }

    #[test]
    fn unmapped_requests_find_no_row() {
        for (m, p) in [
            ("GET", "/API/projects/1/"),
            ("GET", "/api/Projects/1/"),
            ("PATCH", "/api/users/1/"),
            ("GET", "/api/projects/1.json/"),
            ("GET", "/api/projects/x/"),
            ("GET", "/api/annotations/1/"),
            ("OPTIONS", "/api/projects/"),
            ("GET", "/api/projects/1/export/extra"),
            ("GET", "/__labelgate/decide"),
            ("GET", "/api/storages/"),
            ("GET", "/admin/"),
            ("GET", "/"),
        ] {
            assert!(how(m, p).is_none(), "{m} {p}");
        }
    }
}
