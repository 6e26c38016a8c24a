//! The default route table: every route of Label Studio 1.23.2 (Community, and the
//! Enterprise routes of `label-studio-api.md`), most specific rows first. Reads and writes
//! are separate rows; each write names the action a Label Studio Enterprise user would
//! expect for what it does. `tests/labelstudio/test_routes.py` reads the installed server's
//! URL patterns and fails on any method and path this table does not classify.

use policy_core::Action as A;

use super::row::How::{self, Act, Authored, Deny, File, List, Page, ProjectOr, StorageCheck};
#[cfg(feature = "test-endpoints")]
use super::row::Test;
use super::row::{Admin, Door, FrontRow, ListKind, Narrow, Operator, OwnRead, Row, Server};

const fn row(methods: &'static str, path: &'static str, how: How) -> Row {
    Row {
        methods,
        path,
        how,
        suffix: false,
        active_org: true,
        server: server_of(how),
    }
}

/// Who answers a row unless it says otherwise: a list's filter, the Data Manager's menu,
/// else Label Studio.
const fn server_of(how: How) -> Server {
    match how {
        List(kind) => Server::List(kind),
        How::DmActions => Server::DmActions,
        _ => Server::Origin,
    }
}

/// A row answered by `server` once allowed.
const fn by(server: Server, r: Row) -> Row {
    Row { server, ..r }
}

/// A row of the administration API.
const fn admin(route: Admin, r: Row) -> Row {
    by(Server::Admin(route), r)
}

/// A task read narrowed for members who may view only their own tasks.
const fn own(read: OwnRead, r: Row) -> Row {
    by(Server::Own(read), r)
}

/// A row whose last segment may carry a DRF format suffix (`/api/users/1.json`).
const fn suffixed(methods: &'static str, path: &'static str, how: How) -> Row {
    Row {
        suffix: true,
        ..row(methods, path, how)
    }
}

/// A row Label Studio does not run in the member's active organization: the member's own
/// account, or what the Worker serves from its store or activity log.
const fn mine(r: Row) -> Row {
    Row {
        active_org: false,
        ..r
    }
}

const WRITE: &str = "POST|PATCH|PUT|DELETE";

/// Why the browsable API's roots are closed.
const API_ROOT: &str = "the browsable API's index of endpoints: no client needs it";
/// Why some files of the web UI are closed.
const NO_PROJECT: &str = "a file of the web UI that names no project LabelGate could decide on: serve it from a project's storage";
/// Why Django's admin and the server's operator tools are closed.
const OPERATOR: &str =
    "a tool for the server's operator: use it on the server itself, not through LabelGate";

/// The default route table.
#[rustfmt::skip]
pub static TABLE: &[Row] = &[
    // ---- Public: no identity.
    row("GET", "/health", How::Public),
    row("GET", "/api/version", How::Public),
    row("GET", "/version", How::Public),
    // Signup: gated by `disable_signup_without_link` and the invite token.
    row("GET|POST", "/user/signup", How::Signup),

    // ---- The member's own account: API access, self only.
    mine(row("GET", "/api/current-user/(whoami|token)", Act(A::OrgApiAccess))),
    mine(row("POST", "/api/current-user/reset-token", Act(A::OrgApiAccess))),
    mine(row("GET|PATCH", "/api/current-user/hotkeys", Act(A::OrgApiAccess))),
    mine(row("GET|PATCH|PUT", "/api/current-user/product-tour", Act(A::OrgApiAccess))),
    mine(row("GET|POST", "/api/token", Act(A::OrgApiAccess))),
    mine(row("POST", "/api/token/(refresh|blacklist)", How::RefreshToken)),
    mine(row("POST", "/api/token/rotate", Act(A::OrgApiAccess))),
    mine(suffixed("PATCH|PUT", "/api/users/{member}", How::SelfOnly)),
    mine(suffixed("POST|DELETE", "/api/users/{member}/avatar", How::SelfOnly)),

    // ---- The organization, its members and settings.
    row("GET", "/api/organizations", Act(A::OrgViewMembers)),
    row("POST", "/api/organizations", Deny("a new organization is created by its owner's signup, not through the API")),
    row("GET", "/api/organizations/{org}", Act(A::OrgViewMembers)),
    admin(Admin::OrgSettings, row("PATCH|PUT", "/api/organizations/{org}", Act(A::OrgChangeRole))),
    admin(Admin::Memberships, row("GET", "/api/organizations/{org}/memberships", Act(A::OrgViewMembers))),
    admin(Admin::SetRole, mine(row("POST|PATCH", "/api/organizations/{org}/memberships", How::Membership))),
    admin(Admin::Membership, mine(row("GET", "/api/organizations/{org}/memberships/{member}", Act(A::OrgViewMembers)))),
    admin(Admin::RemoveMember, mine(row("DELETE", "/api/organizations/{org}/memberships/{member}", Act(A::OrgRemoveMember)))),
    // The Data Manager reads both for every member: the rest get themselves, or nothing.
    suffixed("GET", "/api/users", How::ReadOr(A::OrgViewMembers, Narrow::OwnUser)),
    suffixed("POST", "/api/users", Act(A::OrgInvite)),
    suffixed("GET", "/api/users/{member}", Act(A::OrgViewMembers)),
    suffixed("DELETE", "/api/users/{member}", Act(A::OrgRemoveMember)),
    row("GET|POST", "/api/jwt/settings", Act(A::OrgChangeRole)),
    row("GET|PATCH", "/api/session-policy", Act(A::OrgChangeRole)),
    admin(Admin::Invite, row("GET", "/api/invite", Act(A::OrgInvite))),
    admin(Admin::Invite, row("POST", "/api/invite/(reset-token|send-email)", Act(A::OrgInvite))),
    row("GET", "/api/billing/**", Act(A::OrgViewBilling)),
    row(WRITE, "/api/billing/**", Act(A::OrgViewBilling)),
    by(Server::ActivityLog, mine(row("GET", "/api/activity-logs", Act(A::OrgViewActivityLog)))),
    row("GET", "/api/project-templates/**", Act(A::OrgApiAccess)),
    row(WRITE, "/api/project-templates/**", Act(A::OrgSaveTemplate)),
    row("GET", "/api/templates", Act(A::OrgApiAccess)),
    // Organization-wide labels (the labels manager): read by anyone, changed by those who
    // manage the organization's projects' settings.
    // Renaming a label in the annotations of one project, or (no project) of all of them.
    row("POST", "/api/labels/bulk", ProjectOr(A::ProjectUpdate, A::OrgChangeRole)),
    suffixed("GET", "/api/(labels|label_links)", Act(A::OrgApiAccess)),
    suffixed("GET", "/api/(labels|label_links)/{n}", Act(A::OrgApiAccess)),
    suffixed(WRITE, "/api/(labels|label_links)/**", Act(A::OrgSaveTemplate)),

    // ---- Workspaces (Enterprise).
    admin(Admin::Workspaces, mine(row("GET", "/api/workspaces", List(ListKind::Workspaces)))),
    admin(Admin::CreateWorkspace, mine(row("POST", "/api/workspaces", Act(A::OrgCreateWorkspace)))),
    admin(Admin::Workspace, row("GET", "/api/workspaces/{workspace}", Act(A::WorkspaceView))),
    admin(Admin::RenameWorkspace, row("PATCH|PUT", "/api/workspaces/{workspace}", Act(A::WorkspaceUpdate))),
    admin(Admin::DeleteWorkspace, row("DELETE", "/api/workspaces/{workspace}", Act(A::WorkspaceDelete))),
    admin(Admin::WorkspaceMembers, row("GET", "/api/workspaces/{workspace}/memberships", Act(A::WorkspaceView))),
    admin(Admin::WorkspaceMembership, row("POST|DELETE", "/api/workspaces/{workspace}/memberships", Act(A::WorkspaceManageMembers))),

    // ---- Projects.
    row("GET", "/api/projects", List(ListKind::Projects)),
    row("POST", "/api/projects", How::CreateProject),
    row("GET", "/api/projects/counts", List(ListKind::ProjectCounts)),
    // Checks a labeling config; reads and writes nothing (the create-project dialog).
    row("POST", "/api/projects/validate", Act(A::OrgApiAccess)),
    row("POST|PATCH", "/api/projects/roles", How::ProjectRoles),
    row("GET", "/api/projects/{project}", Act(A::ProjectView)),
    admin(Admin::ProjectPatch, row("PATCH|PUT", "/api/projects/{project}", How::ProjectPatch)),
    row("DELETE", "/api/projects/{project}", Act(A::ProjectDelete)),
    row("GET", "/api/projects/{project}/(summary|annotators|model-versions)", Act(A::ProjectView)),
    row("POST", "/api/projects/{project}/summary/reset", Act(A::ProjectUpdate)),
    row("DELETE", "/api/projects/{project}/model-versions", Act(A::ProjectUpdate)),
    row("GET|POST", "/api/projects/{project}/(validate|sample-task)", Act(A::ProjectUpdate)),
    row("POST", "/api/projects/{project}/duplicate", How::Duplicate),
    row("POST", "/api/projects/{project}/(import|reimport)", Act(A::ProjectImport)),
    row("POST", "/api/projects/{project}/import/predictions", Act(A::ProjectImport)),
    // The server finds an import by its id alone: its project is a source too.
    row("GET", "/api/projects/{project}/(imports|reimports)/{obj}", Act(A::ProjectImport)),
    row("GET|DELETE", "/api/projects/{project}/file-uploads", Act(A::ProjectImport)),
    row("POST", "/api/projects/{project}/tasks/bulk", Act(A::ProjectImport)),
    admin(Admin::Assignees, row("POST|DELETE", "/api/projects/{project}/tasks/assignees", How::Assignees)),
    admin(Admin::ProjectMembers, row("GET", "/api/projects/{project}/members", Act(A::ProjectView))),
    admin(Admin::ProjectMembership, row("POST|DELETE", "/api/projects/{project}/members", Act(A::ProjectUpdate))),
    own(OwnRead::Unfilterable, row("GET", "/api/projects/{project}/tasks", Act(A::ProjectViewData))),
    row("POST", "/api/projects/{project}/tasks", Act(A::ProjectImport)),
    row("DELETE", "/api/projects/{project}/tasks", Act(A::ProjectUpdate)),
    row("GET", "/api/projects/{project}/export", Act(A::ProjectExport)),
    row("GET", "/api/projects/{project}/export/(formats|files)", Act(A::ProjectExport)),
    row("GET|POST", "/api/projects/{project}/exports", Act(A::ProjectExport)),
    row("GET|DELETE", "/api/projects/{project}/exports/{n}", Act(A::ProjectExport)),
    row("GET", "/api/projects/{project}/exports/{n}/download", Act(A::ProjectExport)),
    // The server finds the export to convert by its id alone: it must be the path project's.
    row("POST", "/api/projects/{project}/exports/{child}/convert", Act(A::ProjectExport)),
    row("GET", "/api/projects/{project}/(next|label-stream-history)", Act(A::ProjectLabel)),
    row("GET", "/api/projects/{project}/stats/agreement*/**", Act(A::ProjectMonitorAgreement)),
    row("GET", "/api/projects/{project}/stats/IAA", Act(A::ProjectMonitorAgreement)),
    row("GET", "/api/projects/{project}/stats/member_performance*/**", Act(A::ProjectViewPerformance)),
    row("GET", "/api/projects/{project}/stats/**", Act(A::AnalyticsView)),
    row("GET", "/api/projects/{project}/users/{subject}/stats/**", Act(A::ProjectViewPerformance)),
    row("GET", "/api/auth/export", Deny("nginx's `auth_request` hook for export files: no client calls it")),

    // ---- Tasks, annotations, drafts, predictions: the project is looked up at the origin.
    own(OwnRead::List, row("GET", "/api/tasks", Act(A::ProjectViewData))),
    row("POST", "/api/tasks", Act(A::ProjectImport)),
    own(OwnRead::Task, row("GET", "/api/tasks/{obj}", Act(A::ProjectViewData))),
    row("PATCH|PUT|DELETE", "/api/tasks/{obj}", Act(A::ProjectUpdate)),
    own(OwnRead::Task, row("GET|POST", "/api/tasks/{obj}/annotations", Act(A::ProjectLabel))),
    // A task's drafts are every member's work in progress: reviewing, not labeling.
    row("GET", "/api/tasks/{obj}/drafts", Act(A::ProjectReview)),
    row("POST", "/api/tasks/{obj}/drafts", Act(A::ProjectLabel)),
    row("GET", "/api/tasks/{obj}/annotations/{annotation}/drafts", Act(A::ProjectReview)),
    // A draft of an annotation is an edit of it: its author's, or a reviewer's and up.
    row("POST", "/api/tasks/{obj}/annotations/{annotation}/drafts", Authored(A::AnnotationUpdate)),
    row("GET", "/api/tasks/{obj}/agreement", Act(A::ProjectMonitorAgreement)),
    // An annotation or a draft: its author may read and change it; reviewers and up, any.
    row("GET|PATCH|PUT|DELETE", "/api/annotations/{obj}", Authored(A::AnnotationUpdate)),
    row("GET|POST", "/api/annotations/{obj}/convert-to-draft", Authored(A::AnnotationUpdate)),
    row("GET|PATCH|PUT|DELETE", "/api/drafts/{obj}", Authored(A::AnnotationUpdate)),
    own(OwnRead::Predictions, suffixed("GET", "/api/predictions", Act(A::ProjectViewData))),
    suffixed("POST", "/api/predictions", Act(A::ProjectImport)),
    own(OwnRead::Task, suffixed("GET", "/api/predictions/{obj}", Act(A::ProjectViewData))),
    suffixed("PATCH|PUT|DELETE", "/api/predictions/{obj}", Act(A::ProjectUpdate)),
    row("GET", "/api/annotation-reviews", Act(A::ProjectReview)),
    row("POST", "/api/annotation-reviews", Act(A::ProjectReview)),
    row("GET", "/api/annotation-reviews/{obj}/**", Act(A::ProjectReview)),
    row(WRITE, "/api/annotation-reviews/{obj}/**", Act(A::ProjectVerifyAnnotations)),
    row("GET|PATCH|PUT|DELETE", "/api/import/file-upload/{n}", Deny("Label Studio does not say which project an upload named by its id alone belongs to: use /api/projects/{id}/file-uploads")),
    row("GET", "/api/fsm/entities/*/{n}/history", Deny("the state-machine API: no client of Community uses it")),
    row("POST", "/api/fsm/entities/*/{n}/transition", Deny("the state-machine API: no client of Community uses it")),

    // ---- Cloud storages: import storages are `project.import`, export storages
    // `project.export`; the project is in the query (lists), the body (create, validate,
    // list files; with the body's `id`, that storage's too) or the storage.
    row("GET", "/api/storages/types", Act(A::OrgApiAccess)),
    row("GET", "/api/storages/export/types", Act(A::OrgApiAccess)),
    row("GET", "/api/storages/export", Act(A::ProjectExport)),
    row("GET", "/api/storages/export/*/form", Act(A::OrgApiAccess)),
    row("GET|POST", "/api/storages/export/(s3|gcs|azure|redis|localfiles)", Act(A::ProjectExport)),
    row("POST", "/api/storages/export/{name}/validate", StorageCheck(A::ProjectExport)),
    row("GET|PATCH|PUT|DELETE", "/api/storages/export/(s3|gcs|azure|redis|localfiles)/{obj-}", Act(A::ProjectExport)),
    row("POST", "/api/storages/export/(s3|gcs|azure|redis|localfiles)/{obj-}/sync", Act(A::ProjectExport)),
    row("GET", "/api/storages", Act(A::ProjectImport)),
    row("GET", "/api/storages/*/form", Act(A::OrgApiAccess)),
    row("GET|POST", "/api/storages/(s3|gcs|azure|redis|localfiles)", Act(A::ProjectImport)),
    row("POST", "/api/storages/{name}/(validate|files)", StorageCheck(A::ProjectImport)),
    row("GET|PATCH|PUT|DELETE", "/api/storages/(s3|gcs|azure|redis|localfiles)/{obj-}", Act(A::ProjectImport)),
    row("POST", "/api/storages/(s3|gcs|azure|redis|localfiles)/{obj-}/sync", Act(A::ProjectImport)),

    // ---- ML backends: project settings, but annotators label with interactive models.
    row("GET", "/api/ml", How::ReadOr(A::ProjectUpdate, Narrow::Empty)),
    row("POST", "/api/ml", Act(A::ProjectUpdate)),
    row("GET|PATCH|PUT|DELETE", "/api/ml/{obj-}", Act(A::ProjectUpdate)),
    row("POST", "/api/ml/{obj-}/train", Act(A::ProjectUpdate)),
    row("POST", "/api/ml/{obj-}/predict/test", Act(A::ProjectUpdate)),
    row("POST", "/api/ml/{obj-}/interactive-annotating", Act(A::ProjectLabel)),
    row("GET", "/api/ml/{obj-}/versions", Act(A::ProjectUpdate)),

    // ---- Webhooks: a project's are its settings; the organization's (no project), its
    // settings.
    row("GET", "/api/webhooks/info", Act(A::OrgApiAccess)),
    row("GET|POST", "/api/webhooks", ProjectOr(A::ProjectUpdate, A::OrgChangeRole)),
    row("GET|PATCH|PUT|DELETE", "/api/webhooks/{obj}", ProjectOr(A::ProjectUpdate, A::OrgChangeRole)),

    // ---- The Data Manager. Tabs are shared by the project: arranging them is using the
    // Data Manager, dropping them is managing the project. Actions are decided by their id.
    suffixed("GET", "/api/dm", Deny(API_ROOT)),
    row("GET", "/api/dm/actions", How::DmActions),
    own(OwnRead::Chosen, row("POST", "/api/dm/actions", How::DmAction)),
    row("GET", "/api/dm/actions/{name}/form", How::DmAction),
    // The Data Manager's frame (its columns, tabs and settings, no task) is read by those who
    // label through it too; its task list needs `project.view_data`.
    row("GET", "/api/dm/(columns|project)", How::Either(A::ProjectViewData, A::ProjectLabel)),
    suffixed("DELETE", "/api/dm/views/reset", Act(A::ProjectUpdate)),
    suffixed("POST", "/api/dm/views/order", Act(A::ProjectViewData)),
    suffixed("GET", "/api/dm/views", How::Either(A::ProjectViewData, A::ProjectLabel)),
    suffixed("POST", "/api/dm/views", Act(A::ProjectViewData)),
    suffixed("GET", "/api/dm/views/{obj}", How::Either(A::ProjectViewData, A::ProjectLabel)),
    suffixed("PATCH|PUT", "/api/dm/views/{obj}", Act(A::ProjectViewData)),
    suffixed("DELETE", "/api/dm/views/{obj}", Act(A::ProjectUpdate)),

    // ---- LabelGate's own, served by the Worker: the member's slice, the journal of the
    // store's changes, SSO/SCIM group mappings.
    by(Server::Me, mine(row("GET", "/api/labelgate/me", Act(A::OrgApiAccess)))),
    admin(Admin::Members, mine(row("GET", "/api/labelgate/members", Act(A::OrgViewMembers)))),
    admin(Admin::Journal, mine(row("GET", "/api/labelgate/journal", Act(A::OrgViewActivityLog)))),
    admin(Admin::GroupMappings, mine(row("GET", "/api/labelgate/group-mappings", Act(A::OrgChangeRole)))),
    admin(Admin::GroupMappings, mine(row("POST|DELETE", "/api/labelgate/group-mappings", Act(A::OrgChangeRole)))),

    // ---- Analytics (Enterprise).
    row("GET", "/api/analytics/**", Act(A::AnalyticsView)),

    // ---- Denied on purpose.
    suffixed("GET", "/api", Deny(API_ROOT)),
    row("GET", "/api/.*", Deny(API_ROOT)),
    row("GET", "/api/dm/.*", Deny(API_ROOT)),
    row(WRITE, "/(health|version)", Deny("the server's status answers reads only")),
    row(WRITE, "/api/version", Deny("the server's status answers reads only")),
    row("*", "/api-auth/**", Deny("the browsable API's own sign-in: sign in at /user/login/")),
    row("*", "/admin/**", Deny(OPERATOR)),
    row("*", "/django-rq/**", Deny(OPERATOR)),
    row("*", "/metrics", Deny(OPERATOR)),
    row("*", "/trigger500", Deny("a route that only raises a server error")),
    row("*", "/__lsa", Deny("usage analytics of the web UI: not collected through LabelGate")),
    row("*", "/(docs|swagger|swagger.json|swagger.yaml)/**", Deny("the API's documentation: read it on the server")),

    // ---- The web UI: public assets, sign-in, pages (src/pages/), files.
    row("GET", "/(static|react-app|label-studio-frontend|dm|samples)/**", How::Public),
    row("GET", "/(sw.js|sw-fallback.js|favicon.ico)", How::Public),
    row("GET|POST", "/user/login", How::Public),
    row("GET", "/logout", How::Public),
    row("GET", "/(feature-flags|heidi-tips)", Act(A::OrgApiAccess)),
    row("GET", "/", Page(A::OrgApiAccess)),
    row("GET", "/projects", Page(A::OrgApiAccess)),
    row("GET", "/projects/{project}/data/import", Page(A::ProjectImport)),
    row("GET", "/projects/{project}/data/export", Page(A::ProjectExport)),
    row("GET", "/projects/{project}/settings/danger-zone", Page(A::ProjectDelete)),
    row("GET", "/projects/{project}/settings/**", Page(A::ProjectUpdate)),
    row("GET", "/projects/{project}/(resolve|presign)", File(A::ProjectViewData, A::ProjectLabel)),
    row("GET", "/projects/{project}/**", Page(A::ProjectView)),
    row("GET", "/(organization|people|models)/**", Page(A::OrgViewMembers)),
    row("GET", "/user/account/**", Page(A::OrgApiAccess)),
    by(Server::ActivityPage, row("GET", "/labelgate/activity", Page(A::OrgViewActivityLog))),
    row("GET", "/data/upload/{project}/*", File(A::ProjectViewData, A::ProjectLabel)),
    row("GET", "/tasks/{task}/(resolve|presign)", File(A::ProjectViewData, A::ProjectLabel)),
    row("*", "/(data|storage-data)/**", Deny(NO_PROJECT)),
    row("*", "/(projects|organization|people|models|user|logout|tasks|static|react-app|label-studio-frontend|dm|samples|feature-flags|heidi-tips)/**", Deny("the web UI answers reads only here")),
    row("*", "/(sw.js|sw-fallback.js|favicon.ico)", Deny("the web UI answers reads only here")),
    row("*", "/", Deny("the web UI answers reads only here")),
    row("OPTIONS", "/**", Deny("CORS preflight and DRF metadata: clients of LabelGate are same-origin")),
];

/// The front doors, matched before the route table.
#[rustfmt::skip]
pub static FRONT: &[FrontRow] = &[
    FrontRow { path: "/__labelgate/ui/*/**", door: Door::Asset },
    FrontRow { path: "/api/labelgate/import", door: Door::Operator(Operator::Import) },
    FrontRow { path: "/api/labelgate/export", door: Door::Operator(Operator::Export) },
    FrontRow { path: "/api/labelgate/bootstrap", door: Door::Operator(Operator::Bootstrap) },
    FrontRow { path: "/api/labelgate/stats", door: Door::Operator(Operator::Stats) },
    #[cfg(feature = "test-endpoints")]
    FrontRow { path: "/__labelgate/decide", door: Door::Test(Test::Decide) },
    #[cfg(feature = "test-endpoints")]
    FrontRow { path: "/__labelgate/store-slice", door: Door::Test(Test::StoreSlice) },
    #[cfg(feature = "test-endpoints")]
    FrontRow { path: "/__labelgate/store-write", door: Door::Test(Test::StoreWrite) },
];
