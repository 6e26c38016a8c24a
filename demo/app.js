// LabelGate demo: a Label Studio-like project list whose every button comes from the policy.
//
// The page signs in as a demo user and loads that member's slice of the demo organization
// (GET /api/me: their membership, their reach and its projects, nothing about other members;
// demo/serve.mjs holds the organization) into the wasm policy core, then asks it which
// projects and workspaces they see and which actions they may take on each project. An action
// the user may not take is not rendered at all; the "Why not?" toggle renders it disabled, with
// the message of `policy.decide(...)`.
//
// Pins live in the page. Changes to the facts (duplicates, deletions, renames, assignments) are
// asked of the server (POST /api/change), which decides them with the same core and applies
// them; the page then reloads the member's slice into the policy (`policy.update`).

import init, { Policy } from "/pkg/labelgate.js";

const ORG = 1;

/** The "..." menu, in display order. Pin and Unpin share a slot: one shows, by pin state. */
const MENU = [
  { key: "pin", action: "project.pin", label: "Pin", icon: "pin" },
  { key: "unpin", action: "project.unpin", label: "Unpin", icon: "unpin" },
  { key: "duplicate", action: "project.duplicate", label: "Duplicate", icon: "copy" },
  { key: "settings", action: "project.update", label: "Settings", icon: "gear" },
  { key: "delete", action: "project.delete", label: "Delete", icon: "trash", danger: true },
];

/** The card's buttons, in display order. */
const BUTTONS = [
  { key: "import", action: "project.import", label: "Import", icon: "upload" },
  { key: "export", action: "project.export", label: "Export", icon: "download" },
  { key: "assign-annotators", action: "project.assign_annotators", label: "Assign annotators", icon: "users" },
  { key: "assign-reviewers", action: "project.assign_reviewers", label: "Assign reviewer", icon: "check" },
];

/** Reasons that mean the user may not use the organization at all. */
const BLOCKING = new Set(["not_activated", "deactivated", "not_member", "unknown_principal"]);

const ICONS = {
  pin: '<path d="M9 3h6l-1 6 4 3v2h-5v6l-1 1-1-1v-6H6v-2l4-3z"/>',
  unpin: '<path d="M9 3h6l-1 6 4 3v2h-5v6l-1 1-1-1v-6H6v-2l4-3z"/><path d="M4 4l16 16"/>',
  copy: '<rect x="8" y="8" width="12" height="12" rx="2"/><path d="M16 8V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h2"/>',
  gear: '<circle cx="12" cy="12" r="3"/><path d="M12 2v3M12 19v3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M2 12h3M19 12h3M4.9 19.1 7 17M17 7l2.1-2.1"/>',
  trash: '<path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3"/>',
  upload: '<path d="M12 16V4M7 9l5-5 5 5M4 20h16"/>',
  download: '<path d="M12 4v12M7 11l5 5 5-5M4 20h16"/>',
  users: '<circle cx="9" cy="8" r="3"/><path d="M3 20c0-3.3 2.7-6 6-6s6 2.7 6 6"/><path d="M16 5a3 3 0 0 1 0 6M21 20c0-2.6-1.7-4.8-4-5.6"/>',
  check: '<path d="M9 12l2 2 4-4"/><circle cx="12" cy="12" r="9"/>',
  dots: '<circle cx="5" cy="12" r="1.6"/><circle cx="12" cy="12" r="1.6"/><circle cx="19" cy="12" r="1.6"/>',
  folder: '<path d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z"/>',
  lock: '<rect x="5" y="11" width="14" height="9" rx="2"/><path d="M8 11V8a4 4 0 0 1 8 0v3"/>',
  grid: '<rect x="4" y="4" width="7" height="7" rx="1"/><rect x="13" y="4" width="7" height="7" rx="1"/><rect x="4" y="13" width="7" height="7" rx="1"/><rect x="13" y="13" width="7" height="7" rx="1"/>',
  info: '<circle cx="12" cy="12" r="9"/><path d="M12 11v5M12 8h.01"/>',
  ban: '<circle cx="12" cy="12" r="9"/><path d="M6 6l12 12"/>',
  clock: '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
};

const WORKSPACE_COLORS = ["#6366f1", "#0ea5e9", "#10b981", "#f59e0b", "#ec4899", "#8b5cf6", "#14b8a6", "#ef4444"];
const ROLE_COLORS = {
  owner: "#7c3aed",
  administrator: "#2563eb",
  manager: "#0891b2",
  reviewer: "#16a34a",
  annotator: "#d97706",
  not_activated: "#64748b",
  deactivated: "#94a3b8",
};

// ---------------------------------------------------------------------------------------------
// State

const state = {
  /** The signed-in member's slice of the organization, as the policy has it. */
  snapshot: null,
  /** The sign-in list (GET /api/people): id, name, role, status. */
  people: [],
  /** Per visible project, its assignment counts (GET /api/me's `cards`). */
  cards: {},
  /** @type {Policy} */
  policy: null,
  user: null,
  filter: "all",
  workspace: null,
  whyNot: false,
  /** project id -> pinned_at (ms). One shared value per project, as in Label Studio. */
  pins: new Map(),
  openMenu: null,
  toastTimer: null,
};

const $ = (sel, root = document) => root.querySelector(sel);

function org() {
  return state.snapshot.organizations.find((o) => o.id === ORG);
}
/** A member of the sign-in list (GET /api/people): id, name, role, status. */
function person(id) {
  return state.people.find((u) => u.id === id);
}
function userName(id) {
  return person(id)?.name ?? `User ${id}`;
}
/** The role label of a member: their role when active, otherwise their status. */
function roleLabel(id) {
  const m = person(id);
  if (!m) return "not a member";
  if (m.status !== "active") return m.status;
  return m.role ?? "annotator";
}
function project(id) {
  return org().projects.find((p) => p.id === id);
}
function workspace(id) {
  return org().workspaces?.find((w) => w.id === id);
}
function workspaceColor(id) {
  const i = (org().workspaces ?? []).findIndex((w) => w.id === id);
  return WORKSPACE_COLORS[(i < 0 ? id : i) % WORKSPACE_COLORS.length];
}
function initials(name) {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((s) => s[0].toUpperCase())
    .join("");
}
function isPinned(id) {
  return state.pins.has(id);
}

// ---------------------------------------------------------------------------------------------
// Policy questions (the only source of what the page shows)

function principal() {
  return { user: state.user };
}
/** What the user may do on each visible project: one allowedActionsMany call per render. */
let allowedByProject = new Map();
function computeAllowed(ids) {
  const answers = state.policy.allowedActionsMany(principal(), ORG, ids.map((id) => ({ project: id })));
  allowedByProject = new Map(ids.map((id, i) => [id, new Set(answers[i] ?? [])]));
}
function allowedFor(projectId) {
  return allowedByProject.get(projectId) ?? new Set(state.policy.allowedActions(principal(), ORG, { project: projectId }));
}
function decide(action, resource) {
  return state.policy.decide({ principal: principal(), org: ORG, action, resource });
}
/** Whether the user may use the organization at all: a decision, or null when they may. */
function accessBlock() {
  const first = org().projects?.[0];
  const d = first
    ? decide("project.view", { project: first.id })
    : decide("org.api_access", {});
  return BLOCKING.has(d.reason) ? d : null;
}
/** Loads the signed-in member's slice into the policy (on sign-in and after each change). */
async function loadSlice() {
  const r = await fetch(`/api/me?user=${state.user}`);
  const me = await r.json();
  if (!r.ok) throw new Error(me.message ?? `/api/me: HTTP ${r.status}`);
  if (state.policy) state.policy.update(me.slice);
  else state.policy = Policy.load(me.slice);
  state.snapshot = me.slice;
  state.cards = me.cards ?? {};
}

/**
 * Runs `work` after every earlier one has finished, with the page marked busy until the last
 * is done (tests wait for it), reporting a failure. One at a time: a user switched while a
 * change is on its way sees the page after that change, never a render of the old member's
 * answer over the new member's page.
 */
let queue = Promise.resolve();
let pending = 0;
function busy(work) {
  pending += 1;
  document.body.dataset.busy = "true";
  const run = queue
    .then(work)
    .catch((e) => {
      toast(e.message, { kind: "error" });
      return null;
    })
    .finally(() => {
      pending -= 1;
      if (pending === 0) delete document.body.dataset.busy;
    });
  queue = run;
  return run;
}

/**
 * Asks the server for a change of the facts; it decides it with the same core. Then reloads
 * the member's slice. Resolves the server's answer, or null (the user is told why).
 */
async function change(body) {
  const r = await fetch("/api/change", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user: state.user, ...body }),
  });
  const answer = await r.json();
  if (!r.ok) {
    toast(answer.message ?? `HTTP ${r.status}`, { kind: "error" });
    return null;
  }
  await loadSlice();
  return answer;
}

// ---------------------------------------------------------------------------------------------
// DOM helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "style") el.style.cssText = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
function icon(name, cls = "icon") {
  const span = document.createElement("span");
  span.className = cls;
  span.setAttribute("aria-hidden", "true");
  span.innerHTML = `<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${ICONS[name]}</svg>`;
  return span;
}
/** A policy message, with its `backticked` names set as code. */
function message(text) {
  const span = h("span", { class: "msg" });
  text.split("`").forEach((part, i) => {
    if (!part) return;
    span.append(i % 2 ? h("code", {}, part) : document.createTextNode(part));
  });
  return span;
}

// ---------------------------------------------------------------------------------------------
// Rendering

function render() {
  closeMenu();
  const block = accessBlock();
  const visible = block ? [] : state.policy.visibleProjects(principal(), ORG);
  const workspaces = block ? [] : state.policy.visibleWorkspaces(principal(), ORG);
  if (state.workspace !== null && !workspaces.includes(state.workspace)) state.workspace = null;
  computeAllowed(visible);

  document.body.dataset.user = String(state.user);
  document.body.dataset.role = roleLabel(state.user);
  renderHeader();
  renderSidebar(workspaces, visible);
  renderNotice(block);

  const toolbar = $('[data-testid="toolbar"]');
  toolbar.hidden = Boolean(block);
  for (const b of document.querySelectorAll("[data-filter]")) {
    const on = b.dataset.filter === state.filter;
    b.classList.toggle("active", on);
    b.setAttribute("aria-pressed", String(on));
  }
  $('[data-testid="why-not-toggle"]').checked = state.whyNot;

  const inWorkspace = visible.filter((id) => state.workspace === null || project(id)?.workspace === state.workspace);
  const shown = inWorkspace
    .filter((id) => state.filter === "all" || (state.filter === "pinned") === isPinned(id))
    .sort((a, b) => {
      const pa = state.pins.get(a) ?? null;
      const pb = state.pins.get(b) ?? null;
      if (pa !== null && pb !== null) return pb - pa || a - b; // most recently pinned first
      if (pa !== null) return -1;
      if (pb !== null) return 1;
      return a - b;
    });

  const grid = $('[data-testid="project-grid"]');
  grid.replaceChildren(...shown.map(card));
  grid.hidden = Boolean(block);

  const title = state.workspace === null ? "Projects" : workspace(state.workspace)?.name ?? "Projects";
  $('[data-testid="page-title"]').textContent = title;
  const sub = $('[data-testid="page-subtitle"]');
  sub.hidden = Boolean(block);
  if (block) {
    sub.textContent = "";
  } else {
    const pinned = inWorkspace.filter(isPinned).length;
    sub.textContent = `${inWorkspace.length} project${inWorkspace.length === 1 ? "" : "s"} · ${pinned} pinned`;
  }

  const empty = $('[data-testid="empty-state"]');
  if (!block && shown.length === 0) {
    const what =
      inWorkspace.length === 0
        ? state.workspace === null
          ? "You don't have access to any project yet."
          : "This workspace has no projects you can see."
        : state.filter === "pinned"
          ? "No pinned projects. Pin one from its “…” menu to keep it on top."
          : "Every project here is pinned.";
    empty.replaceChildren(icon("folder", "empty-icon"), h("p", {}, what));
    empty.hidden = false;
  } else {
    empty.hidden = true;
  }
}

function renderHeader() {
  $('[data-testid="org-name"]').textContent = org().name ?? `Organization ${ORG}`;
  const chip = $('[data-testid="policy-id"]');
  const id = state.policy.policyId;
  chip.dataset.policyId = id;
  chip.title = `Role matrix SHA-256: ${id}`;
  $(".policy-hash", chip).textContent = `${id.slice(0, 12)}…`;

  const avatar = $('[data-testid="current-avatar"]');
  avatar.textContent = initials(userName(state.user));
  avatar.style.background = ROLE_COLORS[roleLabel(state.user)] ?? "#64748b";
  const select = $('[data-testid="user-switcher"]');
  select.value = String(state.user);
}

function renderSidebar(workspaces, visible) {
  const nav = $('[data-testid="workspace-sidebar"]');
  if (workspaces.length === 0) {
    nav.hidden = true;
    nav.replaceChildren();
    document.body.classList.remove("has-sidebar");
    return;
  }
  document.body.classList.add("has-sidebar");
  nav.hidden = false;
  const count = (ws) => visible.filter((id) => ws === null || project(id)?.workspace === ws).length;
  const item = (ws, label, iconName, extra) =>
    h(
      "button",
      {
        type: "button",
        class: `ws-item${state.workspace === ws ? " active" : ""}`,
        "data-testid": ws === null ? "workspace-all" : `workspace-${ws}`,
        "data-workspace": ws === null ? "all" : String(ws),
        "aria-current": state.workspace === ws ? "page" : null,
        onclick: () => {
          state.workspace = ws;
          render();
        },
      },
      ws === null
        ? icon(iconName, "ws-icon")
        : h("span", { class: "ws-dot", style: `background:${workspaceColor(ws)}` }),
      h("span", { class: "ws-name" }, label),
      extra,
      h("span", { class: "ws-count" }, String(count(ws))),
    );
  nav.replaceChildren(
    h(
      "div",
      { class: "sidebar-inner" },
      h("div", { class: "sidebar-title" }, "Workspaces"),
    item(null, "All projects", "grid"),
    h("div", { class: "sidebar-sep" }),
    ...workspaces.map((ws) => {
      const w = workspace(ws);
      const sandbox = w?.sandbox_of !== undefined;
      return item(
        ws,
        w?.name ?? `Workspace ${ws}`,
        "folder",
        sandbox ? h("span", { class: "ws-badge", title: "Personal sandbox: only its owner sees it" }, icon("lock", "ws-lock")) : null,
      );
    }),
    ),
  );
}

function renderNotice(block) {
  const el = $('[data-testid="access-notice"]');
  if (!block) {
    el.hidden = true;
    el.replaceChildren();
    return;
  }
  const titles = {
    not_activated: "Your account is waiting for approval",
    deactivated: "Your account has been deactivated",
    not_member: "You are not a member of this organization",
    unknown_principal: "Unknown user",
  };
  const hints = {
    not_activated: "An owner or administrator of the organization has to give you a role before you can see projects.",
    deactivated: "Ask an owner or administrator of the organization to reactivate your account.",
  };
  el.dataset.reason = block.reason;
  el.replaceChildren(
    icon(block.reason === "not_activated" ? "clock" : "ban", "notice-icon"),
    h(
      "div",
      {},
      h("h2", {}, titles[block.reason] ?? "No access"),
      h("p", { class: "notice-message", "data-testid": "access-notice-message" }, message(block.message)),
      hints[block.reason] ? h("p", { class: "notice-hint" }, hints[block.reason]) : null,
    ),
  );
  el.hidden = false;
}

function accessChip(allowed) {
  if (allowed.has("project.update")) return ["Manage", "manage"];
  if (allowed.has("project.review")) return ["Review", "review"];
  if (allowed.has("project.label")) return ["Label", "label"];
  return ["View", "view"];
}

function card(id) {
  const p = project(id);
  const allowed = allowedFor(id);
  const pinned = isPinned(id);
  const w = workspace(p.workspace);
  const denied = [];

  // The menu: Pin xor Unpin by pin state, then the rest; absent unless allowed (or "why not?").
  const menuItems = [];
  for (const m of MENU) {
    if (m.key === "pin" && pinned) continue;
    if (m.key === "unpin" && !pinned) continue;
    const ok = allowed.has(m.action);
    if (!ok && !state.whyNot) continue;
    const why = ok ? null : decide(m.action, { project: id });
    if (why) denied.push({ ...m, why });
    if (m.danger && menuItems.length) menuItems.push(h("div", { class: "menu-sep", role: "separator" }));
    menuItems.push(
      h(
        "button",
        {
          type: "button",
          role: "menuitem",
          class: `menu-item${m.danger ? " danger" : ""}`,
          "data-action": m.action,
          "data-testid": `menu-${m.key}-${id}`,
          "data-allowed": String(ok),
          disabled: !ok,
          "aria-disabled": ok ? null : "true",
          title: why?.message,
          "data-reason": why?.reason,
          onclick: ok ? (e) => { e.stopPropagation(); closeMenu(); act(m.action, id); } : null,
        },
        icon(m.icon),
        h("span", { class: "menu-label" }, m.label),
        why ? h("span", { class: "menu-why" }, message(why.message)) : null,
      ),
    );
  }

  const buttons = [];
  for (const b of BUTTONS) {
    const ok = allowed.has(b.action);
    if (!ok && !state.whyNot) continue;
    const why = ok ? null : decide(b.action, { project: id });
    if (why) denied.push({ ...b, why });
    buttons.push(
      h(
        "button",
        {
          type: "button",
          class: "btn btn-small",
          "data-action": b.action,
          "data-testid": `btn-${b.key}-${id}`,
          "data-allowed": String(ok),
          disabled: !ok,
          title: why?.message,
          "data-reason": why?.reason,
          onclick: ok ? () => act(b.action, id) : null,
        },
        icon(b.icon),
        b.label,
      ),
    );
  }

  const menuId = `menu-${id}`;
  const menu = menuItems.length
    ? h(
        "div",
        { class: "menu-wrap" },
        h(
          "button",
          {
            type: "button",
            class: "icon-btn",
            "data-testid": `menu-toggle-${id}`,
            "aria-haspopup": "menu",
            "aria-expanded": "false",
            "aria-controls": menuId,
            "aria-label": `Actions for ${p.title ?? id}`,
            onclick: (e) => {
              e.stopPropagation();
              toggleMenu(id);
            },
          },
          icon("dots"),
        ),
        h("div", { class: "menu", role: "menu", id: menuId, "data-testid": `menu-${id}`, hidden: true }, menuItems),
      )
    : null;

  const annotators = (p.assignments ?? []).filter((a) => a.kind === "annotate").map((a) => a.user);
  const reviewers = (p.assignments ?? []).filter((a) => a.kind === "review").map((a) => a.user);
  const [chipText, chipClass] = accessChip(allowed);
  const people = [...new Set([...annotators, ...reviewers])];
  // The counts are the server's (the slice holds only the member's own assignments).
  const counts = state.cards[id] ?? { annotators: annotators.length, reviewers: reviewers.length };

  return h(
    "article",
    {
      class: `card${pinned ? " pinned" : ""}`,
      "data-testid": `project-${id}`,
      "data-project-id": String(id),
      "data-pinned": String(pinned),
      "data-workspace": String(p.workspace),
      style: `--ws:${workspaceColor(p.workspace)}`,
    },
    h(
      "div",
      { class: "card-head" },
      h(
        "div",
        { class: "card-title-wrap" },
        h(
          "h3",
          { class: "card-title", "data-testid": `project-title-${id}` },
          pinned ? h("span", { class: "pin-flag", title: "Pinned", "data-testid": `pinned-${id}` }, icon("pin", "pin-icon")) : null,
          p.title ?? `Project ${id}`,
        ),
        h(
          "div",
          { class: "card-sub" },
          h("span", { class: "ws-tag" }, w?.sandbox_of !== undefined ? icon("lock", "tag-icon") : icon("folder", "tag-icon"), w?.name ?? `Workspace ${p.workspace}`),
          h("span", { class: "muted" }, `#${id}`),
        ),
      ),
      menu,
    ),
    h(
      "div",
      { class: "card-body" },
      h(
        "div",
        { class: "stats" },
        h("div", { class: "stat" }, h("span", { class: "stat-num" }, String(counts.annotators)), h("span", { class: "stat-label" }, counts.annotators === 1 ? "annotator" : "annotators")),
        h("div", { class: "stat" }, h("span", { class: "stat-num" }, String(counts.reviewers)), h("span", { class: "stat-label" }, counts.reviewers === 1 ? "reviewer" : "reviewers")),
        h("div", { class: "stat" }, h("span", { class: `access ${chipClass}`, "data-testid": `access-${id}` }, chipText), h("span", { class: "stat-label" }, "your access")),
      ),
      h(
        "div",
        { class: "card-people" },
        h("span", { class: "avatar avatar-sm", style: `background:${ROLE_COLORS[roleLabel(p.created_by)] ?? "#64748b"}`, title: userName(p.created_by) }, initials(userName(p.created_by))),
        h("span", { class: "muted" }, "Created by ", h("strong", {}, userName(p.created_by))),
        h(
          "span",
          { class: "avatar-stack" },
          people.slice(0, 4).map((u) =>
            h("span", { class: "avatar avatar-xs", style: `background:${ROLE_COLORS[roleLabel(u)] ?? "#64748b"}`, title: `${userName(u)} (assigned)` }, initials(userName(u))),
          ),
        ),
      ),
    ),
    buttons.length ? h("div", { class: "card-actions", "data-testid": `actions-${id}` }, buttons) : null,
    state.whyNot && denied.length
      ? h(
          "details",
          { class: "why-not", "data-testid": `why-not-${id}`, open: true },
          h("summary", {}, icon("info", "tag-icon"), `${denied.length} action${denied.length === 1 ? "" : "s"} not available to you`),
          h(
            "ul",
            {},
            denied.map((d) => h("li", { "data-denied-action": d.action, "data-reason": d.why.reason }, h("strong", {}, d.label), " ", message(d.why.message))),
          ),
        )
      : null,
  );
}

// ---------------------------------------------------------------------------------------------
// Menus

function toggleMenu(id) {
  if (state.openMenu === id) return closeMenu();
  closeMenu();
  const menu = document.getElementById(`menu-${id}`);
  const toggle = $(`[data-testid="menu-toggle-${id}"]`);
  if (!menu || !toggle) return;
  menu.hidden = false;
  toggle.setAttribute("aria-expanded", "true");
  state.openMenu = id;
  menu.querySelector("button:not([disabled])")?.focus({ preventScroll: true });
}
function closeMenu() {
  if (state.openMenu === null) return;
  const menu = document.getElementById(`menu-${state.openMenu}`);
  const toggle = $(`[data-testid="menu-toggle-${state.openMenu}"]`);
  if (menu) menu.hidden = true;
  toggle?.setAttribute("aria-expanded", "false");
  state.openMenu = null;
}

// ---------------------------------------------------------------------------------------------
// Toasts

/** Shows a notice; with `undo`, an Undo button that runs it once. */
function toast(text, { undo, kind = "info", testid } = {}) {
  const area = $('[data-testid="toast-area"]');
  clearTimeout(state.toastTimer);
  const el = h(
    "div",
    { class: `toast ${kind}`, role: "status", "data-testid": testid ?? (undo ? "undo-notice" : "toast") },
    h("span", { class: "toast-text" }, text instanceof Node ? text : message(text)),
    undo
      ? h(
          "button",
          {
            type: "button",
            class: "toast-undo",
            "data-testid": "undo-button",
            onclick: () => {
              el.remove();
              undo();
            },
          },
          "Undo",
        )
      : null,
    h("button", { type: "button", class: "toast-close", "aria-label": "Dismiss", onclick: () => el.remove() }, "×"),
  );
  area.replaceChildren(el);
  state.toastTimer = setTimeout(() => el.remove(), undo ? 10000 : 5000);
}

// ---------------------------------------------------------------------------------------------
// Actions. Each one asks the policy again before it acts, as the server would.

function act(action, id) {
  const d = decide(action, { project: id });
  if (!d.allow) {
    toast(d.message, { kind: "error" });
    render();
    return;
  }
  const p = project(id);
  const title = p.title ?? `Project ${id}`;
  switch (action) {
    case "project.pin":
    case "project.unpin":
      return setPin(id, action === "project.pin");
    case "project.duplicate":
      return duplicate(p);
    case "project.delete":
      return confirmDelete(p);
    case "project.update":
      return settings(p);
    case "project.import":
      return importData(p);
    case "project.export":
      return exportData(p);
    case "project.assign_annotators":
      return assign(p, "annotate");
    case "project.assign_reviewers":
      return assign(p, "review");
    default:
      toast(`${action} on “${title}”`);
  }
}

function setPin(id, pin) {
  const before = state.pins.has(id) ? state.pins.get(id) : null;
  if (pin) state.pins.set(id, Date.now());
  else state.pins.delete(id);
  render();
  const title = project(id)?.title ?? `Project ${id}`;
  toast(`${pin ? "Pinned" : "Unpinned"} “${title}”`, {
    undo: () => {
      if (before === null) state.pins.delete(id);
      else state.pins.set(id, before);
      render();
    },
  });
}

function duplicate(p) {
  return busy(async () => {
    const copy = await change({ op: "duplicate", project: p.id });
    if (!copy) return;
    render();
    toast(`Duplicated “${p.title}” as “${copy.title}”`, {
      undo: () => busy(async () => {
        if (!(await change({ op: "delete", project: copy.id }))) return;
        state.pins.delete(copy.id);
        render();
      }),
    });
  });
}

function confirmDelete(p) {
  modal({
    title: `Delete “${p.title}”?`,
    body: [
      h("p", {}, "The project, its tasks and its annotations are removed for everyone in the organization."),
    ],
    ok: "Delete project",
    danger: true,
    onOk: () => busy(async () => {
      const d = decide("project.delete", { project: p.id });
      if (!d.allow) return toast(d.message, { kind: "error" });
      if (!(await change({ op: "delete", project: p.id }))) return;
      const pinnedAt = state.pins.has(p.id) ? state.pins.get(p.id) : null;
      state.pins.delete(p.id);
      render();
      toast(`Deleted “${p.title}”`, {
        undo: () => busy(async () => {
          if (!(await change({ op: "restore", project: p.id }))) return;
          if (pinnedAt !== null) state.pins.set(p.id, pinnedAt);
          render();
        }),
      });
    }),
  });
}

function settings(p) {
  const input = h("input", { type: "text", name: "title", value: p.title ?? "", required: true, maxlength: "120", "data-testid": "settings-title" });
  modal({
    title: "Project settings",
    body: [
      h("label", { class: "field" }, h("span", {}, "Project name"), input),
      h("div", { class: "field" }, h("span", {}, "Workspace"), h("div", { class: "readonly" }, workspace(p.workspace)?.name ?? `Workspace ${p.workspace}`)),
    ],
    ok: "Save",
    onOk: () => busy(async () => {
      const title = input.value.trim();
      if (!title || title === p.title) return;
      if (!(await change({ op: "rename", project: p.id, title }))) return;
      render();
      toast(`Renamed to “${title}”`);
    }),
  });
}

function importData(p) {
  const input = h("input", { type: "file", multiple: true, "data-testid": "import-files" });
  modal({
    title: `Import data into “${p.title}”`,
    body: [
      h("label", { class: "dropzone" }, icon("upload", "drop-icon"), h("span", {}, "Choose JSON, CSV, TSV or media files"), input),
      h("p", { class: "muted small" }, "Files stay in this browser: the demo has no storage behind it."),
    ],
    ok: "Import",
    onOk: () => {
      const n = input.files?.length ?? 0;
      toast(n ? `${n} file${n === 1 ? "" : "s"} queued for “${p.title}”` : `Nothing to import into “${p.title}”`);
    },
  });
}

function exportData(p) {
  modal({
    title: `Export “${p.title}”`,
    body: [
      h("p", {}, "Downloads the project's record, with its assignments, as JSON."),
    ],
    ok: "Export",
    onOk: () => {
      const body = JSON.stringify({ project: p, exported_by: state.user, policy: state.policy.policyId }, null, 2);
      const url = URL.createObjectURL(new Blob([body], { type: "application/json" }));
      const a = h("a", { href: url, download: `project-${p.id}.json` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      toast(`Exported “${p.title}”`);
    },
  });
}

function assign(p, kind) {
  return busy(async () => {
    // Who is assigned now: the server's answer (the member's slice holds only their own).
    const r = await fetch(`/api/assignments?user=${state.user}&project=${p.id}&kind=${kind}`);
    const answer = await r.json();
    if (!r.ok) return toast(answer.message ?? `HTTP ${r.status}`, { kind: "error" });
    openAssign(p, kind, new Set(answer.users));
  });
}

function openAssign(p, kind, current) {
  const candidates = state.people
    .filter((m) => m.status === "active")
    .map((m) => m.id)
    .sort((a, b) => a - b);
  const boxes = candidates.map((u) =>
    h(
      "label",
      { class: "pick" },
      h("input", { type: "checkbox", value: String(u), checked: current.has(u) }),
      h("span", { class: "avatar avatar-xs", style: `background:${ROLE_COLORS[roleLabel(u)]}` }, initials(userName(u))),
      h("span", { class: "pick-name" }, userName(u)),
      h("span", { class: "muted small" }, roleLabel(u)),
    ),
  );
  const noun = kind === "annotate" ? "annotators" : "reviewers";
  modal({
    title: `Assign ${noun} to “${p.title}”`,
    body: [h("div", { class: "picks" }, boxes)],
    ok: "Save",
    onOk: () => busy(async () => {
      const action = kind === "annotate" ? "project.assign_annotators" : "project.assign_reviewers";
      const d = decide(action, { project: p.id });
      if (!d.allow) return toast(d.message, { kind: "error" });
      const chosen = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => Number(i.value));
      const done = await change({ op: "assign", project: p.id, kind, users: chosen });
      if (!done) return;
      render();
      toast(`${chosen.length} ${chosen.length === 1 ? noun.slice(0, -1) : noun} on “${p.title}”`, {
        undo: () => busy(async () => {
          if (!(await change({ op: "assign", project: p.id, kind, users: done.before }))) return;
          render();
        }),
      });
    }),
  });
}

function modal({ title, body, ok, danger = false, onOk }) {
  const dialog = $('[data-testid="modal"]');
  const form = $(".modal-body", dialog);
  form.replaceChildren(
    h("h2", { class: "modal-title" }, title),
    h("div", { class: "modal-content" }, body),
    h(
      "div",
      { class: "modal-actions" },
      h("button", { type: "submit", value: "cancel", class: "btn", "data-testid": "modal-cancel", formnovalidate: true }, "Cancel"),
      h("button", { type: "submit", value: "ok", class: `btn ${danger ? "btn-danger" : "btn-primary"}`, "data-testid": "modal-ok" }, ok),
    ),
  );
  // Acted on in the submit event, which runs before the click returns: the dialog's `close`
  // event comes a task later, when the page may already show another user.
  form.onsubmit = (e) => {
    if (e.submitter?.value === "ok" && form.checkValidity()) onOk();
  };
  dialog.showModal();
}

// ---------------------------------------------------------------------------------------------
// Boot

function readUserFromUrl(ids) {
  const wanted = Number(new URLSearchParams(location.search).get("user"));
  return ids.includes(wanted) ? wanted : ids[0];
}

/** Signs in as `user`: the address, the slice and the page follow. */
async function switchTo(user) {
  state.user = user;
  const url = new URL(location.href);
  url.searchParams.set("user", String(state.user));
  history.replaceState(null, "", url);
  $('[data-testid="toast-area"]').replaceChildren();
  await loadSlice();
  render();
}

function setupControls() {
  const ids = state.people.map((m) => m.id).sort((a, b) => a - b);
  const select = $('[data-testid="user-switcher"]');
  select.replaceChildren(
    ...ids.map((id) =>
      h("option", { value: String(id), "data-testid": `user-option-${id}` }, `${userName(id)} · ${roleLabel(id).replace("_", " ")}`),
    ),
  );
  select.addEventListener("change", () => {
    // Read now: a change still on its way renders the old member's page (and the switcher).
    const user = Number(select.value);
    busy(() => switchTo(user));
  });
  state.user = readUserFromUrl(ids);

  for (const b of document.querySelectorAll("[data-filter]")) {
    b.addEventListener("click", () => {
      state.filter = b.dataset.filter;
      render();
    });
  }
  $('[data-testid="why-not-toggle"]').addEventListener("change", (e) => {
    state.whyNot = e.target.checked;
    render();
  });
  document.addEventListener("click", (e) => {
    if (state.openMenu !== null && !e.target.closest(".menu-wrap")) closeMenu();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") closeMenu();
  });
}

async function boot() {
  const bootEl = $('[data-testid="boot"]');
  try {
    const [people] = await Promise.all([
      fetch("/api/people").then((r) => {
        if (!r.ok) throw new Error(`/api/people: HTTP ${r.status}`);
        return r.json();
      }),
      init(),
    ]);
    state.people = people;
    setupControls();
    await loadSlice();
    // Demo seed: one project starts pinned, as if a teammate had pinned it earlier.
    state.pins.set(1003, Date.now() - 86_400_000);
    render();
    bootEl.remove();
    document.body.dataset.ready = "true";
  } catch (e) {
    bootEl.classList.add("error");
    bootEl.setAttribute("data-testid", "boot-error");
    bootEl.textContent = `Could not load the policy: ${e.message}`;
    console.error(e);
  }
}

boot();
