#!/usr/bin/env node
// Navigation to a gated page of Label Studio's own UI through LabelGate, against the same page
// served straight from Label Studio, in Debian's Chromium (headless), from one run:
//
//   node tests/browser/ui-bench.mjs     (needs the Label Studio venv, the built Worker, Chromium)
//
// The stack of tests/labelstudio/stack.py is started (Label Studio 1.23.2 on 127.0.0.1, the
// Worker with its store in front). Each role signs in twice with Label Studio's own form: once
// at Label Studio, once through the Worker. Then, interleaved (direct, Worker, direct, ...),
// RUNS navigations per page and path, after WARMUP, each in the same signed-in tab:
//   - ready: from `page.goto` until the page is usable: Label Studio's app has drawn the
//     page's marker element, and through the Worker also LabelGate's script has decided the
//     controls (`html[data-labelgate=ready]`);
//   - ttfb: the navigation's responseStart (Navigation Timing), what the gate adds to the
//     HTML itself (identity, decision, HTMLRewriter).
// After each navigation (untimed) the page's own API calls are let settle (network idle), so
// that no request of the previous page is still in flight when the next one starts.
// Prints medians and p90s with the ratio Worker / direct, and writes
// target/labelgate-bench/ui-nav.json. Ratios, not absolute times, are the figures: the
// machine is shared.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import readline from "node:readline";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, REPO } from "./chromium.mjs";

const PYTHON = join(REPO, ".cache/label-studio-venv/bin/python");
const RUNS = Number(process.env.LABELGATE_UI_BENCH_RUNS ?? 15);
const WARMUP = 2;
const ROLES = ["manager", "annotator"];

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function startStack() {
  const child = spawn(PYTHON, [join(REPO, "tests/labelstudio/stack.py"), "--port", "0", "--worker-port", "0", "--json"], {
    cwd: REPO, stdio: ["ignore", "pipe", "inherit"], detached: true,
  });
  const stack = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on("line", (l) => { if (l.startsWith("{")) resolve(JSON.parse(l)); });
    child.once("exit", (code) => reject(new Error(`the stack exited (${code})`)));
  });
  return { child, stack };
}

async function signIn(browser, base, user) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/user/login/`);
  await page.fill('input[name="email"]', user.email);
  await page.fill('input[name="password"]', user.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"], input[type="submit"]')]);
  return page;
}

/** One navigation: ms until usable, and the HTML's time to first byte. */
async function navigate(page, url, marker, gated) {
  const t0 = performance.now();
  const resp = await page.goto(url, { waitUntil: "commit" });
  if (resp.status() !== 200) throw new Error(`${url}: ${resp.status()}`);
  await page.waitForSelector(marker, { state: "attached", timeout: 30_000 });
  if (gated) await page.waitForSelector("html[data-labelgate='ready']", { state: "attached", timeout: 30_000 });
  const ready = performance.now() - t0;
  const ttfb = await page.evaluate(() => {
    const [n] = performance.getEntriesByType("navigation");
    return n.responseStart - n.startTime;
  });
  // Untimed: the page's own API calls settle, so the next navigation starts from a quiet page.
  await page.waitForLoadState("networkidle", { timeout: 30_000 }).catch(() => {});
  return { ready, ttfb };
}

async function main() {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run scripts/setup-label-studio.sh`);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup-browser.sh`);
  const { child, stack } = await startStack();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const p = stack.projects.triage;
  const PAGES = [
    ["project list", "/projects/", ".lsf-project-card"],
    ["Data Manager", `/projects/${p}/data`, 'button[aria-label="Tasks Actions"], [data-testid="dm-import-button"]'],
  ];
  const rows = [];
  try {
    for (const role of ROLES) {
      const user = stack.users[role];
      const direct = await signIn(browser, stack.label_studio, user);
      const gated = await signIn(browser, stack.worker, user);
      for (const [name, path, marker] of PAGES) {
        const got = { direct: [], worker: [] };
        for (let i = 0; i < WARMUP + RUNS; i++) {
          const a = await navigate(direct, stack.label_studio + path, marker, false);
          const b = await navigate(gated, stack.worker + path, marker, true);
          if (i >= WARMUP) {
            got.direct.push(a);
            got.worker.push(b);
          }
        }
        const fig = (xs, k) => ({ p50: round(quantile(xs.map((x) => x[k]), 0.5)), p90: round(quantile(xs.map((x) => x[k]), 0.9)) });
        const row = {
          role, page: name, path, runs: RUNS,
          ready: { direct: fig(got.direct, "ready"), worker: fig(got.worker, "ready") },
          ttfb: { direct: fig(got.direct, "ttfb"), worker: fig(got.worker, "ttfb") },
        };
        row.ready.ratio = round(row.ready.worker.p50 / row.ready.direct.p50, 2);
        row.ttfb.ratio = round(row.ttfb.worker.p50 / row.ttfb.direct.p50, 2);
        rows.push(row);
        console.error(`${role} ${name}: ready ${row.ready.direct.p50} -> ${row.ready.worker.p50} ms (${row.ready.ratio}x)`);
      }
      await direct.context().close();
      await gated.context().close();
    }
  } finally {
    await browser.close();
    process.kill(-child.pid, "SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  console.log(`Navigation to a page of Label Studio's UI, ${RUNS} runs each (interleaved), p50 (p90) ms\n`);
  console.log("| role | page | ready: Label Studio | ready: through LabelGate | ratio | HTML first byte: Label Studio | through LabelGate | ratio |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    console.log(`| ${r.role} | ${r.page} | ${r.ready.direct.p50} (${r.ready.direct.p90}) | ${r.ready.worker.p50} (${r.ready.worker.p90}) | ${r.ready.ratio}x | ${r.ttfb.direct.p50} (${r.ttfb.direct.p90}) | ${r.ttfb.worker.p50} (${r.ttfb.worker.p90}) | ${r.ttfb.ratio}x |`);
  }
  mkdirSync(join(REPO, "target/labelgate-bench"), { recursive: true });
  writeFileSync(join(REPO, "target/labelgate-bench/ui-nav.json"), JSON.stringify({ runs: RUNS, rows }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
