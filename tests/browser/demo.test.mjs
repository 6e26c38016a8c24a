// The browser demo (demo/), in Debian's Chromium: for every demo user, exactly which buttons
// and menu items each visible project card holds, the workspace sidebar, the pin filter, and
// pin -> page state -> Undo. Saves a full-page screenshot per user to artifacts/screenshots/.
//
//   bash scripts/setup-browser.sh     # /usr/bin/chromium, once
//   node --test tests/browser/
//
// The expectations are a table (EXPECTED below), transcribed from the native core
// (`cargo run -q -p policy-core --example demo`), never computed with the wasm package. When
// cargo is available the first subtest also checks the table against the native core's
// `native_cases allowed-demo`; set LABELGATE_SKIP_NATIVE=1 to skip that check.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, REPO, startServer, stopServer } from "./chromium.mjs";

const SHOTS = join(REPO, "artifacts", "screenshots");

// ---------------------------------------------------------------------------------------------
// Expectations (the native core's answers for the demo organization)

/** The role matrix's SHA-256, as `cargo run -q -p policy-core --example demo` prints it. */
const POLICY_ID = "b41eabae4fbe9fe92f11245870af428b7d17910acc31f4ee65ae98b4e064c285";

/** The actions the page shows, by where they live on a card. */
const MENU_ACTIONS = ["project.pin", "project.unpin", "project.duplicate", "project.update", "project.delete"];
const BUTTON_ACTIONS = ["project.import", "project.export", "project.assign_annotators", "project.assign_reviewers"];
const SHOWN = [...MENU_ACTIONS, ...BUTTON_ACTIONS];

const ALL = SHOWN;
const ALL_BUT_DUPLICATE = SHOWN.filter((a) => a !== "project.duplicate");
const REVIEWER = ["project.pin", "project.unpin", "project.assign_annotators"];

/**
 * Per demo user: role, visible workspaces (the sidebar), and for each visible project the
 * allowed actions among SHOWN. From the native demo (and `native_cases allowed-demo`).
 */
const EXPECTED = {
  10: { name: "Olivia Owner", role: "owner", workspaces: [100, 102, 103], projects: { 1000: ALL, 1001: ALL, 1003: ALL, 1004: ALL } },
  11: { name: "Adam Administrator", role: "administrator", workspaces: [100, 102, 103, 104], projects: { 1000: ALL, 1001: ALL, 1003: ALL, 1004: ALL, 1005: ALL } },
  12: { name: "Maya Manager", role: "manager", workspaces: [100, 101, 102, 103], projects: { 1000: ALL, 1001: ALL, 1002: ALL, 1003: ALL_BUT_DUPLICATE } },
  13: { name: "Rita Reviewer", role: "reviewer", workspaces: [], projects: { 1000: REVIEWER, 1003: REVIEWER } },
  14: { name: "Ann Annotator", role: "annotator", workspaces: [], projects: { 1000: [], 1001: [] } },
  15: { name: "Paul Pending", role: "not_activated", workspaces: [], projects: {}, notice: "user `15` has signed up to organization `1` but has not been given a role yet" },
  16: { name: "Dan Deactivated", role: "deactivated", workspaces: [], projects: {}, notice: "user `16` is deactivated in organization `1`" },
  17: { name: "Mark Manager", role: "manager", workspaces: [100, 102, 103], projects: { 1003: ALL, 1004: ALL } },
};

/** The page seeds one pinned project (1003); everything else starts unpinned. */
const SEEDED_PINS = [1003];

/** What a card shows when "why not?" is off: allowed actions, with Pin xor Unpin by state. */
function shownActions(allowed, pinned) {
  return SHOWN.filter((a) => allowed.includes(a))
    .filter((a) => (pinned ? a !== "project.pin" : a !== "project.unpin"))
    .sort();
}
/** Every action slot a card has when "why not?" is on. */
function allSlots(pinned) {
  return SHOWN.filter((a) => (pinned ? a !== "project.pin" : a !== "project.unpin")).sort();
}
/** Pinned first (most recently pinned first), then by id. */
function expectedOrder(ids, pins) {
  const pinned = pins.filter((id) => ids.includes(id));
  return [...pinned, ...ids.filter((id) => !pins.includes(id)).sort((a, b) => a - b)];
}
function screenshotName(user) {
  return `${user}-${EXPECTED[user].role}`;
}

// ---------------------------------------------------------------------------------------------
// Server and browser


/** Everything the assertions need from the page, read in one go (once no change is pending:
 * the page asks the server for changes and for the member's slice). */
async function readPage(page) {
  await page.waitForFunction(() => !document.body.dataset.busy);
  return page.evaluate(() => {
    const shown = (el) => !!el && !el.hidden && getComputedStyle(el).display !== "none";
    const nav = document.querySelector('[data-testid="workspace-sidebar"]');
    const notice = document.querySelector('[data-testid="access-notice"]');
    const cards = [...document.querySelectorAll("article[data-project-id]")].map((card) => {
      const id = Number(card.dataset.projectId);
      const actions = [...card.querySelectorAll("[data-action]")].map((el) => ({
        action: el.dataset.action,
        where: el.closest('[role="menu"]') ? "menu" : el.closest(".card-actions") ? "button" : "elsewhere",
        disabled: el.disabled,
        title: el.getAttribute("title"),
        reason: el.dataset.reason ?? null,
      }));
      return {
        id,
        pinned: card.dataset.pinned === "true",
        pinFlag: !!card.querySelector(`[data-testid="pinned-${id}"]`),
        menuToggle: !!card.querySelector(`[data-testid="menu-toggle-${id}"]`),
        whyNot: [...card.querySelectorAll("[data-denied-action]")].map((li) => ({
          action: li.dataset.deniedAction,
          reason: li.dataset.reason,
          text: li.textContent,
        })),
        actions,
      };
    });
    return {
      ready: document.body.dataset.ready === "true",
      user: Number(document.body.dataset.user),
      role: document.body.dataset.role,
      orgName: document.querySelector('[data-testid="org-name"]').textContent,
      policyId: document.querySelector('[data-testid="policy-id"]').dataset.policyId,
      switcher: [...document.querySelectorAll('[data-testid="user-switcher"] option')].map((o) => Number(o.value)),
      sidebar: shown(nav),
      workspaces: [...(nav?.querySelectorAll("[data-workspace]") ?? [])]
        .map((b) => b.dataset.workspace)
        .filter((w) => w !== "all")
        .map(Number),
      notice: shown(notice) ? { reason: notice.dataset.reason, text: notice.textContent } : null,
      toolbar: shown(document.querySelector('[data-testid="toolbar"]')),
      cards,
      undo: shown(document.querySelector('[data-testid="undo-notice"]'))
        ? document.querySelector('[data-testid="undo-notice"]').textContent
        : null,
    };
  });
}

async function selectUser(page, user) {
  await page.selectOption('[data-testid="user-switcher"]', String(user));
  await page.waitForFunction((u) => document.body.dataset.user === String(u), user);
}

async function setWhyNot(page, on) {
  const box = page.locator('[data-testid="why-not-toggle"]');
  if ((await box.isChecked()) !== on) await page.locator("label.toggle").click();
  assert.equal(await box.isChecked(), on);
}

// ---------------------------------------------------------------------------------------------
// The test

test("browser demo in Chromium", { timeout: 300_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    assert.fail(`${CHROMIUM} is missing: run \`bash scripts/setup-browser.sh\` first`);
  }

  await t.test("the expectation table agrees with the native core", async (t) => {
    if (process.env.LABELGATE_SKIP_NATIVE === "1") return t.skip("LABELGATE_SKIP_NATIVE=1");
    const run = spawnSync("cargo", ["run", "--release", "-q", "-p", "labelgate-tests", "--bin", "native_cases", "--", "allowed-demo"], {
      cwd: REPO,
      encoding: "utf8",
      timeout: 120_000,
      maxBuffer: 64 << 20,
    });
    if (run.error || run.status !== 0) {
      const why = run.error?.message ?? run.stderr.trim().split("\n").slice(-3).join(" | ");
      return t.skip(`native_cases allowed-demo unavailable (${why})`);
    }
    const native = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(native.map((n) => n.user).sort(), Object.keys(EXPECTED).map(Number).sort());
    for (const n of native) {
      const e = EXPECTED[n.user];
      assert.deepEqual(n.workspaces, e.workspaces, `user ${n.user}: visible workspaces`);
      assert.deepEqual(n.projects.map((p) => p.project), Object.keys(e.projects).map(Number), `user ${n.user}: visible projects`);
      for (const p of n.projects) {
        assert.deepEqual(
          SHOWN.filter((a) => p.actions.includes(a)).sort(),
          [...e.projects[p.project]].sort(),
          `user ${n.user}, project ${p.project}: allowed actions among the page's buttons`,
        );
      }
    }
  });

  mkdirSync(SHOTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "labelgate-chromium-"));
  let server = null;
  let context = null;
  try {
    server = await startServer();
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
      acceptDownloads: false,
    });
    // Nothing leaves 127.0.0.1.
    const offsite = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1" || url.protocol === "data:" || url.protocol === "blob:") return route.continue();
      offsite.push(url.href);
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const problems = [];
    const requested = [];
    page.on("request", (r) => requested.push(new URL(r.url()).pathname));
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
    });

    await page.goto(`${server.url}/?user=10`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });

    await t.test("header: org name, policy id, one switcher entry per demo user", async () => {
      const s = await readPage(page);
      assert.equal(s.orgName, "Acme Labeling");
      assert.equal(s.policyId, POLICY_ID);
      assert.match(await page.locator('[data-testid="policy-id"]').innerText(), new RegExp(POLICY_ID.slice(0, 12)));
      assert.deepEqual(s.switcher, Object.keys(EXPECTED).map(Number));
    });

    await t.test("the page gets the member's slice, never the whole organization", async () => {
      assert.ok(requested.includes("/api/me"), "the slice was asked for");
      assert.equal((await fetch(`${server.url}/snapshot.json`)).status, 404, "no whole snapshot is served");
      const me = await (await fetch(`${server.url}/api/me?user=14`)).json();
      const org = me.slice.organizations[0];
      assert.deepEqual(me.principal, { user: 14 });
      assert.deepEqual(me.slice.users.map((u) => u.id), [14], "only her own user entry");
      assert.deepEqual(org.members.map((m) => m.user).sort(), [10, 14], "her membership and the owner's");
      assert.deepEqual(org.projects.map((p) => p.id), Object.keys(EXPECTED[14].projects).map(Number), "only the projects she reaches");
      const text = JSON.stringify(me);
      for (const email of ["olivia@", "adam@", "maya@", "rita@", "paul@", "dan@", "mark@"]) {
        assert.ok(!text.includes(email), `no other member's email (${email})`);
      }
      // A change is decided by the server with the same core: Ann may not delete a project.
      const r = await fetch(`${server.url}/api/change`, { method: "POST", body: JSON.stringify({ user: 14, op: "delete", project: 1000 }) });
      assert.equal(r.status, 403);
      assert.match((await r.json()).message, /annotator/);
    });

    for (const key of Object.keys(EXPECTED)) {
      const user = Number(key);
      const e = EXPECTED[user];
      await t.test(`user ${user} ${e.name} (${e.role}): cards, actions, sidebar`, async () => {
        await selectUser(page, user);
        const s = await readPage(page);
        assert.equal(s.role, e.role);
        const ids = Object.keys(e.projects).map(Number);
        assert.deepEqual(s.cards.map((c) => c.id), expectedOrder(ids, SEEDED_PINS), "visible projects, pinned first");

        // The sidebar: only for the roles that see workspaces, and exactly those workspaces.
        assert.equal(s.sidebar, e.workspaces.length > 0, "sidebar presence");
        assert.deepEqual(s.workspaces, e.workspaces, "sidebar workspaces");

        if (e.notice) {
          assert.ok(s.notice, "an access notice");
          assert.equal(s.notice.reason, e.role);
          assert.ok(s.notice.text.includes(e.notice.replaceAll("`", "")), `notice says: ${e.notice}`);
          assert.equal(s.cards.length, 0);
          assert.equal(s.toolbar, false, "no filter for a user who sees no projects");
        } else {
          assert.equal(s.notice, null);
          assert.equal(s.toolbar, true);
        }

        for (const card of s.cards) {
          const allowed = e.projects[card.id];
          const pinned = SEEDED_PINS.includes(card.id);
          assert.equal(card.pinned, pinned, `project ${card.id}: pin state`);
          assert.equal(card.pinFlag, pinned, `project ${card.id}: pin marker`);
          const got = card.actions.map((a) => a.action).sort();
          assert.deepEqual(got, shownActions(allowed, pinned), `user ${user}, project ${card.id}: actions in the DOM`);
          for (const a of card.actions) {
            assert.equal(a.disabled, false, `${a.action} is enabled`);
            assert.equal(a.where, MENU_ACTIONS.includes(a.action) ? "menu" : "button", `${a.action} lives in the right place`);
          }
          const menuItems = card.actions.filter((a) => a.where === "menu").length;
          assert.equal(card.menuToggle, menuItems > 0, `project ${card.id}: "..." menu only when it has items`);
          assert.deepEqual(card.whyNot, []);
        }

        await page.screenshot({ path: join(SHOTS, `${screenshotName(user)}.png`), fullPage: true, animations: "disabled" });
      });
    }

    await t.test('the "..." menu opens, holds its items, and closes', async () => {
      await selectUser(page, 12);
      const menu = page.locator('[data-testid="menu-1003"]');
      assert.equal(await menu.isVisible(), false);
      await page.click('[data-testid="menu-toggle-1003"]');
      assert.equal(await menu.isVisible(), true);
      const labels = (await menu.locator('[role="menuitem"]').allInnerTexts()).map((s) => s.trim());
      assert.deepEqual(labels, ["Unpin", "Settings", "Delete"], "1003 is pinned; Maya may not duplicate it");
      await page.keyboard.press("Escape");
      assert.equal(await menu.isVisible(), false);
      await page.click('[data-testid="menu-toggle-1000"]');
      const labels1000 = (await page.locator('[data-testid="menu-1000"] [role="menuitem"]').allInnerTexts()).map((s) => s.trim());
      assert.deepEqual(labels1000, ["Pin", "Duplicate", "Settings", "Delete"]);
      await page.click("h1");
      assert.equal(await page.locator('[data-testid="menu-1000"]').isVisible(), false, "a click outside closes it");
    });

    await t.test('"why not?" shows every denied action disabled, with the decision message', async () => {
      await setWhyNot(page, true);
      try {
        for (const key of Object.keys(EXPECTED)) {
          const user = Number(key);
          const e = EXPECTED[user];
          await selectUser(page, user);
          const s = await readPage(page);
          for (const card of s.cards) {
            const allowed = e.projects[card.id];
            const slots = allSlots(card.pinned);
            assert.deepEqual(card.actions.map((a) => a.action).sort(), slots, `user ${user}, project ${card.id}: every slot shown`);
            const enabled = card.actions.filter((a) => !a.disabled).map((a) => a.action).sort();
            assert.deepEqual(enabled, shownActions(allowed, card.pinned), `user ${user}, project ${card.id}: enabled = allowed`);
            const denied = card.actions.filter((a) => a.disabled);
            for (const a of denied) {
              assert.ok(a.title && a.title.length > 10, `${a.action}: a message`);
              assert.ok(a.reason && a.reason !== "allowed", `${a.action}: a reason`);
            }
            assert.deepEqual(card.whyNot.map((w) => w.action).sort(), denied.map((a) => a.action).sort(), "the why-not list");
            if (e.role === "reviewer" || e.role === "annotator") {
              const exp = card.actions.find((a) => a.action === "project.export");
              assert.equal(exp.title, `${e.role} may never \`project.export\``);
              assert.equal(exp.reason, "role_lacks_permission");
            }
          }
          if (user === 12) {
            const dup = s.cards.find((c) => c.id === 1003).actions.find((a) => a.action === "project.duplicate");
            assert.equal(dup.reason, "out_of_scope");
            assert.match(dup.title, /workspace\.create_project/);
            await page.click('[data-testid="menu-toggle-1003"]');
            await page.screenshot({ path: join(SHOTS, "12-manager-why-not.png"), fullPage: true, animations: "disabled" });
            await page.keyboard.press("Escape");
          }
          if (user === 13) await page.screenshot({ path: join(SHOTS, "13-reviewer-why-not.png"), fullPage: true, animations: "disabled" });
        }
      } finally {
        await setWhyNot(page, false);
      }
    });

    await t.test("the Pinned / Unpinned / All filter", async () => {
      await selectUser(page, 10);
      const ids = async () => (await readPage(page)).cards.map((c) => c.id);
      await page.click('[data-testid="filter-pinned"]');
      assert.deepEqual(await ids(), [1003]);
      assert.equal(await page.getAttribute('[data-testid="filter-pinned"]', "aria-pressed"), "true");
      await page.click('[data-testid="filter-unpinned"]');
      assert.deepEqual(await ids(), [1000, 1001, 1004]);
      await selectUser(page, 14);
      await page.click('[data-testid="filter-pinned"]');
      assert.deepEqual(await ids(), []);
      assert.equal(await page.locator('[data-testid="empty-state"]').isVisible(), true, "an empty state");
      await selectUser(page, 10);
      await page.click('[data-testid="filter-all"]');
      assert.deepEqual(await ids(), [1003, 1000, 1001, 1004]);
      assert.equal(await page.locator('[data-testid="empty-state"]').isVisible(), false);
    });

    await t.test("the workspace sidebar filters by workspace", async () => {
      await selectUser(page, 10);
      await page.click('[data-testid="workspace-102"]');
      assert.deepEqual((await readPage(page)).cards.map((c) => c.id), [1003, 1004]);
      assert.equal((await page.innerText('[data-testid="page-title"]')).trim(), "Retail");
      await page.click('[data-testid="workspace-103"]');
      assert.deepEqual((await readPage(page)).cards.map((c) => c.id), []);
      await page.click('[data-testid="workspace-all"]');
      assert.deepEqual((await readPage(page)).cards.map((c) => c.id), [1003, 1000, 1001, 1004]);
    });

    await t.test("pin changes the page, Undo restores it", async () => {
      await selectUser(page, 13); // a reviewer may pin
      let s = await readPage(page);
      assert.deepEqual(s.cards.map((c) => [c.id, c.pinned]), [[1003, true], [1000, false]]);

      // Pin 1000: it moves first (most recently pinned), its menu now offers Unpin.
      await page.click('[data-testid="menu-toggle-1000"]');
      await page.click('[data-testid="menu-pin-1000"]');
      s = await readPage(page);
      assert.deepEqual(s.cards.map((c) => [c.id, c.pinned]), [[1000, true], [1003, true]]);
      assert.deepEqual(s.cards[0].actions.map((a) => a.action).sort(), ["project.assign_annotators", "project.unpin"]);
      assert.match(s.undo ?? "", /Pinned “Chest X-ray triage”/);
      await page.click('[data-testid="filter-pinned"]');
      assert.deepEqual((await readPage(page)).cards.map((c) => c.id), [1000, 1003]);
      await page.click('[data-testid="filter-all"]');

      // Pin state is one value per project: another user sees it too.
      await selectUser(page, 10);
      assert.deepEqual((await readPage(page)).cards.map((c) => [c.id, c.pinned]).slice(0, 2), [[1000, true], [1003, true]]);
      await selectUser(page, 13);

      // Undo (the switch dismissed the notice: pin again through Unpin + Undo of that).
      await page.click('[data-testid="menu-toggle-1000"]');
      await page.click('[data-testid="menu-unpin-1000"]');
      s = await readPage(page);
      assert.deepEqual(s.cards.map((c) => [c.id, c.pinned]), [[1003, true], [1000, false]]);
      assert.match(s.undo ?? "", /Unpinned “Chest X-ray triage”/);
      await page.click('[data-testid="undo-button"]');
      s = await readPage(page);
      assert.deepEqual(s.cards.map((c) => [c.id, c.pinned]), [[1000, true], [1003, true]], "Undo re-pins, at its old place");
      assert.equal(s.undo, null, "the notice goes away");

      // Undo restores the old pinned_at, not a fresh one: 1003 (pinned a day ago) stays second.
      await page.click('[data-testid="menu-toggle-1003"]');
      await page.click('[data-testid="menu-unpin-1003"]');
      assert.deepEqual((await readPage(page)).cards.map((c) => [c.id, c.pinned]), [[1000, true], [1003, false]]);
      await page.click('[data-testid="undo-button"]');
      assert.deepEqual((await readPage(page)).cards.map((c) => [c.id, c.pinned]), [[1000, true], [1003, true]]);

      // Unpin 1000 for good, then pin it and Undo: the seeded state again.
      await page.click('[data-testid="menu-toggle-1000"]');
      await page.click('[data-testid="menu-unpin-1000"]');
      assert.deepEqual((await readPage(page)).cards.map((c) => [c.id, c.pinned]), [[1003, true], [1000, false]]);
      await page.click('[data-testid="menu-toggle-1000"]');
      await page.click('[data-testid="menu-pin-1000"]');
      assert.deepEqual((await readPage(page)).cards.map((c) => [c.id, c.pinned]), [[1000, true], [1003, true]]);
      await page.screenshot({ path: join(SHOTS, "13-reviewer-pinned-undo-notice.png"), fullPage: true, animations: "disabled" });
      await page.click('[data-testid="undo-button"]');
      s = await readPage(page);
      assert.deepEqual(s.cards.map((c) => [c.id, c.pinned]), [[1003, true], [1000, false]]);
      assert.equal(s.undo, null);
    });

    await t.test("Duplicate, Delete and Assign change the policy's facts (policy.update), Undo too", async () => {
      const ids = async () => (await readPage(page)).cards.map((c) => c.id);
      await selectUser(page, 12);
      // Duplicate 1000 (workspace 100, where Maya is a member): the copy is hers, fully managed.
      // Project ids are unique across organizations (org 2 holds 2000): the copy is 2001.
      await page.click('[data-testid="menu-toggle-1000"]');
      await page.click('[data-testid="menu-duplicate-1000"]');
      assert.deepEqual(await ids(), [1003, 1000, 1001, 1002, 2001]);
      assert.equal((await page.innerText('[data-testid="project-title-2001"]')).trim(), "Chest X-ray triage (copy)");
      let copy = (await readPage(page)).cards.find((c) => c.id === 2001);
      assert.deepEqual(copy.actions.map((a) => a.action).sort(), shownActions(ALL, false));
      await page.click('[data-testid="undo-button"]');
      assert.deepEqual(await ids(), [1003, 1000, 1001, 1002]);

      // Delete asks first; Cancel keeps the project, Delete removes it, Undo brings it back.
      await page.click('[data-testid="menu-toggle-1002"]');
      await page.click('[data-testid="menu-delete-1002"]');
      assert.equal(await page.locator('[data-testid="modal"]').isVisible(), true);
      await page.click('[data-testid="modal-cancel"]');
      assert.deepEqual(await ids(), [1003, 1000, 1001, 1002]);
      await page.click('[data-testid="menu-toggle-1002"]');
      await page.click('[data-testid="menu-delete-1002"]');
      await page.click('[data-testid="modal-ok"]');
      assert.deepEqual(await ids(), [1003, 1000, 1001]);
      await page.click('[data-testid="undo-button"]');
      assert.deepEqual(await ids(), [1003, 1000, 1001, 1002]);

      // Mark assigns Ann to annotate 1004: she sees it now; unassigning hides it again.
      await selectUser(page, 17);
      await page.click('[data-testid="btn-assign-annotators-1004"]');
      await page.check('[data-testid="modal"] input[value="14"]');
      await page.screenshot({ path: join(SHOTS, "17-manager-assign-annotators.png"), fullPage: true, animations: "disabled" });
      await page.click('[data-testid="modal-ok"]');
      await selectUser(page, 14);
      assert.deepEqual(await ids(), [1000, 1001, 1004]);
      assert.deepEqual((await readPage(page)).cards.find((c) => c.id === 1004).actions, []);
      await selectUser(page, 17);
      await page.click('[data-testid="btn-assign-annotators-1004"]');
      await page.uncheck('[data-testid="modal"] input[value="14"]');
      await page.click('[data-testid="modal-ok"]');
      await selectUser(page, 14);
      assert.deepEqual(await ids(), [1000, 1001]);
    });

    await t.test("a deep link picks the user; nothing was fetched off 127.0.0.1", async () => {
      await page.goto(`${server.url}/?user=13`);
      await page.waitForSelector('body[data-ready="true"]');
      const s = await readPage(page);
      assert.equal(s.user, 13);
      assert.deepEqual(s.cards.map((c) => c.id), [1003, 1000]);
      assert.deepEqual(offsite, []);
      assert.deepEqual(problems, [], "no page errors or console errors");
    });
  } finally {
    if (context) await context.close().catch(() => {});
    await stopServer(server?.child);
    rmSync(profile, { recursive: true, force: true });
  }
});
