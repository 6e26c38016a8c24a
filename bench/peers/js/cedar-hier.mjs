// hierarchy.cedar for cedar-wasm: a snapshot's entities as src/cedar_hier.rs builds them, the
// entities one request needs, and the policy set sliced by action as src/cedar_slice.rs
// slices it.
const uid = (type, id) => ({ type, id: String(id) });
const ref = (type, id) => ({ __entity: uid(type, id) });
const key = (u) => `${u.type}/${u.id}`;
const ROLES = ["annotator", "reviewer", "manager", "administrator"];
const roleGroup = (org, role) => uid("Role", `${org}/${role === "owner" ? "administrator" : role}`);
const projectTeam = (p, role) =>
  uid("Team", `p/${p}/${role === "manager" ? "managers" : role === "reviewer" ? "reviewers" : "members"}`);

// The Org, Workspace and Project entities by key, and each user's ancestors (keys): the
// transitive closure of the hierarchy, through role groups and teams.
export function hierEntities(snap) {
  const byId = new Map();
  const parents = new Map(); // key -> parent uids, for every entity of the hierarchy
  const add = (u, attrs, ps = []) => {
    parents.set(key(u), [...(parents.get(key(u)) ?? []), ...ps]);
    if (attrs) byId.set(key(u), { uid: u, attrs, parents: ps });
  };
  const teams = snap.edition === "teams";
  for (const o of snap.organizations) {
    ROLES.forEach((r, i) => add(roleGroup(o.id, r), null, i ? [roleGroup(o.id, ROLES[i - 1])] : []));
    const inactive = uid("Team", `org/${o.id}/inactive`);
    const attrs = { owner: ref("User", o.owner), teams, signup_needs_invite: !!o.settings?.disable_signup_without_link,
      invite_tokens: o.invite_tokens ?? [], inactive: { __entity: inactive } };
    for (const r of ROLES) attrs[`${r}s`] = { __entity: roleGroup(o.id, r) };
    add(uid("Org", o.id), attrs);
    for (const m of o.members ?? []) {
      const role = m.status === "active" ? roleGroup(o.id, m.role ?? "annotator") : inactive;
      add(uid("User", m.user), null, [uid("Org", o.id), role]);
    }
    const held = new Map();
    for (const p of o.projects ?? []) held.set(p.workspace, [...(held.get(p.workspace) ?? []), p.id]);
    for (const w of o.workspaces ?? []) {
      const team = uid("Team", `ws/${w.id}`);
      const ps = held.get(w.id) ?? [];
      add(team, null, ps.map((p) => projectTeam(p, "annotator")));
      for (const u of w.members ?? []) add(uid("User", u), null, [team]);
      const wa = { members: { __entity: team }, projects: ps.length };
      if (w.sandbox_of != null) {
        add(uid("User", w.sandbox_of), null, [team]);
        wa.sandbox_of = ref("User", w.sandbox_of);
      }
      add(uid("Workspace", w.id), wa, [uid("Org", o.id)]);
    }
    for (const p of o.projects ?? []) {
      const [members, reviewers, managers] = ["annotator", "reviewer", "manager"].map((r) => projectTeam(p.id, r));
      const assignees = uid("Team", `p/${p.id}/assignees`);
      add(reviewers, null, [members]);
      add(managers, null, [reviewers]);
      for (const u of p.members ?? []) add(uid("User", u), null, [members]);
      for (const a of p.assignments ?? []) add(uid("User", a.user), null, [assignees]);
      add(uid("Project", p.id), { workspace: ref("Workspace", p.workspace), creator: ref("User", p.created_by),
        members: { __entity: members }, reviewers: { __entity: reviewers }, managers: { __entity: managers },
        assignees: { __entity: assignees }, own_data: !!p.settings?.annotators_can_view_own_data },
      [uid("Workspace", p.workspace)]);
    }
    for (const g of o.group_mappings ?? []) {
      add(uid("SsoGroup", g.group), null, [g.project != null ? projectTeam(g.project, g.role) : roleGroup(o.id, g.role)]);
    }
  }
  const ancestors = new Map();
  for (const k of parents.keys()) {
    if (!k.startsWith("User/")) continue;
    const seen = new Set();
    const todo = [...parents.get(k)];
    while (todo.length) {
      const p = key(todo.pop());
      if (!seen.has(p)) { seen.add(p); todo.push(...(parents.get(p) ?? [])); }
    }
    ancestors.set(k, seen);
  }
  return { byId, ancestors };
}

// The entities a request on a project needs: the organization, the workspace and the project,
// and the principal with those of its ancestors the policies can ask about (the groups these
// three name). Cedar takes ancestors as parents, so the groups themselves are left out.
export function hierSlice(h, org, user, project) {
  const p = h.byId.get(`Project/${project}`);
  const w = h.byId.get(key(p.attrs.workspace.__entity));
  const o = h.byId.get(`Org/${org}`);
  const named = new Set([key(o.uid)]);
  for (const e of [o, w, p]) {
    for (const v of Object.values(e.attrs)) if (v?.__entity && v.__entity.type !== "User") named.add(key(v.__entity));
  }
  const mine = [...(h.ancestors.get(`User/${user}`) ?? [])].filter((k) => named.has(k));
  const parents = mine.map((k) => { const [type, ...id] = k.split("/"); return uid(type, id.join("/")); });
  return [{ uid: uid("User", user), attrs: {}, parents }, o, w, p];
}

// One preparsed policy set per action: the policies whose action scope can match it.
export function preparseSlices(cedar, name, schemaText, policyText) {
  const schema = cedar.schemaToJson(schemaText);
  if (schema.type !== "success") throw new Error(JSON.stringify(schema));
  const actions = Object.values(schema.json)[0].actions;
  const groupsOf = (a, seen = new Set()) => {
    for (const g of actions[a]?.memberOf ?? []) if (!seen.has(g.id)) { seen.add(g.id); groupsOf(g.id, seen); }
    return seen;
  };
  const parts = cedar.policySetTextToParts(policyText);
  if (parts.type !== "success") throw new Error(JSON.stringify(parts));
  const scopes = parts.policies.map((text) => {
    const j = cedar.policyToJson(text);
    if (j.type !== "success") throw new Error(JSON.stringify(j));
    return [text, j.json.action];
  });
  const ids = {};
  for (const a of Object.keys(actions)) {
    const mine = new Set([a, ...groupsOf(a)]);
    const applies = ({ op, entity, entities }) => op === "All" ||
      (op === "==" && entity.id === a) || (op === "in" && (entities ?? [entity]).some((e) => mine.has(e.id)));
    const text = scopes.filter(([, scope]) => applies(scope)).map(([t]) => t).join("\n");
    const r = cedar.preparsePolicySet(`${name}/${a}`, { staticPolicies: text });
    if (r.type !== "success") throw new Error(JSON.stringify(r));
    ids[a] = `${name}/${a}`;
  }
  return ids;
}
