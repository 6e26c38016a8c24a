// The production bundle (edge-worker/build/, what `wrangler deploy` ships) has no test
// endpoint and no fault hook: they are compiled only with the feature `test-endpoints` (the
// test bundle, edge-worker/build-test/). Even with LABELGATE_TEST_ENDPOINTS=1, every path of
// src/testing.rs is a path the route table does not have (403 `unknown_action`, nothing
// forwarded), and an import carrying `X-LabelGate-Fault` is applied whole. The test bundle
// answers the same requests, so none of this passes for a Worker that answers nothing.
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test } from "node:test";
import assert from "node:assert/strict";
import { startOrigin } from "./origin.mjs";
import { startWorker, request, bearer, PRODUCTION, WORKER, DEMO } from "./harness.mjs";
import { expectations, importSnapshot, exportOrg, testPost } from "./store.mjs";

// Every route src/testing.rs serves, with a body it would answer.
const DECIDE = { principal: { user: 14 }, org: 1, action: "project.export", resource: { project: 1000 } };
const TEST_ROUTES = [
  ["/__labelgate/decide", DECIDE],
  ["/__labelgate/store-slice", { org: 1, user: 14, groups: [], known: true }],
  ["/__labelgate/store-write", { org: 1, actor: { user: 10, groups: [] }, op: { op: "remove_member", member: 14 }, fault: 0 }],
];

let origin;
let expect;

/** Runs `body(worker)` against a fresh Worker of `script` with the demo in its store. */
async function withStore(script, body) {
  const worker = await startWorker({ origin: origin.url, store: true, activity: false, script, bindings: { LABELGATE_TEST_ENDPOINTS: "1" } });
  try {
    const { answers } = await importSnapshot(worker.url, DEMO, expect);
    for (const a of answers) assert.equal(a.status, 200, a.body);
    return await body(worker);
  } finally {
    await worker.close();
  }
}

test("the production bundle has no test endpoint and no fault hook, even with LABELGATE_TEST_ENDPOINTS=1", async () => {
  origin = await startOrigin();
  expect = expectations();
  try {
    await bothBundles();
  } finally {
    expect.close();
    await origin.close();
  }
});

/** The same requests to the test bundle, then to the production bundle. */
async function bothBundles() {
  // The test bundle has both: the test endpoint, and the fault injected into an import.
  await withStore(WORKER, async (worker) => {
    const r = await testPost(worker.url, "/__labelgate/decide", DECIDE);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.reason, "role_lacks_permission", r.body);
    const before = (await exportOrg(worker.url, 1)).body;
    const { answers } = await importSnapshot(worker.url, DEMO, expect, { fault: 5 });
    assert.equal(answers[0].status, 500, answers[0].body);
    assert.match(answers[0].body, /injected fault/);
    assert.equal((await exportOrg(worker.url, 1)).body, before);
  });
  // The production bundle has neither: no route of the table, and the import applied.
  await withStore(PRODUCTION, async (worker) => {
    const before = (await exportOrg(worker.url, 1)).body;
    origin.clear();
    for (const [route, body] of TEST_ROUTES) {
      for (const headers of [{}, bearer(10)]) {
        const r = await request(worker.url, "POST", route, {
          headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body),
        });
        assert.equal(r.status, 403, `${route}: ${r.body}`);
        assert.equal(r.json.reason, "unknown_action", `${route}: ${r.body}`);
        assert.match(r.json.message, /is not a route of the table/, `${route}: ${r.body}`);
      }
    }
    assert.equal(origin.records.length, 0, "a test path reached the origin");
    assert.equal((await exportOrg(worker.url, 1)).body, before, "a test path changed the store");
    // The fault header is not read: the import is applied whole.
    const other = (await expect.ask({ random: 4242 })).snapshot;
    const was = new Map();
    for (const o of JSON.parse(other).organizations) was.set(o.id, (await exportOrg(worker.url, o.id)).body);
    const { answers } = await importSnapshot(worker.url, other, expect, { fault: 5 });
    assert.ok(answers.length > 0);
    for (const a of answers) {
      assert.equal(a.status, 200, a.body);
      const want = (await expect.ask({ export: a.org })).export;
      const got = (await exportOrg(worker.url, a.org)).body;
      assert.equal(got, want, `organization ${a.org}: the import with a fault header was not applied`);
      assert.notEqual(got, was.get(a.org), `organization ${a.org}: unchanged`);
    }
  });
}
