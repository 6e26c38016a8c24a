// Lists filtered to the member's reach (edge-worker/src/list.rs): `GET /api/projects/` and
// `counts/` are asked of the origin with Label Studio's `ids` filter set to what the member
// reaches (so the origin's count and pages stay coherent), the answer is filtered again, and
// `next` / `previous` point back at the Worker; `GET /api/workspaces/` keeps what the member
// reaches. The recording origin (origin.mjs) serves these lists as Label Studio does.
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startOrigin } from "./origin.mjs";
import { startWorker, request, bearer } from "./harness.mjs";

const U = { olivia: 10, adam: 11, maya: 12, rita: 13, ann: 14, paul: 15, dan: 16, mark: 17 };
let origin;
let worker;

before(async () => {
  origin = await startOrigin();
  worker = await startWorker({ origin: origin.url });
});
after(async () => {
  await worker?.close();
  await origin?.close();
});

const get = (who, path) => {
  origin.clear();
  return request(worker.url, "GET", path, { headers: { ...bearer(U[who]), "x-labelgate-org": "1" } });
};
const ids = (r) => r.json.results.map((p) => p.id);
const forwardedPaths = () => origin.forwarded().map((r) => r.path);

test("each member's projects list holds only what they reach, asked with `ids`", async () => {
  const want = {
    olivia: [1000, 1001, 1003, 1004], // sandboxes are private, even to the owner
    adam: [1000, 1001, 1003, 1004, 1005],
    maya: [1000, 1001, 1002, 1003],
    mark: [1003, 1004],
    rita: [1000, 1003],
    ann: [1000, 1001],
  };
  for (const [who, projects] of Object.entries(want)) {
    const r = await get(who, "/api/projects/");
    assert.equal(r.status, 200, `${who}: ${r.body}`);
    assert.deepEqual(ids(r), projects, who);
    assert.equal(r.json.count, projects.length, who);
    assert.equal(r.json.next, null);
    assert.deepEqual(forwardedPaths(), [`/api/projects/?ids=${projects.join(",")}`], who);
    assert.match(r.headers["content-type"], /json/);
    assert.equal(r.headers["content-length"], String(Buffer.byteLength(r.body)));
  }
  const c = await get("rita", "/api/projects/counts/?include=id,task_number");
  assert.deepEqual(ids(c), [1000, 1003]);
  assert.deepEqual(forwardedPaths(), ["/api/projects/counts/?include=id,task_number&ids=1000,1003"]);
});

test("pages stay coherent: count, next and previous (on the Worker), every page once", async () => {
  let path = "/api/projects/?page_size=2";
  const seen = [];
  const prevs = [];
  for (let guard = 0; path !== null && guard < 10; guard++) {
    const r = await get("adam", path);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.count, 5);
    seen.push(...ids(r));
    prevs.push(r.json.previous);
    for (const link of [r.json.next, r.json.previous].filter(Boolean)) {
      assert.ok(link.startsWith(`${worker.url}/api/projects/?`), link);
    }
    path = r.json.next === null ? null : r.json.next.slice(worker.url.length);
  }
  assert.deepEqual(seen, [1000, 1001, 1003, 1004, 1005]);
  assert.equal(prevs[0], null);
  assert.ok(prevs[2].includes("page=2"));
  // Past the last page: the origin's 404, passed back.
  const r = await get("adam", "/api/projects/?page_size=2&page=4");
  assert.equal(r.status, 404);
});

test("the member's own `ids` narrows within their reach, never beyond", async () => {
  let r = await get("maya", "/api/projects/?ids=1000,1004,2000,4242&title=x");
  assert.deepEqual(ids(r), [1000]);
  assert.deepEqual(forwardedPaths(), ["/api/projects/?title=x&ids=1000"]);
  r = await get("maya", "/api/projects/?%69ds=1004");
  assert.deepEqual(r.json, { count: 0, next: null, previous: null, results: [] });
  assert.deepEqual(forwardedPaths(), [], "nothing in reach: answered by the Worker, an empty `ids` means all to the server");
  assert.match(r.headers["x-labelgate-decision"], /list=projects/);
  r = await get("maya", "/api/projects/?ids=1000&ids=1001");
  assert.equal(r.status, 400);
  assert.equal(r.json.reason, "invalid_request");
  r = await get("maya", "/api/projects/?ids=1000,abc");
  assert.equal(r.status, 400);
  assert.deepEqual(forwardedPaths(), []);
});

test("an origin that ignores `ids` still leaks nothing: the Worker filters the answer", async () => {
  const r = await get("ann", "/api/projects/?ignore_ids=1");
  assert.equal(r.status, 200);
  assert.deepEqual(ids(r), [1000, 1001]);
  assert.equal(r.json.count, 2);
});

test("workspaces: only those the member reaches; the inactive and unknown get nothing", async () => {
  const wsIds = (r) => r.json.map((w) => w.id);
  let r = await get("maya", "/api/workspaces/");
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(wsIds(r), [100, 101, 102, 103], "her sandbox and the others (4243 and Beta's 200 are not hers)");
  r = await get("olivia", "/api/workspaces/");
  assert.deepEqual(wsIds(r), [100, 102, 103], "other members' sandboxes are private");
  r = await get("ann", "/api/workspaces/");
  assert.deepEqual(wsIds(r), []);
  for (const [who, reason] of [["dan", "deactivated"], ["paul", "not_activated"]]) {
    for (const path of ["/api/projects/", "/api/projects/counts/", "/api/workspaces/"]) {
      r = await get(who, path);
      assert.equal(r.status, 403);
      assert.equal(r.json.reason, reason);
      assert.deepEqual(forwardedPaths(), []);
    }
  }
});
