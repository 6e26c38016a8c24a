// "Can view own" means own (issue 15), as a differential against a naive model. Over random
// rounds, project 1001 of the demo organization (annotators may view their own data there)
// gets random tasks annotated at random by the annotator (ann) and others, and the owner
// assigns ann random tasks through the Worker (the store's task assignments), and takes some
// back. The naive model says ann's own tasks are those assigned to her plus those she
// annotated. Through the Worker, ann's task list (in random pages) must hold exactly those,
// with `total` equal to their number, and each task by id must be allowed exactly when it is
// hers. An administrator's list holds every task. (tests/labelstudio/test_own.py proves the same on
// the real Label Studio.)
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startOrigin, USERS as U } from "./origin.mjs";
import { startWorker, request, bearer, DEMO } from "./harness.mjs";
import { expectations, importSnapshot } from "./store.mjs";

const ROUNDS = Number(process.env.LABELGATE_OWN_ROUNDS ?? 30);
const PROJECT = 1001;
let origin;
let worker;
let expect;

before(async () => {
  origin = await startOrigin({ tasks: {} });
  expect = expectations();
  // MAX_STALENESS_MS=0: every request sees the assignments just made.
  worker = await startWorker({ origin: origin.url, store: true, activity: false, bindings: { MAX_STALENESS_MS: "0" } });
  await importSnapshot(worker.url, DEMO, expect);
});
after(async () => {
  await worker?.close();
  expect?.close();
  await origin?.close();
});

/** The tasks assigned to ann in the store, as the tests left them. */
const assigned = new Set();

const as = (who, extra = {}) => ({ ...bearer(U[who]), "x-labelgate-org": "1", ...extra });
const get = (who, path) => request(worker.url, "GET", path, { headers: as(who) });

function rng(seed) {
  let s = BigInt(seed) | 1n;
  return (n) => {
    s ^= s << 13n; s &= (1n << 64n) - 1n; s ^= s >> 7n; s ^= s << 17n; s &= (1n << 64n) - 1n;
    return Number(s % BigInt(n));
  };
}

async function assignees(method, users, included) {
  const body = JSON.stringify({ type: "AN", users, selectedItems: { all: false, included } });
  const r = await request(worker.url, method, `/api/projects/${PROJECT}/tasks/assignees`, {
    headers: as("olivia", { "content-type": "application/json" }), body,
  });
  assert.ok(r.status === 200 || r.status === 201, r.body);
}

/** Every task of ann's list, page by page. */
async function annsList(pageSize) {
  const seen = [];
  let total;
  for (let page = 1; page < 1000; page++) {
    const r = await get("ann", `/api/tasks/?project=${PROJECT}&page=${page}&page_size=${pageSize}`);
    assert.equal(r.status, 200, r.body);
    total = r.json.total;
    seen.push(...r.json.tasks.map((t) => t.id));
    if (r.json.tasks.length < pageSize) break;
  }
  return { seen, total };
}

test("an annotator's tasks are exactly her own: assigned to her or annotated by her", async () => {
  let lists = 0;
  let reads = 0;
  let ownSeen = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const r = rng(1000 + round);
    const n = 1 + r(40);
    const tasks = [];
    for (let i = 0; i < n; i++) {
      const annotators = [];
      if (r(5) === 0) annotators.push(U.ann);
      if (r(3) === 0) annotators.push(U.rita);
      tasks.push({ id: 5000 + round * 100 + i, annotators });
    }
    origin.tasks = { [PROJECT]: tasks };
    // Assign some, take some earlier ones back (the store keeps every round's).
    const give = tasks.filter(() => r(3) === 0).map((t) => t.id);
    if (give.length) await assignees("POST", [U.ann], give);
    give.forEach((t) => assigned.add(t));
    const back = [...assigned].filter(() => r(6) === 0);
    if (back.length) await assignees("DELETE", [U.ann], back);
    back.forEach((t) => assigned.delete(t));

    const own = tasks.filter((t) => assigned.has(t.id) || t.annotators.includes(U.ann)).map((t) => t.id).sort((a, b) => a - b);
    const { seen, total } = await annsList(1 + r(7));
    assert.deepEqual([...seen].sort((a, b) => a - b), own, `round ${round}: ann's list`);
    assert.equal(total, own.length, `round ${round}: total`);
    assert.equal(new Set(seen).size, seen.length, `round ${round}: a task listed twice`);
    lists++;
    ownSeen += own.length;
    for (const t of tasks.filter(() => r(3) === 0)) {
      const one = await get("ann", `/api/tasks/${t.id}/`);
      assert.equal(one.status, own.includes(t.id) ? 200 : 403, `round ${round}: task ${t.id}: ${one.body}`);
      if (one.status === 403) assert.equal(one.json.reason, "out_of_scope");
      reads++;
    }
    const all = await get("adam", `/api/tasks/?project=${PROJECT}&page_size=100`);
    assert.equal(all.json?.total, tasks.length, `an administrator sees every task: ${all.body}`);
  }
  console.log(`# ${lists} lists and ${reads} single reads equal to the naive model (${ownSeen} own tasks in all)`);
});

test("no own task: the Worker answers the empty list itself (Label Studio would read none as all)", async () => {
  origin.tasks = { [PROJECT]: [{ id: 9100, annotators: [U.rita] }] };
  if (assigned.size) await assignees("DELETE", [U.ann], [...assigned]);
  assigned.clear();
  origin.clear();
  const r = await get("ann", `/api/tasks/?project=${PROJECT}`);
  assert.equal(r.status, 200, r.body);
  assert.deepEqual([r.json.total, r.json.tasks], [0, []]);
  assert.deepEqual(origin.forwarded().map((x) => x.path), [], "nothing asked of the task list but the own-task lookup");
});

test("an origin answering a task outside the own ones is refused, not passed on", async () => {
  origin.tasks = { [PROJECT]: [{ id: 9200, annotators: [U.ann] }, { id: 9201, annotators: [] }] };
  origin.ignoreSelection = true;
  try {
    const r = await get("ann", `/api/tasks/?project=${PROJECT}`);
    assert.equal(r.status, 502, r.body);
    assert.equal(r.json.error, "origin_answer");
    assert.doesNotMatch(r.body, /9201/);
  } finally {
    origin.ignoreSelection = false;
  }
});
