// The store at scale (issue 12 §5), measured on the large organization of labelgate-gen
// (100,000 users, 500 workspaces, 10,000 projects, 1,000,000 assignments). One workerd
// (Miniflare) runs, each on its own direct socket on 127.0.0.1:
// - `labelgate`: the Worker that hosts the store (a Durable Object per organization, SQLite,
//   persisted under target/labelgate-bench/store) and serves the operator's and the
//   administration routes;
// - `gate`: a second copy of the Worker on that store, in its own isolate (as another
//   location would be), MAX_STALENESS_MS=1000 (the default): the requests measured;
// - `gate0`: the same with MAX_STALENESS_MS=0 (asks the store on every request);
// - `passthrough`: the baseline, forwarding without deciding.
// The demo origin runs in its own process. Every figure is printed with the baseline measured
// in the same run, and written to target/labelgate-bench/store.json.
//
// Measured: the import (against uploading the same bytes through the pass-through Worker) and
// the object's storage size; warm and cold decision overhead against the pass-through, the
// activity log on; the gate's isolate memory after 1,000 distinct members; the administration
// routes (a page of members, assigning a role); how long a deactivated member keeps access.
//
// Run: bash scripts/build-worker.sh && node tests/worker/store-bench.mjs [--requests 2000]
import http from "node:http";
import { createReadStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import os from "node:os";
import { Miniflare } from "miniflare";
import { root, workerOptions, PASSTHROUGH, COMPATIBILITY_DATE, JWT_SECRET, ADMIN_TOKEN, lsJwt } from "./harness.mjs";
import { startOriginProcess, timed, stats } from "./benchlib.mjs";
import { expectations } from "./store.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("--requests", 2000);
const MEMBERS = arg("--members", 1000);
const OUT = path.join(root, "target/labelgate-bench");
const LINES = path.join(OUT, "large.ndjson");
const PERSIST = path.join(OUT, "store");

// The large organization (tests/gen/src/large.rs): user 1 owns it; 52 and 53 manage
// workspace 10001, which holds project 100001; annotator 18971 is assigned a task there.
const OWNER = 1;
const MANAGER = 52;
const ANNOTATOR = 18971;
const PROJECT = 100001;

const jwt = (user) => `Bearer ${lsJwt(user, { exp: Math.floor(Date.now() / 1000) + 7200 })}`;
const admin = { "x-labelgate-admin-token": ADMIN_TOKEN };

/** An HTTP request with a JSON answer: { status, json, ms, headers }; on its own connection
 * unless `agent` says otherwise. */
function call(base, method, p, { headers = {}, body, agent = false } = {}) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: u.hostname, port: u.port, method, path: p, headers, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        const text = Buffer.concat(chunks).toString("utf8");
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, json, text, ms, headers: res.headers });
      });
    });
    req.on("error", reject);
    if (body && typeof body.pipe === "function") body.pipe(req);
    else {
      if (body !== undefined) req.write(body);
      req.end();
    }
  });
}

function passthroughOptions(origin) {
  return {
    name: "passthrough",
    modules: true,
    scriptPath: PASSTHROUGH,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { ORIGIN_URL: origin },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
}

async function start(origin) {
  const bindings = { JWT_SECRET, LABELGATE_ADMIN_TOKEN: ADMIN_TOKEN };
  const direct = [{ host: "127.0.0.1", port: 0 }];
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    durableObjectsPersist: PERSIST,
    workers: [
      { ...workerOptions({ origin, store: true, activity: false, bindings }), unsafeDirectSockets: direct },
      { ...workerOptions({ origin, store: true, storeOf: "labelgate", name: "gate", bindings }), unsafeDirectSockets: direct },
      { ...workerOptions({ origin, store: true, storeOf: "labelgate", name: "gate0", activity: false, bindings: { ...bindings, MAX_STALENESS_MS: "0" } }), unsafeDirectSockets: direct },
      passthroughOptions(origin),
    ],
  });
  const main = await mf.ready;
  const url = async (name) => (await mf.unsafeGetDirectURL(name)).origin;
  // The store's Worker on Miniflare's own entry (its direct socket resets a long upload).
  return { mf, store: main.origin, gate: await url("gate"), gate0: await url("gate0"), pass: await url("passthrough") };
}

/** `n` rounds of `a` and `b` alternating (which goes first alternates too). */
async function paired(n, a, b) {
  const xs = [];
  const ys = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) { xs.push(await a(i)); ys.push(await b(i)); } else { ys.push(await b(i)); xs.push(await a(i)); }
  }
  return { a: stats(xs), b: stats(ys), diff: stats(xs.map((x, i) => x - ys[i])) };
}

/** A deterministic spread of distinct members of the large organization (not the owner). */
function distinctMembers(n, salt) {
  const out = [];
  for (let i = 0; out.length < n; i++) {
    const u = 2 + ((i * 48271 + salt * 7919) % 99_999);
    if (!out.includes(u)) out.push(u);
  }
  return out;
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  if (!existsSync(LINES)) {
    const expect = expectations();
    const made = await expect.ask({ large: { seed: 20261201, out: LINES } });
    expect.close();
    if (made.error) throw new Error(made.error);
    console.log(`# large organization: ${made.lines} lines, ${made.bytes} bytes (snapshot JSON: ${made.snapshot_bytes} bytes)`);
  }
  rmSync(PERSIST, { recursive: true, force: true });
  const origin = await startOriginProcess();
  let w = await start(origin.url);
  const cleanup = async () => {
    await w.mf.dispose().catch(() => {});
    origin.child.kill("SIGTERM");
  };
  process.once("SIGINT", async () => { await cleanup(); process.exit(130); });
  const results = {};
  try {
    // 1. The import, and uploading the same bytes through the pass-through (the baseline).
    const bytes = statSync(LINES).size;
    console.log("# uploading the import lines through the pass-through (the baseline)");
    const up = await call(w.pass, "POST", "/upload", { headers: { "content-type": "application/x-ndjson" }, body: createReadStream(LINES) });
    console.log("# importing them into the store");
    const imp = await call(w.store, "POST", `/api/labelgate/import?org=1`, { headers: { ...admin, "content-type": "application/x-ndjson" }, body: createReadStream(LINES) });
    if (imp.status !== 200) throw new Error(`import: ${imp.status} ${imp.text}`);
    const st = (await call(w.store, "GET", "/api/labelgate/stats?org=1", { headers: admin })).json;
    results.import = {
      rows: imp.json.rows, bytes, import_s: imp.ms / 1000, upload_through_passthrough_s: up.ms / 1000,
      ratio: imp.ms / up.ms, storage_bytes: st.size_bytes, storage_per_input_byte: st.size_bytes / bytes,
      // Miniflare runs the store's object in its Worker's isolate: this is the object's memory.
      store_isolate_wasm_bytes: st.isolate.wasm_memory_bytes,
    };
    console.log(`# import: ${imp.json.rows} rows in ${(imp.ms / 1000).toFixed(1)} s (uploading the same ${bytes} bytes through the pass-through: ${(up.ms / 1000).toFixed(2)} s); storage ${st.size_bytes} bytes`);

    // 2. Warm decisions against the pass-through, activity log on.
    const agents = { gate: new http.Agent({ keepAlive: true, maxSockets: 1 }), pass: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
    results.warm = [];
    for (const [name, user] of [["annotator, assigned project", ANNOTATOR], ["manager, workspace project", MANAGER]]) {
      const headers = { authorization: jwt(user) };
      const a = () => timed(agents.gate, w.gate, "GET", `/api/projects/${PROJECT}/`, headers, undefined, 200);
      const b = () => timed(agents.pass, w.pass, "GET", `/api/projects/${PROJECT}/`, headers, undefined, 200);
      for (let i = 0; i < 200; i++) { await a(); await b(); }
      const r = await paired(N, a, b);
      results.warm.push({ scenario: name, gate_ms: r.a, passthrough_ms: r.b, overhead_p50_ms: r.a.p50 - r.b.p50, paired_median_ms: r.diff.p50, ratio_p50: r.a.p50 / r.b.p50 });
    }

    // 3. Cold members: each member's first request (their slice read from the store).
    const cold = distinctMembers(200, 1);
    const rc = await paired(cold.length,
      (i) => call(w.gate, "GET", `/api/projects/${PROJECT}/`, { headers: { authorization: jwt(cold[i]) }, agent: agents.gate }).then((x) => x.ms),
      (i) => call(w.pass, "GET", `/api/projects/${PROJECT}/`, { headers: { authorization: jwt(cold[i]) }, agent: agents.pass }).then((x) => x.ms));
    results.cold_member = { members: cold.length, gate_ms: rc.a, passthrough_ms: rc.b, overhead_p50_ms: rc.a.p50 - rc.b.p50, ratio_p50: rc.a.p50 / rc.b.p50 };

    // 4. The gate's isolate after serving 1,000 distinct members.
    const before = (await call(w.gate, "GET", "/api/labelgate/stats?org=1", { headers: admin })).json.isolate;
    for (const u of distinctMembers(MEMBERS, 2)) {
      await call(w.gate, "GET", `/api/projects/${PROJECT}/`, { headers: { authorization: jwt(u) }, agent: agents.gate });
    }
    const after = (await call(w.gate, "GET", "/api/labelgate/stats?org=1", { headers: admin })).json.isolate;
    results.memory = { members: MEMBERS, before, after, target_bytes: 64 * 1024 * 1024 };

    // 5. Administration on the large organization, as the owner, against a pass-through GET.
    const owner = { authorization: jwt(OWNER), "content-type": "application/json" };
    // The store's own members list (Label Studio's, which the Worker gives roles, is served by
    // the origin: this one is the store's cost alone).
    const page = () => call(w.store, "GET", "/api/labelgate/members?page=1000&page_size=30", { headers: owner, agent: agents.gate });
    const p0 = await page();
    if (p0.status !== 200 || p0.json.results.length !== 30) throw new Error(`members page: ${p0.status} ${p0.text.slice(0, 200)}`);
    const base = () => timed(agents.pass, w.pass, "GET", "/api/organizations/1/memberships", owner, undefined, 200);
    const rp = await paired(300, () => page().then((x) => x.ms), base);
    let k = 0;
    const assign = () => {
      const body = JSON.stringify({ user_id: 50_000 + (k % 50), role: k++ % 2 ? "AN" : "RE" });
      return call(w.store, "PATCH", "/api/organizations/1/memberships", { headers: owner, body, agent: agents.gate }).then((x) => {
        if (x.status !== 200) throw new Error(`assign: ${x.status} ${x.text}`);
        return x.ms;
      });
    };
    const ra = await paired(300, assign, base);
    results.admin = {
      members_page: { ms: rp.a, passthrough_ms: rp.b, ratio_p50: rp.a.p50 / rp.b.p50 },
      assign_role: { ms: ra.a, passthrough_ms: ra.b, ratio_p50: ra.a.p50 / ra.b.p50 },
      target_p50_ms: 20,
    };

    // 6. Revocation: a member deactivated through the store's Worker keeps access through the
    // gate for at most MAX_STALENESS_MS (1,000 ms there, 0 on gate0).
    results.revocation = [];
    for (const [name, url, bound] of [["MAX_STALENESS_MS=1000", w.gate, 1000], ["MAX_STALENESS_MS=0", w.gate0, 0]]) {
      const exposures = [];
      for (const [i, u] of distinctMembers(10, 3 + bound).entries()) {
        const headers = { authorization: jwt(u) };
        await call(w.store, "PATCH", "/api/organizations/1/memberships", { headers: owner, body: JSON.stringify({ user_id: u, role: "AN" }) });
        // Any member may list their projects: allowed until the deactivation is seen.
        const path = "/api/projects/?page_size=1";
        let acked = Infinity;
        let allowedBefore = 0;
        let lastAllowedSent = -Infinity;
        let stop = false;
        const loop = (async () => {
          const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
          while (!stop) {
            const sent = performance.now();
            const r = await call(url, "GET", path, { headers, agent });
            if (r.status === 200) {
              if (sent > acked) lastAllowedSent = sent; else allowedBefore++;
            } else if (r.json?.reason === "deactivated") {
              if (sent > acked) break;
            } else throw new Error(`revocation: ${r.status} ${r.text}`);
          }
          agent.destroy();
        })();
        await new Promise((r) => setTimeout(r, 150 + 97 * i));
        const wr = await call(w.store, "PATCH", "/api/organizations/1/memberships", { headers: owner, body: JSON.stringify({ user_id: u, role: "DI" }) });
        if (wr.status !== 200) throw new Error(`deactivate: ${wr.status} ${wr.text}`);
        acked = performance.now();
        await loop;
        stop = true;
        if (allowedBefore === 0) throw new Error(`revocation: member ${u} was never allowed before`);
        exposures.push(Math.max(0, lastAllowedSent - acked));
      }
      const s = [...exposures].sort((a, b) => a - b);
      results.revocation.push({ setting: name, bound_ms: bound, worst_ms: s.at(-1), median_ms: s[Math.floor(s.length / 2)], samples: s });
    }
    agents.gate.destroy();
    agents.pass.destroy();

    // 7. Cold isolates: workerd restarted, the first request to each Worker.
    const restarts = [];
    for (let i = 0; i < 3; i++) {
      await w.mf.dispose();
      w = await start(origin.url);
      const headers = { authorization: jwt(ANNOTATOR) };
      const g = await call(w.gate, "GET", `/api/projects/${PROJECT}/`, { headers });
      const p = await call(w.pass, "GET", `/api/projects/${PROJECT}/`, { headers });
      restarts.push({ gate_ms: g.ms, passthrough_ms: p.ms, status: g.status });
    }
    results.cold_isolate = restarts;
  } finally {
    await cleanup();
  }

  const out = {
    when: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version },
    setup: "one workerd (Miniflare), the store's Worker, two gate copies on its store and a pass-through on direct sockets; demo origin in its own process; sequential requests over keep-alive, alternating with the pass-through",
    results,
  };
  writeFileSync(path.join(OUT, "store.json"), JSON.stringify(out, null, 2) + "\n");
  const f = (x, d = 2) => Number(x).toFixed(d);
  const r = results;
  console.log(`\nThe store on the large organization (${r.import.rows} rows), ${N} requests per warm scenario\n`);
  console.log("| measure | figure | baseline (same run) | ratio | target |");
  console.log("| --- | ---: | ---: | ---: | --- |");
  console.log(`| import | ${f(r.import.import_s, 1)} s | upload through pass-through ${f(r.import.upload_through_passthrough_s)} s | ${f(r.import.ratio, 0)}x | report |`);
  console.log(`| storage size | ${(r.import.storage_bytes / 1048576).toFixed(1)} MiB | import lines ${(r.import.bytes / 1048576).toFixed(1)} MiB | ${f(r.import.storage_per_input_byte)}x | report |`);
  console.log(`| the store's isolate after the import: wasm memory | ${(r.import.store_isolate_wasm_bytes / 1048576).toFixed(1)} MiB | isolate limit 128 MiB | ${f(r.import.store_isolate_wasm_bytes / (128 * 1048576))}x | report |`);
  for (const x of r.warm) {
    console.log(`| warm p50, ${x.scenario} | ${f(x.gate_ms.p50, 3)} ms | pass-through ${f(x.passthrough_ms.p50, 3)} ms | ${f(x.ratio_p50)}x (overhead ${f(x.overhead_p50_ms, 3)} ms, paired ${f(x.paired_median_ms, 3)} ms) | overhead <= 0.5 ms |`);
  }
  console.log(`| cold member p50 (first request, slice read) | ${f(r.cold_member.gate_ms.p50, 3)} ms | pass-through ${f(r.cold_member.passthrough_ms.p50, 3)} ms | ${f(r.cold_member.ratio_p50)}x (overhead ${f(r.cold_member.overhead_p50_ms, 3)} ms) | report |`);
  for (const c of r.cold_isolate) console.log(`| cold isolate, first request | ${f(c.gate_ms, 1)} ms | pass-through ${f(c.passthrough_ms, 1)} ms | ${f(c.gate_ms / c.passthrough_ms)}x | report |`);
  console.log(`| gate isolate after ${r.memory.members} members: wasm memory | ${(r.memory.after.wasm_memory_bytes / 1048576).toFixed(1)} MiB | before them ${(r.memory.before.wasm_memory_bytes / 1048576).toFixed(1)} MiB | ${f(r.memory.after.wasm_memory_bytes / r.memory.before.wasm_memory_bytes)}x (${r.memory.after.slices} slices, ${(r.memory.after.slice_bytes / 1048576).toFixed(1)} MiB of their JSON) | <= 64 MiB |`);
  console.log(`| members page (30 of 100,000) p50 | ${f(r.admin.members_page.ms.p50)} ms | pass-through ${f(r.admin.members_page.passthrough_ms.p50)} ms | ${f(r.admin.members_page.ratio_p50)}x | <= 20 ms |`);
  console.log(`| assign a role p50 | ${f(r.admin.assign_role.ms.p50)} ms | pass-through ${f(r.admin.assign_role.passthrough_ms.p50)} ms | ${f(r.admin.assign_role.ratio_p50)}x | <= 20 ms |`);
  for (const v of r.revocation) console.log(`| deactivated keeps access, ${v.setting} | worst ${f(v.worst_ms, 0)} ms, median ${f(v.median_ms, 0)} ms | bound ${v.bound_ms} ms | ${v.bound_ms ? f(v.worst_ms / v.bound_ms) + "x of the bound" : "-"} | stated bound |`);
  console.log("written: target/labelgate-bench/store.json");
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
