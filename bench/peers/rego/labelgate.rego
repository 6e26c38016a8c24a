# LabelGate's policy (SPEC §1-3) in Rego, run by regorus (src/rego_model.rs).
# `input` is a request (SPEC §4) whose form the host has checked. `data` holds the snapshot,
# keyed by id, and the role matrix itself (`data.matrix`: policy-core's default_matrix.json),
# read as data: a replacement matrix needs no change here.
package labelgate

import rego.v1

default allow := false

allow if may(input.action)

# Every action the principal may take on the resource: exactly those `allow` would allow.
allowed_actions contains action if {
	some action in actions
	may(action)
}

actions := {a | some a, _ in data.matrix.grants} | {"org.signup", "analytics.view"}

# ---- the request --------------------------------------------------------------------------

roles := ["annotator", "reviewer", "manager", "administrator", "owner"]

rank_of := {"annotator": 0, "reviewer": 1, "manager": 2, "administrator": 3, "owner": 4}

org := data.orgs[format_int(input.org, 10)]

user := input.principal.user

user_key := format_int(user, 10)

res := input.resource

# The level the resource names (none when it names two).
level := "organization" if {
	not res.workspace
	not res.project
}

level := "workspace" if {
	res.workspace
	not res.project
}

level := "project" if {
	res.project
	not res.workspace
}

workspace := w if {
	level == "workspace"
	w := data.workspaces[format_int(res.workspace, 10)]
	w.org == input.org
}

workspace := data.workspaces[format_int(project.workspace, 10)] if level == "project"

project := p if {
	level == "project"
	p := data.projects[format_int(res.project, 10)]
	p.org == input.org
}

# ---- who asks ------------------------------------------------------------------------------

membership := org.members[user_key]

org_mapped contains r if {
	some group in input.principal.groups
	r := rank_of[org.group_roles[group]]
}

# The organization role: an active member's, raised by their groups' mappings (the higher
# one counts); mappings alone make a member; a listed member who is not active has none.
org_rank := max({rank_of[membership.role]} | org_mapped) if membership.status == "active"

org_rank := max(org_mapped) if {
	is_number(user)
	not membership
	count(org_mapped) > 0
}

project_mapped contains r if {
	some group in input.principal.groups
	r := rank_of[org.group_projects[group][format_int(res.project, 10)]]
}

mapped if count(project_mapped) > 0

# The role where the request acts: on a project, raised by that project's mappings.
rank := max({org_rank} | project_mapped) if level == "project"

rank := org_rank if level != "project"

# An active member acting on something that exists in the organization.
acting if {
	is_number(rank)
	placed
}

placed if level == "organization"

placed if {
	level == "workspace"
	workspace
}

placed if {
	project
	workspace
}

# ---- reach (SPEC §2) -----------------------------------------------------------------------

ws_member(w) if w.members[user_key]

ws_member(w) if w.sandbox_of == user

foreign_sandbox if workspace.sandbox_of != user

project_member if mapped

project_member if ws_member(workspace)

project_member if project.members[user_key]

project_scoped if project_member

project_scoped if project.created_by == user

project_reach(r) if r >= 3

project_reach(2) if project_scoped

project_reach(r) if {
	r < 2
	project_member
}

project_reach(r) if {
	r < 2
	project.assigned[user_key]
}

# ---- the matrix (SPEC §3) ------------------------------------------------------------------

may(action) if {
	data.matrix.grants[action]
	fits(action)
	acting
	matrix_allows(action)
	not refused(action)
}

may("org.signup") if {
	level == "organization"
	org
	signup_open
}

may("analytics.view") if {
	acting
	analytics
}

fits(action) if {
	startswith(action, "org.")
	level == "organization"
}

fits(action) if {
	startswith(action, "workspace.")
	level == "workspace"
}

fits(action) if {
	startswith(action, "project.")
	level == "project"
}

fits("annotation.update") if level == "project"

matrix_allows(action) if {
	cell := data.matrix.grants[action][roles[rank]]
	cell != "none"
	not foreign_sandbox
	within(cell)
	own_ok(cell)
}

within(_) if level == "organization"

within(cell) if {
	level == "workspace"
	workspace_within(cell, workspace, rank)
}

within("scoped") if {
	level == "project"
	project_scoped
}

within(cell) if {
	level == "project"
	cell != "scoped"
	project_reach(rank)
}

workspace_within("reach", _, r) if r >= 2

workspace_within("scoped", w, _) if ws_member(w)

# Own data: the subject is the user; an annotator's also needs the project's setting.
own_ok(cell) if not cell in {"own", "own_if_setting"}

own_ok("own") if res.subject == user

own_ok("own_if_setting") if {
	project.own_data
	res.subject == user
}

signup_open if not org.signup_needs_invite

signup_open if res.invite_token in org.invite_tokens

# ---- each action's own rules ---------------------------------------------------------------

member_actions := {"org.change_role", "org.remove_member"}

# A role change names its member (else the request is invalid).
refused("org.change_role") if {
	res.role
	not res.member
}

# The member named must be listed in the organization.
refused(action) if {
	action in member_actions
	is_number(res.member)
	not org.members[format_int(res.member, 10)]
}

# Owner protection: nobody grants owner or touches the owner's membership; an
# administrator cannot change their own role.
refused("org.change_role") if {
	is_number(res.member)
	res.role == "owner"
}

refused(action) if {
	action in member_actions
	res.member == org.owner
}

refused("org.change_role") if {
	res.member == user
	rank == 3
}

refused("org.view_owner_account") if rank != 4

# The teams edition has only owners and managers.
refused("org.change_role") if {
	is_number(res.member)
	data.edition == "teams"
	res.role in {"annotator", "reviewer", "administrator"}
}

# A sandbox cannot be deleted or given members; a workspace holding projects cannot be deleted.
refused(action) if {
	action in {"workspace.delete", "workspace.manage_members"}
	is_number(workspace.sandbox_of)
}

refused("workspace.delete") if {
	some p in data.projects
	p.workspace == res.workspace
}

# A duplicate needs workspace.create_project where it goes (the project's own workspace by
# default), and project.export on the source to copy annotations.
refused("project.duplicate") if {
	not may_create_project_in(object.get(res, "target_workspace", project.workspace))
}

refused("project.duplicate") if {
	res.copy == "all"
	not matrix_allows("project.export")
}

# workspace.create_project on workspace `id`, by the organization role.
may_create_project_in(id) if {
	w := data.workspaces[format_int(id, 10)]
	w.org == input.org
	not other_users(w)
	cell := data.matrix.grants["workspace.create_project"][roles[org_rank]]
	workspace_within(cell, w, org_rank)
}

other_users(w) if w.sandbox_of != user

# ---- analytics.view ------------------------------------------------------------------------

scope_rank := {"own": 0, "project": 1, "workspace": 2, "organization": 3}

# The scopes each level can be asked at.
fitting := {
	["organization", "organization"], ["own", "organization"],
	["workspace", "workspace"],
	["project", "project"], ["own", "project"],
}

# The asked scope (by default the level's) fits the level and is no wider than the role's
# widest; the place is within reach; `own` is about the user's own work.
analytics if {
	asked := object.get(res, "scope", level)
	[asked, level] in fitting
	scope_rank[asked] <= scope_rank[data.matrix.analytics_scopes[roles[rank]]]
	not foreign_sandbox
	analytics_reach
	not other_subject(asked)
}

analytics_reach if level == "organization"

analytics_reach if {
	level == "workspace"
	rank >= 3
}

analytics_reach if {
	level == "workspace"
	ws_member(workspace)
}

analytics_reach if {
	level == "project"
	project_reach(rank)
}

other_subject("own") if res.subject != user
