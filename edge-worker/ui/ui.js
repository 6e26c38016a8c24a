// LabelGate in Label Studio's own web UI. The Worker injects this script (and a style that
// hides every control it gates) into every Label Studio page. It loads the browser package
// (the same policy core as the Worker, as WebAssembly) and the signed-in member's slice
// (GET /api/labelgate/me: their membership and reach, nothing about anyone else), decides
// each gated control for this member, and marks the allowed ones data-lg="ok" (the style
// shows only those). A MutationObserver keeps this true through React's re-renders and
// client-side navigation; the script runs once per page load (Label Studio re-runs head
// scripts when it swaps pages: the second run only re-applies).
//
// It also adds what Community lacks and the seeds describe, through Label Studio's own API and
// LabelGate's: pinning (Pin/Unpin on a project card's menu, a Pinned label, a Pinned /
// Unpinned / All filter, a notice with Undo), roles on the organization's members list (a
// drop-down for those who may change roles), and a link to the activity log.
//
// The Worker still decides every request: hiding a control is for the member's eyes only.

const G = (window.__labelgate ??= {});
if (G.apply) {
  G.apply();
} else {
  G.apply = () => {};
  start().catch((e) => console.error("labelgate:", e));
}

async function start() {
  const [pkg, me] = await Promise.all([
    import("/__labelgate/ui/pkg/labelgate.js"),
    fetch("/api/labelgate/me", { credentials: "same-origin", headers: { accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null)),
  ]);
  if (!me) return; // not signed in, or refused: every gated control stays hidden
  await pkg.default({ module_or_path: "/__labelgate/ui/pkg/labelgate_bg.wasm" });
  const policy = pkg.Policy.load(me.slice);
  const decide = (p, action, resource = {}) =>
    p.decide({ principal: me.principal, org: me.org, action, resource }).allow;
  const can = (action, resource) => decide(policy, action, resource);
  G.me = me;
  G.can = can;

  // Creating a project: in a workspace the member may create in, or in their sandbox (the
  // Worker makes it on first use: decided as if it existed).
  const org = me.slice.organizations[0];
  let mayCreate = (org?.workspaces ?? []).some((w) => can("workspace.create_project", { workspace: w.id }));
  if (!mayCreate && org && !org.workspaces.some((w) => w.sandbox_of === me.principal.user)) {
    const slice = structuredClone(me.slice);
    const sandbox = 2 ** 50;
    slice.organizations[0].workspaces.push({ id: sandbox, name: "Sandbox", members: [], sandbox_of: me.principal.user });
    const withSandbox = pkg.Policy.load(slice);
    mayCreate = decide(withSandbox, "workspace.create_project", { workspace: sandbox });
    withSandbox.free();
  }

  const here = () => Number(location.pathname.match(/^\/projects\/(\d+)/)?.[1]) || undefined;
  const projectOf = (el) => {
    const a = el.closest?.("a[href^='/projects/']") ?? (el.matches?.("a[href^='/projects/']") ? el : null);
    const id = Number(a?.getAttribute("href").match(/^\/projects\/(\d+)/)?.[1]);
    return id || here();
  };
  const onProject = (action) => (el) => {
    const project = projectOf(el);
    return project !== undefined && can(action, { project });
  };

  // Keep in step with ui.css.
  const RULES = [
    ['button[aria-label="Create new project"]', () => mayCreate],
    ['[data-testid="dm-import-button"], [data-testid="dm-connect-source-storage-button"]', onProject("project.import")],
    ['[data-testid="dm-export-button"]', onProject("project.export")],
    ['button[aria-label="Tasks Actions"]', onProject("project.update")],
    ['a[href*="/settings/danger-zone"]', onProject("project.delete")],
    ['a[href*="/settings"]', (el) => el.getAttribute("href").startsWith("/projects/") ? onProject("project.update")(el) : true],
    ['a[href*="labeling=1"]', onProject("project.label")],
    ['button[aria-label="Invite new member"]', () => can("org.invite")],
    ['a[href="/organization"], a[href="/organization/"], a[href="/people"], a[href="/people/"], a[href="/models"], a[href="/models/"]',
      () => can("org.view_members")],
  ];

  const mark = (el, ok, key) => {
    if (el.dataset.lgKey === key) return;
    el.dataset.lgKey = key;
    el.dataset.lg = ok ? "ok" : "no";
  };
  const apply = () => {
    for (const [sel, ok] of RULES) {
      for (const el of document.querySelectorAll(sel)) {
        if (el.dataset.lg && el.dataset.lgKey === `${sel}@${el.getAttribute("href") ?? ""}@${location.pathname}`) continue;
        // The first rule that matches an element decides it (danger zone before settings).
        const first = RULES.find(([s]) => el.matches(s));
        if (first[0] !== sel) continue;
        mark(el, ok(el), `${sel}@${el.getAttribute("href") ?? ""}@${location.pathname}`);
      }
    }
    pinning();
    roles();
    activityLink();
  };
  let queued = false;
  G.apply = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; apply(); });
  };

  // ---- Pinning (Community keeps `pinned_at` but draws no control).
  const pinned = new Map(); // project -> pinned_at (null: not pinned)
  let asking = false;
  async function learnPins(ids) {
    const missing = ids.filter((id) => !pinned.has(id));
    if (!missing.length || asking) return;
    asking = true;
    try {
      const r = await fetch(`/api/projects/?ids=${missing.join(",")}&page_size=${missing.length}`, { credentials: "same-origin" });
      if (r.ok) for (const p of (await r.json()).results ?? []) pinned.set(p.id, p.pinned_at ?? null);
      for (const id of missing) if (!pinned.has(id)) pinned.set(id, null);
    } finally {
      asking = false;
    }
    G.apply();
  }
  function pinning() {
    const cards = [...document.querySelectorAll("a.lsf-projects-page__link[href^='/projects/']")];
    if (cards.length) {
      learnPins(cards.map(projectOf).filter(Boolean));
      filterBar();
    }
    const filter = sessionStorage.getItem("labelgate-pin-filter") ?? "all";
    for (const a of cards) {
      const id = projectOf(a);
      const at = pinned.get(id);
      const title = a.querySelector(".lsf-project-card__title-text");
      let badge = a.querySelector(".lg-pinned-badge");
      if (at && !badge && title) {
        badge = document.createElement("span");
        badge.className = "lg-pinned-badge";
        badge.textContent = "Pinned";
        title.after(badge);
      } else if (!at && badge) {
        badge.remove();
      }
      const out = (filter === "pinned" && !at) || (filter === "unpinned" && at);
      a.classList.toggle("lg-filtered-out", Boolean(out) && pinned.has(id));
    }
    // The card's "..." menu (portalled into <body>): Pin / Unpin where the member may.
    for (const link of document.querySelectorAll(".lsf-dropdown a[href*='labeling=1'], .lsf-dropdown a[href$='/settings']")) {
      const menu = link.closest(".lsf-dropdown") ?? link.parentElement;
      const id = projectOf(link);
      if (!menu || !id || menu.querySelector(".lg-pin")) continue;
      const isPinned = Boolean(pinned.get(id));
      const action = isPinned ? "project.unpin" : "project.pin";
      if (!can(action, { project: id })) continue;
      const item = document.createElement("button");
      item.type = "button";
      item.className = "lsf-main-menu__item lg-menu-item lg-pin";
      item.textContent = isPinned ? "Unpin project" : "Pin project";
      item.addEventListener("click", (e) => {
        e.preventDefault();
        e.stopPropagation();
        setPin(id, !isPinned, true);
        document.body.click();
      });
      const li = document.createElement("li");
      li.append(item);
      (link.closest("ul") ?? link.parentElement).append(li);
    }
  }
  async function setPin(id, on, undoable) {
    const at = on ? new Date().toISOString() : null;
    const r = await fetch(`/api/projects/${id}/`, {
      method: "PATCH", credentials: "same-origin",
      headers: { "content-type": "application/json" }, body: JSON.stringify({ pinned_at: at }),
    });
    if (!r.ok) {
      notice(`Could not ${on ? "pin" : "unpin"} the project: ${(await r.json().catch(() => ({}))).message ?? r.status}`);
      return;
    }
    pinned.set(id, at);
    document.querySelectorAll(".lg-pin").forEach((b) => b.remove());
    G.apply();
    if (undoable) notice(on ? "Project pinned" : "Project unpinned", () => setPin(id, !on, false));
  }
  function notice(text, undo) {
    document.querySelector(".lg-notice")?.remove();
    const n = document.createElement("div");
    n.className = "lg-notice";
    n.setAttribute("role", "status");
    n.textContent = text;
    if (undo) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = "Undo";
      b.addEventListener("click", () => { n.remove(); undo(); });
      n.append(b);
    }
    document.body.append(n);
    setTimeout(() => n.remove(), 10_000);
  }
  function filterBar() {
    const list = document.querySelector(".lsf-projects-page__list");
    if (!list || document.querySelector(".lg-toolbar")) return;
    const bar = document.createElement("div");
    bar.className = "lg-toolbar";
    bar.innerHTML = '<label>Show <select aria-label="Pinned filter"><option value="all">All projects</option>' +
      '<option value="pinned">Pinned</option><option value="unpinned">Unpinned</option></select></label>';
    const select = bar.querySelector("select");
    select.value = sessionStorage.getItem("labelgate-pin-filter") ?? "all";
    select.addEventListener("change", () => { sessionStorage.setItem("labelgate-pin-filter", select.value); G.apply(); });
    list.before(bar);
  }

  // ---- Roles on the organization's members list (for those who may change roles).
  const ROLES = [["OW", "Owner"], ["AD", "Administrator"], ["MA", "Manager"], ["RE", "Reviewer"],
    ["AN", "Annotator"], ["NO", "Not Activated"], ["DI", "Deactivated"]];
  const NAMES = { OW: "owner", AD: "administrator", MA: "manager", RE: "reviewer", AN: "annotator", NO: "not_activated", DI: "deactivated" };
  let members = null;
  let loadingMembers = false;
  async function loadMembers() {
    if (members || loadingMembers) return;
    loadingMembers = true;
    const r = await fetch(`/api/labelgate/members?page_size=1000`, { credentials: "same-origin" });
    members = new Map();
    if (r.ok) for (const m of (await r.json()).results ?? []) members.set(m.user?.email?.toLowerCase(), m);
    loadingMembers = false;
    G.apply();
  }
  // Changing a role is decided on the target's membership (owner protection, their current
  // role): the slice holds only the member's own, so the listed members' are added to a copy.
  let withMembers = null;
  function roles() {
    if (!/^\/(organization|people)/.test(location.pathname) || !can("org.view_members")) return;
    const rows = [...document.querySelectorAll(".lsf-people-list__user")];
    if (!rows.length) return;
    if (!members) { loadMembers(); return; }
    if (!withMembers) {
      const slice = structuredClone(me.slice);
      const o = slice.organizations[0];
      for (const m of members.values()) {
        if (!o.members.some((x) => x.user === m.user_id)) {
          o.members.push({ user: m.user_id, role: NAMES[m.role] === "not_activated" || NAMES[m.role] === "deactivated" ? null : NAMES[m.role], status: m.status });
        }
      }
      withMembers = pkg.Policy.load(slice);
    }
    const header = document.querySelector(".lsf-people-list__header");
    if (header && !header.querySelector(".lg-role-field")) {
      const h = document.createElement("div");
      h.className = "lsf-people-list__column lg-role-field";
      h.textContent = "Role";
      header.append(h);
    }
    for (const row of rows) {
      if (row.querySelector(".lg-role-field")) continue;
      const email = row.querySelector(".lsf-email")?.textContent.trim().toLowerCase();
      const m = members.get(email);
      const cell = document.createElement("div");
      cell.className = "lsf-people-list__field lg-role-field";
      cell.addEventListener("click", (e) => e.stopPropagation());
      row.append(cell);
      if (!m) continue;
      const allowed = ROLES.filter(([code]) => code === m.role ||
        decide(withMembers, "org.change_role", { member: m.user_id, role: NAMES[code] }));
      if (allowed.length > 1) {
        const select = document.createElement("select");
        select.className = "lg-role";
        select.setAttribute("aria-label", `Role of ${email}`);
        for (const [code, label] of allowed) select.add(new Option(label, code, false, code === m.role));
        select.addEventListener("change", async () => {
          const r = await fetch(`/api/organizations/${me.org}/memberships`, {
            method: "PATCH", credentials: "same-origin", headers: { "content-type": "application/json" },
            body: JSON.stringify({ user_id: m.user_id, role: select.value }),
          });
          const body = await r.json().catch(() => ({}));
          if (r.ok) { m.role = select.value; notice(`${email} is now ${select.selectedOptions[0].text}`); }
          else { select.value = m.role; notice(`Not changed: ${body.message ?? r.status}`); }
        });
        cell.append(select);
      } else {
        const label = document.createElement("span");
        label.className = "lg-role-label";
        label.textContent = (ROLES.find(([c]) => c === m.role) ?? ["", m.role ?? "—"])[1];
        cell.append(label);
      }
    }
  }

  // ---- The activity log (served by the Worker from the log it keeps).
  function activityLink() {
    if (!/^\/organization/.test(location.pathname) || !can("org.view_activity_log")) return;
    if (document.querySelector(".lg-activity-link")) return;
    const host = document.querySelector(".lsf-content-wrapper__content, #dynamic-content, main");
    if (!host) return;
    const a = document.createElement("a");
    a.className = "lg-activity-link";
    a.href = "/labelgate/activity";
    a.dataset.external = "true";
    a.textContent = "Activity log";
    host.prepend(a);
  }

  new MutationObserver(G.apply).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["href"],
  });
  apply();
  document.documentElement.dataset.labelgate = "ready";
}
