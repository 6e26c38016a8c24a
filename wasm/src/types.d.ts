/** A role, from least to most powerful. */
export type Role = "annotator" | "reviewer" | "manager" | "administrator" | "owner";
/** A membership status. */
export type Status = "active" | "not_activated" | "deactivated";
/** An analytics scope, narrowest first. */
export type Scope = "own" | "project" | "workspace" | "organization";
/** Every action of the contract. */
export type Action =
  | "org.view_members" | "org.change_role" | "org.invite" | "org.remove_member"
  | "org.view_activity_log" | "org.view_billing" | "org.view_owner_account"
  | "org.create_workspace" | "org.save_template" | "org.api_access"
  | "org.view_annotator_dashboard" | "org.signup"
  | "workspace.view" | "workspace.update" | "workspace.manage_members" | "workspace.delete"
  | "workspace.create_project"
  | "project.view" | "project.label" | "project.update" | "project.delete" | "project.duplicate"
  | "project.import" | "project.export" | "project.assign_reviewers" | "project.pin"
  | "project.unpin" | "project.review" | "project.assign_annotators"
  | "project.monitor_agreement" | "project.verify_annotations" | "project.view_data"
  | "project.view_performance" | "annotation.update" | "analytics.view";
/** Why a decision came out as it did. */
export type Reason =
  | "allowed" | "unknown_principal" | "not_member" | "not_activated" | "deactivated"
  | "role_lacks_permission" | "out_of_scope" | "sandbox_private" | "workspace_not_empty"
  | "owner_protected" | "setting_disabled" | "edition_restricted" | "unknown_resource"
  | "unknown_action" | "invalid_request" | "policy_error";

/** The facts: organizations, members, workspaces, projects (SPEC §4). */
export interface Snapshot {
  edition?: "enterprise" | "teams";
  organizations: Organization[];
  users?: { id: number; email?: string; name?: string }[];
}
export interface Organization {
  id: number;
  owner: number;
  name?: string;
  settings?: { disable_signup_without_link?: boolean };
  invite_tokens?: string[];
  members?: { user: number; role?: Role; status: Status }[];
  group_mappings?: { group: string; role: Role; project?: number }[];
  workspaces?: { id: number; name?: string; members?: number[]; sandbox_of?: number }[];
  projects?: {
    id: number;
    workspace: number;
    created_by: number;
    title?: string;
    members?: number[];
    settings?: { annotators_can_view_own_data?: boolean };
    assignments?: { user: number; kind: "annotate" | "review" }[];
  }[];
}
/** An operator's role matrix: a grant per action and role, and analytics scopes. */
export interface Matrix {
  grants: { [action: string]: { [role in Role]: "none" | "reach" | "scoped" | "own" | "own_if_setting" } };
  analytics_scopes: { [role in Role]: Scope | "none" };
}
/** Who asks. `user` is absent only for an anonymous signup. */
export interface Principal {
  user?: number;
  groups?: string[];
}
/** On what: `{}` is the organization. */
export interface Resource {
  workspace?: number;
  project?: number;
  subject?: number;
  member?: number;
  role?: Role | "not_activated" | "deactivated";
  target_workspace?: number;
  copy?: "settings" | "settings_data" | "all";
  scope?: Scope;
  invite_token?: string;
}
/** A request for a decision. */
export interface Request {
  principal: Principal;
  org: number;
  action: Action;
  resource?: Resource;
}
/** A decision: never thrown, always returned. */
export interface Decision {
  allow: boolean;
  reason: Reason;
  message: string;
  /** SHA-256 (hex) of the role matrix that decided. */
  policy: string;
}
