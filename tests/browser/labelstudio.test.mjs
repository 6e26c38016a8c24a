// Label Studio's own web UI through LabelGate, in a real Chromium (issue 13). The stack of
// tests/labelstudio/stack.py (Label Studio 1.23.2 on 127.0.0.1, the Worker with its store in
// front, roles given through the administration API) is started; each member signs in
// through the Worker's /user/login/ with Label Studio's own form, then visits the project list,
// a project's Data Manager, its settings and the organization page. The test asserts exactly
// which of the gated controls each role sees, that the pages a role may not open answer an
// HTML page saying why (and the danger zone typed by hand), that the reviewer pins a project
// (the label, the notice, Undo: Label Studio's own state read directly each time), and that
// the pending and the deactivated member are refused with a clear page. A screenshot of every
// role and page is saved in artifacts/screenshots/ (ui-<role>-<page>.png).
//
// Needs the Label Studio venv (scripts/setup-label-studio.sh), the built Worker and Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import readline from "node:readline";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, REPO } from "./chromium.mjs";

const PYTHON = join(REPO, ".cache/label-studio-venv/bin/python");
const SHOTS = join(REPO, "artifacts/screenshots");
let stack;
let child;
let browser;

before(async () => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run scripts/setup-label-studio.sh`);
  mkdirSync(SHOTS, { recursive: true });
  child = spawn(PYTHON, [join(REPO, "tests/labelstudio/stack.py"), "--port", "0", "--worker-port", "0", "--json"], {
    cwd: REPO, stdio: ["ignore", "pipe", "inherit"], detached: true,
  });
  stack = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on("line", (l) => { if (l.startsWith("{")) resolve(JSON.parse(l)); });
    child.once("exit", (code) => reject(new Error(`the stack exited (${code})`)));
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    process.kill(-child.pid, "SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
});

/** A signed-in page for `role` (Label Studio's own sign-in form, through the Worker). */
async function signIn(role) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const u = stack.users[role];
  await page.goto(`${stack.worker}/user/login/`);
  await page.fill('input[name="email"]', u.email);
  await page.fill('input[name="password"]', u.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"], input[type="submit"]')]);
  return page;
}

/** Opens `path` and waits until LabelGate's script has decided the page's controls. */
async function visit(page, path, ...waitFor) {
  const resp = await page.goto(`${stack.worker}${path}`);
  if (resp.status() !== 200) return resp;
  await page.waitForSelector("html[data-labelgate='ready']", { timeout: 20_000 });
  for (const sel of waitFor) await page.waitForSelector(sel, { state: "attached", timeout: 20_000 });
  await page.waitForTimeout(300);
  return resp;
}

const shown = (page, sel) => page.locator(sel).first().isVisible().catch(() => false);
const shot = (page, role, name) => page.screenshot({ path: join(SHOTS, `ui-${role}-${name}.png`) });

/** What each role sees (the seeds' matrix: Create, Import, Export, Settings, Danger Zone,
 * Tasks Actions, the card's Label and Pin, Invite, Organization, Activity log). */
const SEES = {
  owner: { create: true, import: true, export: true, settings: true, danger: true, actions: true, pin: true, org: true, invite: true, activity: true, roles: true },
  administrator: { create: true, import: true, export: true, settings: true, danger: true, actions: true, pin: true, org: true, invite: true, activity: true, roles: true },
  manager: { create: true, import: true, export: true, settings: true, danger: true, actions: true, pin: true, org: true, invite: false, activity: false, roles: false },
  reviewer: { create: false, import: false, export: false, settings: false, danger: false, actions: false, pin: true, org: false, invite: false, activity: false, roles: false },
  annotator: { create: false, import: false, export: false, settings: false, danger: false, actions: false, pin: false, org: false, invite: false, activity: false, roles: false },
};

for (const [role, sees] of Object.entries(SEES)) {
  test(`${role}: exactly the controls the role may use`, async () => {
    const page = await signIn(role);
    const p = stack.projects.triage;
    try {
      await visit(page, "/projects/", ".lsf-project-card");
      await shot(page, role, "projects");
      assert.equal(await shown(page, 'button[aria-label="Create new project"]'), sees.create, "Create");
      const card = page.locator(`a.lsf-projects-page__link[href^="/projects/${p}/"]`);
      assert.equal(await card.count(), 1, "the triage project's card");
      await card.locator('button[aria-label="Project options"]').click();
      await page.waitForTimeout(500);
      assert.equal(await shown(page, `.lsf-dropdown.lsf-visible a[href="/projects/${p}/settings"]`), sees.settings, "card menu: Settings");
      assert.equal(await shown(page, `.lsf-dropdown.lsf-visible a[href*="labeling=1"]`), true, "card menu: Label");
      assert.equal(await shown(page, ".lsf-dropdown.lsf-visible .lg-pin"), sees.pin, "card menu: Pin");
      await shot(page, role, "project-menu");
      await page.keyboard.press("Escape");

      // The Data Manager's toolbar (its task list needs view_data: an annotator without the
      // own-data setting gets none).
      await visit(page, `/projects/${p}/data`, 'button[aria-label="Tasks Actions"], [data-testid="dm-import-button"]');
      await page.waitForTimeout(1000);
      await shot(page, role, "data-manager");
      assert.equal(await shown(page, '[data-testid="dm-import-button"]'), sees.import, "Import");
      assert.equal(await shown(page, '[data-testid="dm-export-button"]'), sees.export, "Export");
      assert.equal(await shown(page, 'button[aria-label="Tasks Actions"]'), sees.actions, "Tasks Actions");

      const settings = await visit(page, `/projects/${p}/settings`);
      if (sees.settings) {
        await page.waitForSelector(".lsf-sidebar-menu__navigation a", { timeout: 20_000 });
        await page.waitForTimeout(500);
        assert.equal(await shown(page, 'a[href$="/settings/danger-zone"]'), sees.danger, "Danger Zone tab");
        assert.equal(await shown(page, 'a[href$="/settings/labeling"]'), true, "Labeling tab");
      } else {
        assert.equal(settings.status(), 403);
        assert.match(await page.textContent("#labelgate-refusal"), /may never `project\.update`|role_lacks_permission/);
      }
      await shot(page, role, "settings");

      const org = await visit(page, "/organization", ...(sees.org ? [".lsf-people-list__user"] : []));
      if (sees.org) {
        await page.waitForTimeout(1500);
        assert.equal(await shown(page, 'button[aria-label="Invite new member"]'), sees.invite, "Add Members");
        assert.equal(await shown(page, ".lg-activity-link"), sees.activity, "Activity log link");
        assert.equal(await shown(page, ".lg-role"), sees.roles, "role drop-downs");
        if (!sees.roles) assert.ok(await shown(page, ".lg-role-label"), "roles shown as labels");
      } else {
        assert.equal(org.status(), 403);
        assert.match(await page.textContent("#labelgate-refusal"), /org\.view_members/);
      }
      await shot(page, role, "organization");
    } finally {
      await page.context().close();
    }
  });
}

/** Label Studio's own state of a project (read directly, not through the Worker). */
async function direct(path) {
  const r = await fetch(`${stack.label_studio}${path}`, { headers: { authorization: `Token ${stack.admin_token}` } });
  return r.json();
}

test("the reviewer pins a project: the label, the notice, and Undo", async () => {
  const page = await signIn("reviewer");
  const p = stack.projects.triage;
  try {
    await visit(page, "/projects/", ".lsf-project-card");
    assert.equal((await direct(`/api/projects/${p}/`)).pinned_at, null);
    const card = page.locator(`a.lsf-projects-page__link[href^="/projects/${p}/"]`);
    await card.locator('button[aria-label="Project options"]').click();
    await page.locator(".lsf-dropdown.lsf-visible .lg-pin").click();
    await page.waitForSelector(".lg-notice", { timeout: 10_000 });
    assert.match(await page.textContent(".lg-notice"), /Project pinned/);
    await page.waitForSelector(`a.lsf-projects-page__link[href^="/projects/${p}/"] .lg-pinned-badge`);
    assert.ok((await direct(`/api/projects/${p}/`)).pinned_at, "Label Studio holds the pin");
    await shot(page, "reviewer", "pinned");
    // The filter: Pinned shows it, Unpinned hides it.
    await page.selectOption('select[aria-label="Pinned filter"]', "unpinned");
    await card.waitFor({ state: "hidden" });
    await page.selectOption('select[aria-label="Pinned filter"]', "pinned");
    await card.waitFor({ state: "visible" });
    await page.selectOption('select[aria-label="Pinned filter"]', "all");
    await page.click(".lg-notice button");
    await page.waitForSelector(`a.lsf-projects-page__link[href^="/projects/${p}/"] .lg-pinned-badge`, { state: "detached" });
    await page.waitForTimeout(500);
    assert.equal((await direct(`/api/projects/${p}/`)).pinned_at, null, "Undo unpinned it in Label Studio");
    await shot(page, "reviewer", "unpinned");
  } finally {
    await page.context().close();
  }
});

for (const [role, reason] of [["pending", "not_activated"], ["gone", "deactivated"]]) {
  test(`the ${role === "gone" ? "deactivated" : "pending"} member gets a clear refusal page`, async () => {
    const page = await signIn(role);
    try {
      const r = await page.goto(`${stack.worker}/projects/`);
      assert.equal(r.status(), 403);
      const text = await page.textContent("#labelgate-refusal");
      assert.match(text, new RegExp(reason));
      assert.match(text, /Back to your projects/);
      await shot(page, role, "refused");
    } finally {
      await page.context().close();
    }
  });
}

test("the annotator types the danger zone's address: the 403 page, nothing of Label Studio's", async () => {
  const page = await signIn("annotator");
  try {
    const r = await page.goto(`${stack.worker}/projects/${stack.projects.triage}/settings/danger-zone`);
    assert.equal(r.status(), 403);
    assert.match(await page.textContent("#labelgate-refusal"), /project\.delete/);
    assert.equal(await page.locator("button:has-text('Delete Project')").count(), 0);
    await shot(page, "annotator", "danger-zone");
  } finally {
    await page.context().close();
  }
});

test("without a session a page sends the browser to the sign-in page, and back after it", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${stack.worker}/projects/${stack.projects.triage}/data`);
    assert.match(page.url(), /\/user\/login\/\?next=\/projects\/\d+\/data/);
  } finally {
    await context.close();
  }
});

test("the activity log page: served by the Worker, with its filters, for those allowed", async () => {
  const page = await signIn("administrator");
  try {
    await page.goto(`${stack.worker}/labelgate/activity?allow=false`);
    await page.waitForSelector("#rows tr td");
    await page.waitForFunction(() => !/Loading/.test(document.querySelector("#rows").textContent));
    assert.match(await page.textContent("#where"), /records/);
    assert.ok(await page.locator("#rows td.deny").count() > 0, "refusals listed");
    await shot(page, "administrator", "activity");
  } finally {
    await page.context().close();
  }
  const reviewer = await signIn("reviewer");
  try {
    const r = await reviewer.goto(`${stack.worker}/labelgate/activity`);
    assert.equal(r.status(), 403);
  } finally {
    await reviewer.context().close();
  }
});
