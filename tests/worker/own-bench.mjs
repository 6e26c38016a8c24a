// The cost of "can view own" (issue 15): a 1,000-task page of the Data Manager's task list,
// asked through the Worker by an annotator who may view only her own tasks (all 1,000 are
// assigned to her, so the page is the same) and by an administrator (the same page,
// forwarded as decided, unfiltered), alternating, with a pass-through Worker as the floor. The
// annotator's request is narrowed (the store's assignments and her annotated tasks, kept for
// MAX_STALENESS_MS, then `selectedItems` sent to the origin) and its answer checked (every
// task id parsed and looked up). One workerd (Miniflare), the demo origin in its own process.
//
// Run: bash scripts/build-worker.sh && node tests/worker/own-bench.mjs [--requests 500]
import http from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Miniflare } from "miniflare";
import { root, workerOptions, PASSTHROUGH, COMPATIBILITY_DATE, JWT_SECRET, ADMIN_TOKEN, DEMO, lsJwt } from "./harness.mjs";
import { startOriginProcess, timed, stats } from "./benchlib.mjs";
import { expectations, importSnapshot } from "./store.mjs";
import { USERS as U } from "./origin.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("--requests", 500);
const TASKS = 1000;

async function main() {
  const origin = await startOriginProcess(["--tasks", String(TASKS)]);
  const direct = [{ host: "127.0.0.1", port: 0 }];
  const bindings = { JWT_SECRET, LABELGATE_ADMIN_TOKEN: ADMIN_TOKEN };
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    workers: [
      { ...workerOptions({ origin: origin.url, store: true, bindings }), unsafeDirectSockets: direct },
      { name: "passthrough", modules: true, scriptPath: PASSTHROUGH, compatibilityDate: COMPATIBILITY_DATE, bindings: { ORIGIN_URL: origin.url }, unsafeDirectSockets: direct },
    ],
  });
  const expect = expectations();
  try {
    await mf.ready;
    const gate = (await mf.unsafeGetDirectURL("labelgate")).origin;
    const pass = (await mf.unsafeGetDirectURL("passthrough")).origin;
    await importSnapshot(gate, DEMO, expect);
    const hdr = (u) => ({ authorization: `Bearer ${lsJwt(u, { exp: Math.floor(Date.now() / 1000) + 3600 })}`, "x-labelgate-org": "1" });
    const included = Array.from({ length: TASKS }, (_, k) => 10000 + k);
    const body = JSON.stringify({ type: "AN", users: [U.ann], selectedItems: { all: false, included } });
    const a = await new Promise((resolve, reject) => {
      const req = http.request(`${gate}/api/projects/1001/tasks/assignees`, { method: "POST", headers: { ...hdr(U.olivia), "content-type": "application/json" } }, (res) => { res.resume(); res.on("end", () => resolve(res.statusCode)); });
      req.on("error", reject);
      req.end(body);
    });
    if (a !== 201) throw new Error(`assign: ${a}`);
    const page = `/api/tasks/?project=1001&page=1&page_size=${TASKS}`;
    const agents = [0, 1, 2].map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    const run = {
      own: () => timed(agents[0], gate, "GET", page, hdr(U.ann), undefined, 200),
      all: () => timed(agents[1], gate, "GET", page, hdr(U.adam), undefined, 200),
      pass: () => timed(agents[2], pass, "GET", page, hdr(U.adam), undefined, 200),
    };
    for (let i = 0; i < 50; i++) { await run.own(); await run.all(); await run.pass(); }
    const xs = { own: [], all: [], pass: [] };
    for (let i = 0; i < N; i++) {
      const order = i % 2 ? ["own", "all", "pass"] : ["pass", "all", "own"];
      for (const k of order) xs[k].push(await run[k]());
    }
    agents.forEach((x) => x.destroy());
    const s = { own: stats(xs.own), all: stats(xs.all), pass: stats(xs.pass) };
    const out = {
      when: new Date().toISOString(), requests_each: N, tasks_per_page: TASKS,
      filtered_ms: s.own, unfiltered_ms: s.all, passthrough_ms: s.pass,
      filtering_overhead_p50_ms: s.own.p50 - s.all.p50, ratio_p50: s.own.p50 / s.all.p50,
    };
    mkdirSync(path.join(root, "target/labelgate-bench"), { recursive: true });
    writeFileSync(path.join(root, "target/labelgate-bench/own.json"), JSON.stringify(out, null, 2) + "\n");
    const f = (x) => x.toFixed(3);
    console.log(`\nA ${TASKS}-task page of GET /api/tasks/, ${N} requests each (ms)\n`);
    console.log("| request | p50 | p90 | p99 |");
    console.log("| --- | ---: | ---: | ---: |");
    console.log(`| annotator, own tasks only (narrowed, answer checked) | ${f(s.own.p50)} | ${f(s.own.p90)} | ${f(s.own.p99)} |`);
    console.log(`| administrator, the same page unfiltered | ${f(s.all.p50)} | ${f(s.all.p90)} | ${f(s.all.p99)} |`);
    console.log(`| pass-through Worker | ${f(s.pass.p50)} | ${f(s.pass.p90)} | ${f(s.pass.p99)} |`);
    console.log(`\nrow filtering: +${f(out.filtering_overhead_p50_ms)} ms at p50, ${out.ratio_p50.toFixed(2)}x the unfiltered page`);
    console.log("written: target/labelgate-bench/own.json");
  } finally {
    expect.close();
    await mf.dispose();
    origin.child.kill("SIGTERM");
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
