// The edge authorizer's overhead, measured: one workerd (one Miniflare instance) runs both the
// authorizer and a pass-through Worker (edge-worker/passthrough/) in front of the same demo
// origin (a separate process), each on its own direct socket on 127.0.0.1. Requests alternate
// between the two (which goes first alternates too), one at a time over keep-alive
// connections, so both see the same machine state. Prints a table and writes
// target/labelgate-bench/worker.json.
//
// Run: bash scripts/build-worker.sh && node tests/worker/bench.mjs [--requests 5000]
import http from "node:http";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import os from "node:os";
import { Miniflare } from "miniflare";
import { root, workerOptions, PASSTHROUGH, COMPATIBILITY_DATE, DEMO, JWT_SECRET, lsJwt } from "./harness.mjs";
import { token } from "./origin.mjs";
import { startOriginProcess, timed, stats } from "./benchlib.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("--requests", 5000);
const WARMUP = arg("--warmup", 500);

const jwt = lsJwt(12, { exp: Math.floor(Date.now() / 1000) + 3600 });
const pin = JSON.stringify({ pinned_at: "2026-01-01T00:00:00Z" });
const SCENARIOS = [
  { name: "GET project, JWT", method: "GET", path: "/api/projects/1000/", headers: { authorization: `Bearer ${jwt}` } },
  { name: "GET task, API key (cached whoami and lookup)", method: "GET", path: "/api/tasks/5/", headers: { "x-api-key": token("maya") } },
  { name: "PATCH pin, JWT (body decided)", method: "PATCH", path: "/api/projects/1000/", headers: { authorization: `Bearer ${jwt}`, "content-type": "application/json", "content-length": Buffer.byteLength(pin) }, body: pin },
];

async function main() {
  if (!existsSync(path.join(root, "edge-worker/build/index.js"))) throw new Error("run scripts/build-worker.sh first");
  const origin = await startOriginProcess();
  const direct = [{ host: "127.0.0.1", port: 0 }];
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    workers: [
      {
        // The activity log's D1 is bound (one record per request, after the response) unless
        // --no-activity: it runs in this same workerd, as Miniflare's local D1 does.
        ...workerOptions({ origin: origin.url, activity: !process.argv.includes("--no-activity"), bindings: { JWT_SECRET, SNAPSHOT_CHECK_SECONDS: "10" } }),
        unsafeDirectSockets: direct,
      },
      {
        name: "passthrough",
        modules: true,
        scriptPath: PASSTHROUGH,
        compatibilityDate: COMPATIBILITY_DATE,
        bindings: { ORIGIN_URL: origin.url },
        unsafeDirectSockets: direct,
      },
    ],
  });
  const cleanup = async () => {
    await mf.dispose().catch(() => {});
    origin.child.kill("SIGTERM");
  };
  process.once("SIGINT", async () => { await cleanup(); process.exit(130); });
  try {
    await mf.ready;
    const kv = await mf.getKVNamespace("SNAPSHOTS", "labelgate");
    await kv.put("snapshot", DEMO);
    await kv.put("version", "bench");
    const authUrl = (await mf.unsafeGetDirectURL("labelgate")).origin;
    const passUrl = (await mf.unsafeGetDirectURL("passthrough")).origin;
    const agents = { auth: new http.Agent({ keepAlive: true, maxSockets: 1 }), pass: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
    const results = [];
    for (const s of SCENARIOS) {
      const run = (which) => timed(agents[which], which === "auth" ? authUrl : passUrl, s.method, s.path, s.headers, s.body, 200);
      for (let i = 0; i < WARMUP; i++) { await run("auth"); await run("pass"); }
      const auth = [];
      const pass = [];
      const diff = [];
      for (let i = 0; i < N; i++) {
        let a;
        let p;
        if (i % 2 === 0) { a = await run("auth"); p = await run("pass"); } else { p = await run("pass"); a = await run("auth"); }
        auth.push(a);
        pass.push(p);
        diff.push(a - p);
      }
      const A = stats(auth);
      const P = stats(pass);
      const D = stats(diff);
      results.push({
        scenario: s.name, requests_each: N,
        authorizer_ms: A, passthrough_ms: P,
        overhead_p50_ms: A.p50 - P.p50, overhead_p99_ms: A.p99 - P.p99, paired_overhead_median_ms: D.p50,
      });
    }
    agents.auth.destroy();
    agents.pass.destroy();
    const sizePath = path.join(root, "target/labelgate-bench/worker-size.json");
    const size = existsSync(sizePath) ? JSON.parse(readFileSync(sizePath, "utf8")) : null;
    const out = {
      when: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version },
      setup: "one workerd (Miniflare 4.20260426.0), authorizer and pass-through on direct sockets, same origin process, sequential alternating requests over keep-alive",
      results,
      bundle: size,
      targets: { p50_overhead_ms: 0.5, bundle_gzip_bytes: 409600 },
    };
    mkdirSync(path.join(root, "target/labelgate-bench"), { recursive: true });
    writeFileSync(path.join(root, "target/labelgate-bench/worker.json"), JSON.stringify(out, null, 2) + "\n");
    const f = (x) => x.toFixed(3).padStart(7);
    console.log(`\nEdge authorizer vs pass-through, ${N} requests each per scenario (ms)\n`);
    console.log("| scenario | authorizer p50 | p99 | pass-through p50 | p99 | overhead p50 | overhead p99 | paired median |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const r of results) {
      console.log(`| ${r.scenario} | ${f(r.authorizer_ms.p50)} | ${f(r.authorizer_ms.p99)} | ${f(r.passthrough_ms.p50)} | ${f(r.passthrough_ms.p99)} | ${f(r.overhead_p50_ms)} | ${f(r.overhead_p99_ms)} | ${f(r.paired_overhead_median_ms)} |`);
    }
    if (size) console.log(`\nbundle: ${size.bundle_gzip_bytes} bytes gzip (wasm ${size.wasm_gzip_bytes} + js ${size.js_gzip_bytes}), budget 409600`);
    console.log("written: target/labelgate-bench/worker.json");
  } finally {
    await cleanup();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
