#!/usr/bin/env node
// The browser package's figures, measured in Debian's Chromium (headless), with
// performance.now() inside the page:
//
//   (a) allowedActions for each of 1,000 projects: a synthetic organization (1,000 projects
//       across 20 workspaces, a manager who is a member of 5 of them), the loop over the
//       1,000 projects timed 30 times after warm-up; the median ms per 1,000 calls.
//   (b) load + instantiate: `await init()` (fetch, compile and instantiate labelgate_bg.wasm)
//       plus `Policy.load(demo snapshot)`, in 20 fresh page loads; the median. Also
//       `WebAssembly.compile` of the same bytes alone.
//
//   node tests/browser/bench.mjs      (needs /usr/bin/chromium: bash scripts/setup-browser.sh)
//
// Prints a markdown table and writes target/labelgate-bench/browser.json. The server is
// demo/serve.mjs on a free port of 127.0.0.1; nothing is fetched from anywhere else. The
// server sends `cache-control: no-store`, so each page load fetches and compiles the wasm
// afresh (no HTTP or code cache), and COOP/COEP, so performance.now() has 5 us resolution.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, REPO, startServer, stopServer } from "./chromium.mjs";

const OUT_DIR = join(REPO, "target", "labelgate-bench");
const DEMO_SNAPSHOT = readFileSync(join(REPO, "policy-core", "src", "demo_snapshot.json"), "utf8");

const PROJECTS = 1000;
const WORKSPACES = 20;
const ACTION_RUNS = 30;
const ACTION_WARMUP = 5;
const LOAD_RUNS = 20;
const LOAD_WARMUP = 2;
const TARGET_ACTIONS_MS = 2;
const TARGET_LOAD_MS = 20;

/** A page of the server's origin that exists only in the browser (served by a route). */
const BENCH_PATH = "/__labelgate_bench__.html";
const BENCH_HTML = `<!doctype html><meta charset="utf-8"><title>LabelGate bench</title><body>bench</body>`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const stats = (xs) => ({ median: round(median(xs)), min: round(Math.min(...xs)), max: round(Math.max(...xs)), runs: xs.length, samples: xs.map((x) => round(x, 4)) });


/** (a), in the page: the synthetic organization and the timed allowedActions loops. */
async function benchAllowedActions({ projects, workspaces, runs, warmup }) {
  const { default: init, Policy } = await import("/pkg/labelgate.js");
  await init();
  const MANAGER = 2;
  const wsIds = Array.from({ length: workspaces }, (_, i) => 100 + i);
  const managerOf = new Set(wsIds.filter((_, i) => i % 4 === 0)); // 5 of 20 workspaces
  const snapshot = {
    edition: "enterprise",
    users: [
      { id: 1, name: "Owner" },
      { id: MANAGER, name: "Manager" },
      { id: 3, name: "Annotator" },
    ],
    organizations: [
      {
        id: 1,
        name: "Synthetic",
        owner: 1,
        members: [
          { user: 1, role: "owner", status: "active" },
          { user: MANAGER, role: "manager", status: "active" },
          { user: 3, role: "annotator", status: "active" },
        ],
        workspaces: wsIds.map((id) => ({ id, name: `Workspace ${id}`, members: managerOf.has(id) ? [MANAGER] : [] })),
        projects: Array.from({ length: projects }, (_, i) => ({
          id: 10_000 + i,
          title: `Project ${i}`,
          workspace: wsIds[i % workspaces],
          created_by: 1,
          members: [],
          assignments: i % 10 === 0 ? [{ user: 3, kind: "annotate" }] : [],
        })),
      },
    ],
  };
  const policy = Policy.load(snapshot);
  const ids = snapshot.organizations[0].projects.map((p) => p.id);
  const principal = { user: MANAGER };
  let allowedTotal = 0;
  let inScope = 0;
  const pass = () => {
    let n = 0;
    for (const id of ids) n += policy.allowedActions(principal, 1, { project: id }).length;
    return n;
  };
  for (let i = 0; i < warmup; i++) pass();
  const times = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    allowedTotal = pass();
    times.push(performance.now() - t0);
  }
  // The batch call a project list makes: allowedActionsMany for all 1,000 at once.
  const passMany = () => {
    let n = 0;
    for (const actions of policy.allowedActionsMany(principal, 1, ids.map((id) => ({ project: id })))) n += actions.length;
    return n;
  };
  for (let i = 0; i < warmup; i++) passMany();
  const timesMany = [];
  let allowedTotalMany = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    allowedTotalMany = passMany();
    timesMany.push(performance.now() - t0);
  }
  // Diagnostic: the JSON twin over the same loop (query built and answer parsed in JS).
  const passJson = () => {
    let n = 0;
    for (const id of ids) {
      n += JSON.parse(policy.allowedActionsJson(JSON.stringify({ principal, org: 1, resource: { project: id } }))).actions.length;
    }
    return n;
  };
  for (let i = 0; i < warmup; i++) passJson();
  const timesJson = [];
  let allowedTotalJson = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    allowedTotalJson = passJson();
    timesJson.push(performance.now() - t0);
  }
  if (allowedTotalMany !== allowedTotal) throw new Error(`allowedActionsMany returned ${allowedTotalMany} actions, allowedActions ${allowedTotal}`);
  if (allowedTotalJson !== allowedTotal) throw new Error(`allowedActionsJson returned ${allowedTotalJson} actions, allowedActions ${allowedTotal}`);
  for (const id of ids) if (policy.allowedActions(principal, 1, { project: id }).length > 0) inScope++;
  const visible = policy.visibleProjects(principal, 1).length;
  policy.free();
  return { times, timesMany, timesJson, allowedTotal, inScope, visible, crossOriginIsolated: self.crossOriginIsolated };
}

/** (b), in a fresh page: init() + Policy.load(demo snapshot), and WebAssembly.compile alone. */
async function benchLoad(snapshot) {
  // Untimed: the JS glue module and the wasm bytes for the compile-only run; the demo
  // snapshot's text is handed in by the bench (the demo server serves only slices).
  const mod = await import("/pkg/labelgate.js");
  const t0 = performance.now();
  await mod.default(); // fetch + compile + instantiate labelgate_bg.wasm
  const policy = mod.Policy.load(snapshot);
  const t1 = performance.now();
  const id = policy.policyId;
  const bytes = await (await fetch("/pkg/labelgate_bg.wasm")).arrayBuffer();
  const t2 = performance.now();
  await WebAssembly.compile(bytes);
  const t3 = performance.now();
  // Policy.load alone, on the instance already there.
  const t4 = performance.now();
  mod.Policy.load(snapshot).free();
  const t5 = performance.now();
  policy.free();
  return { loadInstantiate: t1 - t0, compile: t3 - t2, policyLoad: t5 - t4, bytes: bytes.byteLength, policyId: id, crossOriginIsolated: self.crossOriginIsolated };
}

async function main() {
  if (!existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} is missing: run \`bash scripts/setup-browser.sh\` first`);
    process.exit(1);
  }
  const profile = mkdtempSync(join(tmpdir(), "labelgate-bench-"));
  let server = null;
  let context = null;
  try {
    server = await startServer();
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const version = context.browser()?.version() ?? (await (async () => {
      const p = await context.newPage();
      const ua = await p.evaluate(() => navigator.userAgent);
      await p.close();
      return ua.match(/Chrome\/([\d.]+)/)?.[1] ?? "unknown";
    })());
    const offsite = [];
    await context.route("**/*", async (route) => {
      const url = new URL(route.request().url());
      if (url.hostname !== "127.0.0.1") {
        offsite.push(url.href);
        return route.abort();
      }
      if (url.pathname === BENCH_PATH) {
        return route.fulfill({
          status: 200,
          contentType: "text/html; charset=utf-8",
          headers: {
            "cache-control": "no-store",
            "cross-origin-opener-policy": "same-origin",
            "cross-origin-embedder-policy": "require-corp",
          },
          body: BENCH_HTML,
        });
      }
      return route.continue();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const benchUrl = `${server.url}${BENCH_PATH}`;

    // (a)
    await page.goto(benchUrl);
    const a = await page.evaluate(benchAllowedActions, { projects: PROJECTS, workspaces: WORKSPACES, runs: ACTION_RUNS, warmup: ACTION_WARMUP });

    // (b): a fresh document per run (page.goto), warm-up loads discarded.
    const loads = [];
    for (let i = 0; i < LOAD_WARMUP + LOAD_RUNS; i++) {
      await page.goto(`${benchUrl}?run=${i}`);
      const r = await page.evaluate(benchLoad, DEMO_SNAPSHOT);
      if (i >= LOAD_WARMUP) loads.push(r);
    }
    if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
    if (offsite.length) throw new Error(`requests off 127.0.0.1: ${offsite.join(", ")}`);

    const sizes = JSON.parse(readFileSync(join(REPO, "wasm", "pkg", "sizes.json"), "utf8"));
    const result = {
      date: new Date().toISOString(),
      chromium: version,
      cross_origin_isolated: a.crossOriginIsolated && loads.every((l) => l.crossOriginIsolated),
      wasm_bytes: loads[0].bytes,
      wasm_gzip_bytes: sizes.wasm_gzip_bytes ?? null,
      policy_id: loads[0].policyId,
      allowed_actions_1000: {
        description: `allowedActions({user: manager}, 1, {project}) for each of ${PROJECTS} projects in ${WORKSPACES} workspaces; manager is a member of 5 workspaces; ms per ${PROJECTS} calls`,
        ...stats(a.times),
        warmup: ACTION_WARMUP,
        projects_with_actions: a.inScope,
        visible_projects: a.visible,
        actions_returned_per_pass: a.allowedTotal,
        target_ms: TARGET_ACTIONS_MS,
        meets_target: median(a.times) <= TARGET_ACTIONS_MS,
      },
      allowed_actions_many_1000: {
        description: `allowedActionsMany({user: manager}, 1, resources) for the same ${PROJECTS} projects in one call (resources array built inside the timing); ms`,
        ...stats(a.timesMany),
        warmup: ACTION_WARMUP,
        target_ms: TARGET_ACTIONS_MS,
        meets_target: median(a.timesMany) <= TARGET_ACTIONS_MS,
      },
      allowed_actions_json_1000: {
        description: `diagnostic: the same loop through allowedActionsJson (JSON.stringify of the query and JSON.parse of the answer in JS); ms per ${PROJECTS} calls`,
        ...stats(a.timesJson),
        warmup: ACTION_WARMUP,
      },
      load_instantiate: {
        description: "await init() (fetch + compile + instantiate labelgate_bg.wasm, no cache) + Policy.load(demo snapshot), one fresh page load each; ms",
        ...stats(loads.map((l) => l.loadInstantiate)),
        warmup: LOAD_WARMUP,
        target_ms: TARGET_LOAD_MS,
        meets_target: median(loads.map((l) => l.loadInstantiate)) <= TARGET_LOAD_MS,
      },
      wasm_compile_only: {
        description: "WebAssembly.compile(bytes of labelgate_bg.wasm), bytes already fetched; ms",
        ...stats(loads.map((l) => l.compile)),
      },
      policy_load_only: {
        description: "Policy.load(demo snapshot) on an instantiated module; ms",
        ...stats(loads.map((l) => l.policyLoad)),
      },
    };

    mkdirSync(OUT_DIR, { recursive: true });
    const outFile = join(OUT_DIR, "browser.json");
    writeFileSync(outFile, JSON.stringify(result, null, 2) + "\n");

    const f = (x) => `${x.toFixed(3)} ms`;
    const yes = (ok) => (ok ? "yes" : "**no**");
    const A = result.allowed_actions_1000;
    const L = result.load_instantiate;
    const C = result.wasm_compile_only;
    const P = result.policy_load_only;
    console.log(`LabelGate in Chromium ${result.chromium} (headless), wasm ${result.wasm_bytes} bytes` +
      `${result.wasm_gzip_bytes ? ` (${result.wasm_gzip_bytes} gzip)` : ""}, crossOriginIsolated=${result.cross_origin_isolated}` +
      ` (performance.now() resolution ${result.cross_origin_isolated ? "5 us" : "100 us"})`);
    console.log("");
    console.log("| measure | median | min | max | runs | target | meets |");
    console.log("| --- | --- | --- | --- | --- | --- | --- |");
    console.log(`| allowedActions, 1,000 projects (manager, 20 workspaces) | ${f(A.median)} | ${f(A.min)} | ${f(A.max)} | ${A.runs} | <= ${TARGET_ACTIONS_MS} ms | ${yes(A.meets_target)} |`);
    const M = result.allowed_actions_many_1000;
    console.log(`| allowedActionsMany, the same 1,000 projects in one call | ${f(M.median)} | ${f(M.min)} | ${f(M.max)} | ${M.runs} | <= ${TARGET_ACTIONS_MS} ms | ${yes(M.meets_target)} |`);
    const J = result.allowed_actions_json_1000;
    console.log(`| (diagnostic) same loop via allowedActionsJson | ${f(J.median)} | ${f(J.min)} | ${f(J.max)} | ${J.runs} | - | |`);
    console.log(`| load + instantiate: init() + Policy.load(demo) | ${f(L.median)} | ${f(L.min)} | ${f(L.max)} | ${L.runs} | <= ${TARGET_LOAD_MS} ms | ${yes(L.meets_target)} |`);
    console.log(`| WebAssembly.compile only | ${f(C.median)} | ${f(C.min)} | ${f(C.max)} | ${C.runs} | - | |`);
    console.log(`| Policy.load(demo) only | ${f(P.median)} | ${f(P.min)} | ${f(P.max)} | ${P.runs} | - | |`);
    console.log("");
    console.log(`(a) ${A.projects_with_actions} of ${PROJECTS} projects have actions for the manager (visibleProjects: ${A.visible_projects}); ${A.actions_returned_per_pass} actions returned per pass.`);
    console.log(`wrote ${outFile.slice(REPO.length + 1)}`);
  } finally {
    if (context) await context.close().catch(() => {});
    await stopServer(server?.child);
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exitCode = 1;
});
