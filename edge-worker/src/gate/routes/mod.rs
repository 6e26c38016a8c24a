//! The route table as data: method + path pattern -> how the request is decided. Every
//! route of Label Studio is classified here (`table.rs`): public, an action, served by the
//! Worker, or denied on purpose with a one-line reason; the Label Studio tests check that
//! the installed server has no route this table does not classify. The first matching row
//! wins; a request no row matches is denied.
//!
//! Patterns are written without the trailing slash (the server accepts both) and match the
//! canonical segments of [`crate::http::path::canonical_segments`]. A pattern segment is one of:
//! - `name`: that literal segment (routes are case-sensitive);
//! - `(a|b)`: one of the literals;
//! - `pre*`: a segment starting with `pre`; `*` alone: any one segment;
//! - `**`: the rest of the path, zero or more segments (last only);
//! - `{org}`, `{workspace}`, `{project}`, `{member}`, `{subject}`, `{n}`: an integer id
//!   (leading zeros allowed) that names the organization, the workspace, the project, the
//!   member a role change or removal is about, the user whose data it is, or nothing;
//! - `{obj}` / `{obj-}`: the integer id of a task, annotation, draft, prediction, ML backend,
//!   webhook, storage, file upload, import, review or view: the Worker asks the origin for
//!   the object at the path so far (with a trailing slash, or without one for `{obj-}`, as
//!   the server's route is written) to learn its project;
//! - `{annotation}`: the integer id of an annotation, described at `/api/annotations/{id}/`;
//! - `{child}`: the integer id of an object the server looks up within the path's project
//!   (an export): the origin must describe it at the path so far, or the request is refused;
//! - `{name}`: any one segment, kept as a name (a Data Manager action id).

use crate::http::path::parse_id;

mod row;
mod table;

#[cfg(feature = "test-endpoints")]
pub use row::Test;
pub use row::{Admin, Door, FrontRow, How, ListKind, Narrow, Operator, OwnRead, Row, Server};
pub use table::{FRONT, TABLE};

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
    /// `{obj}`: the origin paths that describe the objects, e.g. `/api/tasks/5/`, in order.
    pub objects: Vec<String>,
    /// `{child}`: origin paths that describe an object only if it belongs to the path's
    /// project (the server finds it within that project).
    pub children: Vec<String>,
    /// `{name}`: a name, e.g. a Data Manager action id.
    pub name: Option<String>,
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

/// The front door the canonical `segments` name, if any (`FRONT`).
pub fn front_door(segments: &[String]) -> Option<Door> {
    FRONT
        .iter()
        .find(|r| match_segments(r.path, segments.iter().map(String::as_str)).is_some())
        .map(|r| r.door)
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
        if name == "name" {
            params.name = Some(seg.to_owned());
            return Some(true);
        }
        let id = parse_id(seg)?;
        let slot = match name {
            "org" => &mut params.org,
            "workspace" => &mut params.workspace,
            "project" => &mut params.project,
            "member" => &mut params.member,
            "subject" => &mut params.subject,
            "obj" | "obj-" => {
                let slash = if name == "obj" { "/" } else { "" };
                params.objects.push(format!("{so_far}/{id}{slash}"));
                return Some(true);
            }
            "annotation" => {
                params.objects.push(format!("/api/annotations/{id}/"));
                return Some(true);
            }
            "task" => {
                params.objects.push(format!("/api/tasks/{id}/"));
                return Some(true);
            }
            "child" => {
                params.children.push(format!("{so_far}/{id}"));
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
    use crate::http::path::canonical_segments;
    use Action as A;
    use How::{Act, Authored, List};
    use policy_core::Action;

    fn how(method: &str, path: &str) -> Option<(How, Params)> {
        let segs = canonical_segments(path).unwrap();
        find(TABLE, method, &segs).map(|m| (m.row.how, m.params))
    }

    fn act(method: &str, path: &str) -> Option<Action> {
        match how(method, path)?.0 {
            Act(a) | Authored(a) | How::ReadOr(a, _) | How::Page(a) | How::Either(a, _) => Some(a),
            _ => None,
        }
    }

    #[test]
    fn rows_map_to_their_actions() {
        for (method, path, action) in [
            ("GET", "/api/projects/1000/export", A::ProjectExport),
            ("GET", "/api/projects/01000/export/", A::ProjectExport),
            ("POST", "/api/projects/1000/exports/", A::ProjectExport),
            ("DELETE", "/api/projects/1000/exports/7", A::ProjectExport),
            ("HEAD", "/api/projects/1000/", A::ProjectView),
            (
                "GET",
                "/api/projects/1/stats/agreement_matrix",
                A::ProjectMonitorAgreement,
            ),
            (
                "GET",
                "/api/projects/1/stats/IAA",
                A::ProjectMonitorAgreement,
            ),
            (
                "GET",
                "/api/projects/1/stats/member_performance",
                A::ProjectViewPerformance,
            ),
            ("GET", "/api/projects/1/stats/finished", A::AnalyticsView),
            ("GET", "/api/users/12.json", A::OrgViewMembers),
            ("GET", "/api/users.json", A::OrgViewMembers),
            ("GET", "/api/storages/s3/5/", A::ProjectImport),
            ("POST", "/api/storages/export/gcs/5/sync", A::ProjectExport),
            ("GET", "/api/storages/types", A::OrgApiAccess),
            ("GET", "/api/dm/views/8/", A::ProjectViewData),
            ("PATCH", "/api/dm/views/8/", A::ProjectViewData),
            ("DELETE", "/api/dm/views/8/", A::ProjectUpdate),
            ("DELETE", "/api/dm/views/reset/", A::ProjectUpdate),
            ("DELETE", "/api/dm/views/reset.json", A::ProjectUpdate),
            ("POST", "/api/dm/views/order/", A::ProjectViewData),
            ("GET", "/api/tasks/5/", A::ProjectViewData),
            ("PATCH", "/api/tasks/5/", A::ProjectUpdate),
            ("DELETE", "/api/tasks/5/", A::ProjectUpdate),
            ("DELETE", "/api/projects/5/tasks/", A::ProjectUpdate),
            ("GET", "/api/annotations/5/", A::AnnotationUpdate),
            ("PATCH", "/api/drafts/5/", A::AnnotationUpdate),
            ("DELETE", "/api/predictions/5/", A::ProjectUpdate),
            ("GET", "/api/predictions/5.json", A::ProjectViewData),
            ("POST", "/api/ml/3/interactive-annotating", A::ProjectLabel),
            ("POST", "/api/ml/3/predict/test", A::ProjectUpdate),
            ("GET", "/api/ml/3/versions", A::ProjectUpdate),
            ("POST", "/api/projects/3/summary/reset/", A::ProjectUpdate),
            (
                "DELETE",
                "/api/projects/3/model-versions/",
                A::ProjectUpdate,
            ),
            ("GET", "/api/projects/3/model-versions/", A::ProjectView),
            ("DELETE", "/api/projects/3/file-uploads", A::ProjectImport),
            ("POST", "/api/users/", A::OrgInvite),
            ("PATCH", "/api/labels/4/", A::OrgSaveTemplate),
            ("GET", "/api/billing/info", A::OrgViewBilling),
            ("POST", "/api/billing/x", A::OrgViewBilling),
        ] {
            assert_eq!(act(method, path), Some(action), "{method} {path}");
        }
        assert_eq!(
            how("GET", "/api/projects/").unwrap().0,
            List(ListKind::Projects)
        );
        assert_eq!(
            how("PATCH", "/api/projects/7").unwrap().0,
            How::ProjectPatch
        );
        assert_eq!(how("PATCH", "/api/users/7/").unwrap().0, How::SelfOnly);
        assert_eq!(
            how("POST", "/api/users/7/avatar/").unwrap().0,
            How::SelfOnly
        );
        assert_eq!(how("POST", "/api/dm/actions/").unwrap().0, How::DmAction);
        assert_eq!(how("GET", "/api/dm/actions/").unwrap().0, How::DmActions);
        assert_eq!(
            how("GET", "/api/dm/actions/delete_tasks/form/").unwrap().0,
            How::DmAction
        );
        assert!(matches!(
            how("GET", "/api/webhooks/4/").unwrap().0,
            How::ProjectOr(..)
        ));
        assert!(matches!(
            how("POST", "/api/labels/bulk").unwrap().0,
            How::ProjectOr(..)
        ));
        assert!(matches!(
            how("POST", "/api/storages/s3/validate").unwrap().0,
            How::StorageCheck(A::ProjectImport)
        ));
    }

    #[test]
    fn writes_never_share_a_row_with_reads() {
        for row in TABLE {
            if matches!(row.how, How::Deny(_)) {
                continue;
            }
            let methods: Vec<&str> = row.methods.split('|').collect();
            assert!(
                row.methods != "*",
                "{} {}: `*` is for denied rows only",
                row.methods,
                row.path
            );
            let reads = methods.contains(&"GET");
            let writes = methods.iter().any(|m| *m != "GET");
            if reads && writes {
                // The same decision for reading and changing: only the member's own data,
                // or rows whose read reveals as much as the write changes.
                let allowed = matches!(
                    row.how,
                    How::Authored(_)
                        | How::Public
                        | How::Signup
                        | How::ProjectOr(..)
                        | Act(A::OrgApiAccess
                            | A::OrgChangeRole
                            | A::ProjectUpdate
                            | A::ProjectImport
                            | A::ProjectExport
                            | A::ProjectLabel
                            | A::ProjectViewData)
                );
                assert!(
                    allowed,
                    "{} {} mixes reads and writes",
                    row.methods, row.path
                );
            }
        }
    }

    #[test]
    fn params_name_ids_and_objects() {
        let (_, p) = how("DELETE", "/api/organizations/0/memberships/014/").unwrap();
        assert_eq!((p.org, p.member), (Some(0), Some(14)));
        let (_, p) = how("GET", "/api/projects/1000/users/14/stats/x").unwrap();
        assert_eq!((p.project, p.subject), (Some(1000), Some(14)));
        let (_, p) = how("PATCH", "/api/annotations/0042").unwrap();
        assert_eq!(p.objects, ["/api/annotations/42/"]);
        let (_, p) = how("POST", "/api/ml/3/train").unwrap();
        assert_eq!(p.objects, ["/api/ml/3"]);
        let (_, p) = how("GET", "/api/storages/export/redis/9").unwrap();
        assert_eq!(p.objects, ["/api/storages/export/redis/9"]);
        let (_, p) = how("POST", "/api/tasks/5/annotations/7/drafts").unwrap();
        assert_eq!(p.objects, ["/api/tasks/5/", "/api/annotations/7/"]);
        let (_, p) = how("POST", "/api/projects/4/exports/77/convert").unwrap();
        assert_eq!(
            (p.project, p.children.clone()),
            (Some(4), vec![String::from("/api/projects/4/exports/77")])
        );
        let (_, p) = how("GET", "/api/dm/actions/remove_duplicates/form").unwrap();
        assert_eq!(p.name.as_deref(), Some("remove_duplicates"));
        let (_, p) = how("POST", "/api/storages/export/azure/validate").unwrap();
        assert_eq!(p.name.as_deref(), Some("azure"));
    }

    #[test]
    fn operator_tools_and_pages_are_denied_on_purpose() {
        for (m, p) in [
            ("GET", "/admin/"),
            ("POST", "/admin/users/user/1/change/"),
            ("GET", "/django-rq/queues/0/"),
            ("GET", "/api/"),
            ("GET", "/api/dm/"),
            ("GET", "/api-auth/login/"),
            ("OPTIONS", "/api/projects/"),
            ("POST", "/api/organizations/"),
            ("GET", "/api/auth/export/"),
            ("POST", "/api/fsm/entities/task/5/transition/"),
            ("DELETE", "/api/import/file-upload/9"),
        ] {
            assert!(
                matches!(how(m, p).map(|h| h.0), Some(How::Deny(_))),
                "{m} {p}"
            );
        }
    }

    #[test]
    fn unmapped_requests_find_no_row() {
        for (m, p) in [
            ("GET", "/API/projects/1/"),
            ("GET", "/api/Projects/1/"),
            ("GET", "/api/projects/1.json/"),
            ("GET", "/api/projects/x/"),
            ("GET", "/api/projects/1/export/extra"),
            ("GET", "/__labelgate/decide"),
            ("PUT", "/api/dm/actions/"),
            ("DELETE", "/api/projects/1/next/"),
            ("GET", "/api/storages/s3/validate"),
        ] {
            assert!(how(m, p).is_none(), "{m} {p}");
        }
    }

    #[test]
    fn front_doors_are_rows_too() {
        let door = |p: &str| front_door(&canonical_segments(p).unwrap());
        assert_eq!(
            door("/api/labelgate/import"),
            Some(Door::Operator(Operator::Import))
        );
        assert_eq!(
            door("/api/labelgate/stats/"),
            Some(Door::Operator(Operator::Stats))
        );
        assert_eq!(door("/__labelgate/ui/ui.js"), Some(Door::Asset));
        assert_eq!(door("/__labelgate/ui/pkg/labelgate.js"), Some(Door::Asset));
        assert_eq!(door("/__labelgate/ui"), None);
        assert_eq!(door("/api/labelgate/me"), None);
        #[cfg(not(feature = "test-endpoints"))]
        assert_eq!(door("/__labelgate/decide"), None);
        #[cfg(feature = "test-endpoints")]
        assert_eq!(door("/__labelgate/decide"), Some(Door::Test(Test::Decide)));
    }
}
