// The Worker decides as the native core does: the whole vector suite and a seeded random
// differential, each snapshot loaded through KV and each request asked of the test-only
// endpoint `POST /__labelgate/decide` (enabled by LABELGATE_TEST_ENDPOINTS=1), the decision
// compared whole with the native one (allow, reason, message, policy).
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startOrigin } from "./origin.mjs";
import { startWorker, request, native } from "./harness.mjs";

const RANDOM_SNAPSHOTS = Number(process.env.LABELGATE_WORKER_SNAPSHOTS ?? 20);
let origin;
let worker;

before(async () => {
  origin = await startOrigin();
  worker = await startWorker({ origin: origin.url, snapshot: null });
});
after(async () => {
  await worker?.close();
  await origin?.close();
});

async function load(snapshot) {
  const version = createHash("sha256").update(snapshot).digest("hex").slice(0, 16);
  await worker.put(snapshot, version);
  return version;
}

async function decideAll(requests, version) {
  const out = new Array(requests.length);
  let next = 0;
  const lane = async () => {
    while (next < requests.length) {
      const i = next++;
      const r = await request(worker.url, "POST", "/__labelgate/decide", { body: requests[i] });
      assert.equal(r.status, 200, r.body);
      assert.equal(r.headers["x-labelgate-snapshot"], version, "decided on the snapshot just loaded");
      out[i] = r.body;
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
  return out;
}

test("the whole vector suite decides as the native core does", async () => {
  const vectors = native("vectors");
  assert.ok(vectors.length >= 750, `only ${vectors.length} vectors`);
  const bySnapshot = new Map();
  for (const v of vectors) bySnapshot.set(v.snapshot, [...(bySnapshot.get(v.snapshot) ?? []), v]);
  const mismatches = [];
  for (const [snapshot, group] of bySnapshot) {
    const version = await load(snapshot);
    const got = await decideAll(group.map((v) => v.request), version);
    group.forEach((v, i) => {
      const d = JSON.parse(got[i]);
      if (d.allow !== v.expect.allow || d.reason !== v.expect.reason) mismatches.push(`${v.file}: ${v.description}: got ${d.reason}`);
      try { assert.deepEqual(d, v.decision); } catch { mismatches.push(`${v.file}: ${v.description}: ${got[i]}`); }
    });
  }
  assert.deepEqual(mismatches, []);
  console.log(`# ${vectors.length} vectors through the Worker, 0 mismatches against the native core`);
});

test("random differential: the Worker's decision text equals the native one", async () => {
  const rounds = native("random", "--seed", "20261124", "--snapshots", String(RANDOM_SNAPSHOTS), "--requests", "100");
  let n = 0;
  for (const round of rounds) {
    const version = await load(round.snapshot);
    const got = await decideAll(round.cases.map((c) => c.request), version);
    round.cases.forEach((c, i) => assert.equal(got[i], c.text, c.request));
    n += round.cases.length;
  }
  assert.ok(n >= 100 * RANDOM_SNAPSHOTS);
  console.log(`# ${n} random decisions through the Worker identical to native`);
});
