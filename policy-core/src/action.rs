//! The actions of SPEC §3. Their names are part of the public contract.

use core::fmt;

/// What kind of resource an action applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The organization itself: the resource is `{}`.
    Organization,
    /// One workspace: the resource is `{"workspace": id}`.
    Workspace,
    /// One project: the resource is `{"project": id}`.
    Project,
    /// Any of the three, as the request's `scope` says (`analytics.view`).
    Scoped,
}

macro_rules! actions {
    ($($variant:ident = $name:literal, $kind:ident;)*) => {
        /// An action a principal asks to take.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Action {
            $(#[doc = concat!("`", $name, "`")] $variant,)*
        }

        impl Action {
            /// Every action, in contract order.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The action's name in the JSON contract.
            pub const fn name(self) -> &'static str {
                match self { $(Action::$variant => $name,)* }
            }

            /// The resource the action applies to.
            pub const fn kind(self) -> Kind {
                match self { $(Action::$variant => Kind::$kind,)* }
            }
        }
    };
}

actions! {
    OrgViewMembers = "org.view_members", Organization;
    OrgChangeRole = "org.change_role", Organization;
    OrgInvite = "org.invite", Organization;
    OrgRemoveMember = "org.remove_member", Organization;
    OrgViewActivityLog = "org.view_activity_log", Organization;
    OrgViewBilling = "org.view_billing", Organization;
    OrgViewOwnerAccount = "org.view_owner_account", Organization;
    OrgCreateWorkspace = "org.create_workspace", Organization;
    OrgSaveTemplate = "org.save_template", Organization;
    OrgApiAccess = "org.api_access", Organization;
    OrgViewAnnotatorDashboard = "org.view_annotator_dashboard", Organization;
    OrgSignup = "org.signup", Organization;
    WorkspaceView = "workspace.view", Workspace;
    WorkspaceUpdate = "workspace.update", Workspace;
    WorkspaceManageMembers = "workspace.manage_members", Workspace;
    WorkspaceDelete = "workspace.delete", Workspace;
    WorkspaceCreateProject = "workspace.create_project", Workspace;
    ProjectView = "project.view", Project;
    ProjectLabel = "project.label", Project;
    ProjectUpdate = "project.update", Project;
    ProjectDelete = "project.delete", Project;
    ProjectDuplicate = "project.duplicate", Project;
    ProjectImport = "project.import", Project;
    ProjectExport = "project.export", Project;
    ProjectAssignReviewers = "project.assign_reviewers", Project;
    ProjectPin = "project.pin", Project;
    ProjectUnpin = "project.unpin", Project;
    ProjectReview = "project.review", Project;
    ProjectAssignAnnotators = "project.assign_annotators", Project;
    ProjectMonitorAgreement = "project.monitor_agreement", Project;
    ProjectVerifyAnnotations = "project.verify_annotations", Project;
    ProjectViewData = "project.view_data", Project;
    ProjectViewPerformance = "project.view_performance", Project;
    AnnotationUpdate = "annotation.update", Project;
    AnalyticsView = "analytics.view", Scoped;
}

impl Action {
    /// The action named `name` in the JSON contract.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// Whether the role matrix decides this action. `analytics.view` is decided by the
    /// matrix's analytics scopes and `org.signup` by the organization's signup setting.
    pub const fn in_matrix(self) -> bool {
        !matches!(self, Action::AnalyticsView | Action::OrgSignup)
    }

    /// Position in [`Action::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
