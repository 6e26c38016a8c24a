//! What a row of the route table says: how a matched request is decided ([`How`]), and who
//! answers it once allowed ([`Server`]).

use policy_core::Action;

/// How a matched request is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// No identity needed (`/health`, `/api/version/`).
    Public,
    /// `GET|POST /user/signup/`: `org.signup` for anyone, with the query's invite `token`
    /// (see [`crate::serve::signup`]).
    Signup,
    /// One action; the resource comes from the path, the query or the body.
    Act(Action),
    /// One action on an object of the path whose author is the subject: the annotation's
    /// `completed_by`, the draft's `user` (own-scoped actions).
    Authored(Action),
    /// `org.api_access` on the member's own account only: the path's `{member}` must be the
    /// member (`PATCH /api/users/{id}/`, avatars).
    SelfOnly,
    /// The first action on the project the request names; with no project (the query, the
    /// body and the object name none), the second at the organization level (webhooks).
    ProjectOr(Action, Action),
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
    /// A Data Manager action (`POST /api/dm/actions/?id=..&project=..`, or the `{name}` of
    /// its form): decided as the action its id means ([`crate::gate::dm`]); an id the table
    /// does not know is denied.
    DmAction,
    /// `GET /api/dm/actions/?project=..`: the menu of Data Manager actions, answered with
    /// only the actions the member may run.
    DmActions,
    /// A storage check (`validate`, `files`): the action on the body's `project`, and on
    /// the project of the stored connection the body's `id` names (of the `{name}` type).
    StorageCheck(Action),
    /// A page of Label Studio's web UI (identity from the session cookie): the action on the
    /// path's project, or at the organization level. A refusal is an HTML page that says why;
    /// no identity is a redirect to the sign-in page; an allowed page gets LabelGate's UI
    /// script ([`crate::serve::pages`]).
    Page(Action),
    /// A file the labeling UI loads (an upload, a resolved or presigned URL): the first action,
    /// or else the second, on the file's project.
    File(Action, Action),
    /// An API read allowed by either action (the Data Manager's frame: viewing the project's
    /// data, or labeling it through its stream).
    Either(Action, Action),
    /// A read the web UI makes of every member: the action; a member refused it who may use
    /// the API gets the narrowed answer instead (their own entry, or nothing), never the rest.
    ReadOr(Action, Narrow),
    /// Never forwarded, whoever asks: the one-line reason.
    Deny(&'static str),
}

/// Who answers an allowed request of a row. Every row names one; `crate::serve` matches them
/// exhaustively, and no route pattern is compared outside this module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    /// Label Studio: the request forwarded (a refused [`How::ReadOr`] read narrowed, a page
    /// given LabelGate's UI script, what it creates or deletes recorded in the store).
    Origin,
    /// A list of the origin's, filtered to the member's reach ([`How::List`]).
    List(ListKind),
    /// The Data Manager's menu of actions, only those the member may run.
    DmActions,
    /// A task read, narrowed for a member who may view only their own tasks (else the origin).
    Own(OwnRead),
    /// A route of the administration API, served from the store (forwarded without one).
    Admin(Admin),
    /// `GET /api/labelgate/me`: the member's slice and who they are.
    Me,
    /// `GET /api/activity-logs`: the activity log (forwarded without its database).
    ActivityLog,
    /// `GET /labelgate/activity`: the activity log's page.
    ActivityPage,
}

/// The task reads narrowed for a member who may view only their own tasks (`crate::serve::own`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnRead {
    /// `GET /api/tasks/?project=`: the list, filtered to the member's tasks.
    List,
    /// `GET /api/projects/{id}/tasks/`: cannot be filtered; refused, naming `GET /api/tasks/` instead.
    Unfilterable,
    /// One task, or what hangs off it: only the member's own.
    Task,
    /// Predictions by `?task=` (else by project: unfilterable).
    Predictions,
    /// A task the Data Manager's `next_task` is asked to choose (`crate::gate::dm`).
    Chosen,
}

/// The routes of the administration API (`crate::admin`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admin {
    /// `GET /api/organizations/{org}/memberships`: the origin's list, with the store's roles.
    Memberships,
    /// `GET /api/labelgate/members`: the store's members, paged.
    Members,
    /// `GET /api/organizations/{org}/memberships/{member}`
    Membership,
    /// `POST|PATCH /api/organizations/{org}/memberships`: a role set.
    SetRole,
    /// `DELETE /api/organizations/{org}/memberships/{member}`
    RemoveMember,
    /// `PATCH|PUT /api/organizations/{org}`: the settings the store keeps.
    OrgSettings,
    /// `GET /api/invite`, `POST /api/invite/(reset-token|send-email)`
    Invite,
    /// `GET /api/labelgate/journal`
    Journal,
    /// `GET|POST|DELETE /api/labelgate/group-mappings`
    GroupMappings,
    /// `GET /api/workspaces`
    Workspaces,
    /// `POST /api/workspaces`
    CreateWorkspace,
    /// `GET /api/workspaces/{workspace}`
    Workspace,
    /// `PATCH|PUT /api/workspaces/{workspace}`
    RenameWorkspace,
    /// `DELETE /api/workspaces/{workspace}`
    DeleteWorkspace,
    /// `GET /api/workspaces/{workspace}/memberships`
    WorkspaceMembers,
    /// `POST|DELETE /api/workspaces/{workspace}/memberships`
    WorkspaceMembership,
    /// `GET /api/projects/{project}/members`
    ProjectMembers,
    /// `POST|DELETE /api/projects/{project}/members`
    ProjectMembership,
    /// `PATCH|PUT /api/projects/{project}`: a move and the project's own settings.
    ProjectPatch,
    /// `POST|DELETE /api/projects/{project}/tasks/assignees`
    Assignees,
}

impl Admin {
    /// Whether the route is LabelGate's own (`/api/labelgate/...`): without the store it
    /// answers 501 instead of being forwarded to an Enterprise server.
    pub fn needs_store(self) -> bool {
        matches!(self, Admin::Members | Admin::Journal | Admin::GroupMappings)
    }
}

/// What a member refused a [`How::ReadOr`] read gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Narrow {
    /// The origin's array, only the item that is the member (`GET /api/users/`).
    OwnUser,
    /// An empty array, answered by the Worker (`GET /api/ml?project=`: the backends).
    Empty,
}

impl How {
    /// Whether the route is a page or file of the web UI (refusals answered as HTML).
    pub fn is_page(self) -> bool {
        matches!(self, How::Page(_) | How::File(..))
    }
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
    /// Whether Label Studio runs the route, when it names no project or workspace, in the
    /// member's active organization (`request.user.active_organization`): then the Worker
    /// forwards it only if that is the organization it decided in ([`crate::gate::active`]).
    /// `false` for the member's own account and for what the Worker serves from its store.
    pub active_org: bool,
    /// Who answers it once allowed.
    pub server: Server,
}

impl Row {
    /// Whether the request ends the session Label Studio set (`/logout`): its cached
    /// identity is forgotten.
    pub fn ends_session(&self) -> bool {
        self.path == "/logout"
    }

    /// Whether a `method` request of the row, once answered, ends or changes what proved the
    /// member's credentials: a token reset or rotation, a JWT blacklisted.
    pub fn ends_credentials(&self, method: &str) -> bool {
        method == "POST"
            && matches!(
                self.path,
                "/api/current-user/reset-token"
                    | "/api/token/rotate"
                    | "/api/token/(refresh|blacklist)"
            )
    }
}

/// A front door: a route the dispatcher answers before the gate (no policy decides it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    /// `/__labelgate/ui/<file>`: LabelGate's UI files, from the static assets.
    Asset,
    /// An operator's route (the operator's token; `crate::operator`).
    Operator(Operator),
    /// A test endpoint (the test bundle only; `crate::testing`).
    #[cfg(feature = "test-endpoints")]
    Test(Test),
}

/// The operator's routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `POST /api/labelgate/import?org=N`
    Import,
    /// `GET /api/labelgate/export?org=N`
    Export,
    /// `POST /api/labelgate/bootstrap?org=N`
    Bootstrap,
    /// `GET /api/labelgate/stats?org=N`
    Stats,
}

/// The test endpoints.
#[cfg(feature = "test-endpoints")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Test {
    /// `POST /__labelgate/decide`
    Decide,
    /// `POST /__labelgate/store-slice`
    StoreSlice,
    /// `POST /__labelgate/store-write`
    StoreWrite,
}

/// A front door's row: any method (the door answers a method it does not take).
#[derive(Clone, Copy, Debug)]
pub struct FrontRow {
    /// The path pattern, as the route table writes them.
    pub path: &'static str,
    /// The door.
    pub door: Door,
}
