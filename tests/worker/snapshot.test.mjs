// The policy snapshot in KV: none -> 503 for every request (fail closed); a corrupt or missing
// snapshot keeps the last good one; a replacement takes effect mid-traffic without a single
// 5xx or a request decided on a half-loaded policy; the version key is read at most every
// SNAPSHOT_CHECK_SECONDS.
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startOrigin } from "./origin.mjs";
import { startWorker, request, bearer, DEMO } from "./harness.mjs";

let origin;
before(async () => { origin = await startOrigin(); });
after(async () => { await origin?.close(); });

const MAYA = bearer(12);
const exportOf = (w, project = 1000) => request(w.url, "GET", `/api/projects/${project}/export`, { headers: MAYA });

/** The demo snapshot with Maya out of workspace 100 and project 1000 created by Adam: she
 *  no longer reaches project 1000, so its export is out of her scope. */
function withoutMaya() {
  const s = JSON.parse(DEMO);
  s.organizations[0].workspaces[0].members = [];
  s.organizations[0].projects[0].created_by = 11;
  return JSON.stringify(s);
}

test("no snapshot ever loaded: 503 for every request, nothing forwarded", async () => {
  const w = await startWorker({ origin: origin.url, snapshot: null });
  try {
    origin.clear();
    for (const [method, path, headers] of [["GET", "/health", {}], ["GET", "/api/projects/1000/export", MAYA], ["GET", "/nowhere", {}]]) {
      const r = await request(w.url, method, path, { headers });
      assert.equal(r.status, 503, `${path}: ${r.body}`);
      assert.equal(r.json.error, "no_policy");
    }
    await w.put("{ corrupt", "v1");
    assert.equal((await exportOf(w)).status, 503, "a corrupt first snapshot still leaves none");
    await w.put(DEMO, "v2");
    assert.equal((await exportOf(w)).status, 200);
    assert.equal(origin.forwarded().length, 1);
  } finally {
    await w.close();
  }
});

test("a corrupt or missing snapshot keeps the last good one; a new version replaces it", async () => {
  const w = await startWorker({ origin: origin.url });
  try {
    assert.equal((await exportOf(w)).status, 200);
    await w.put('{"organizations": [{"id": 1}]}', "v2");
    let r = await exportOf(w);
    assert.equal(r.status, 200, "the invalid v2 is refused, v1 stays");
    await w.kv.delete("snapshot");
    await w.put(null, "v3");
    r = await exportOf(w);
    assert.equal(r.status, 200, "a missing snapshot keeps v1");
    await w.put(withoutMaya(), "v4");
    r = await exportOf(w);
    assert.equal(r.status, 403);
    assert.equal(r.json.reason, "out_of_scope");
    await w.put(DEMO, "v4");
    assert.equal((await exportOf(w)).status, 403, "the same version is not re-read");
    await w.put(DEMO, "v5");
    assert.equal((await exportOf(w)).status, 200);
    const check = await request(w.url, "POST", "/__labelgate/decide", {
      body: JSON.stringify({ principal: { user: 12 }, org: 1, action: "project.export", resource: { project: 1000 } }),
    });
    assert.equal(check.headers["x-labelgate-snapshot"], "v5");
  } finally {
    await w.close();
  }
});

test("replaced mid-traffic: every answer is the old or the new decision, never a 5xx", async () => {
  const w = await startWorker({ origin: origin.url });
  try {
    origin.clear();
    const answers = [];
    let switched = false;
    const client = async (n) => {
      for (let i = 0; i < n; i++) {
        const r = await exportOf(w);
        answers.push({ status: r.status, after: switched, reason: r.json?.reason });
      }
    };
    const traffic = Promise.all([client(150), client(150), client(150), client(150)]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await w.put(withoutMaya(), "v2");
    switched = true;
    await traffic;
    const tail = await Promise.all(Array.from({ length: 20 }, () => exportOf(w)));
    assert.ok(answers.length === 600);
    assert.deepEqual(answers.filter((a) => a.status !== 200 && a.status !== 403), [], "only 200 or 403");
    assert.ok(answers.some((a) => a.status === 200), "the old policy served before the switch");
    assert.ok(answers.some((a) => a.status === 403), "the new policy served after the switch");
    assert.ok(answers.filter((a) => !a.after).every((a) => a.status === 200), "no deny before the switch");
    assert.ok(tail.every((r) => r.status === 403 && r.json.reason === "out_of_scope"));
    const allowedCount = answers.filter((a) => a.status === 200).length;
    assert.equal(origin.forwarded().length, allowedCount, "exactly the allowed requests reached the origin");
  } finally {
    await w.close();
  }
});

test("the version key is read at most every SNAPSHOT_CHECK_SECONDS", async () => {
  const w = await startWorker({ origin: origin.url, bindings: { SNAPSHOT_CHECK_SECONDS: "3600" } });
  try {
    assert.equal((await exportOf(w)).status, 200);
    await w.put(withoutMaya(), "v2");
    assert.equal((await exportOf(w)).status, 200, "within the interval the cached policy decides");
  } finally {
    await w.close();
  }
});
