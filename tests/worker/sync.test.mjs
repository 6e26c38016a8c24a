// The store in step with what the origin creates and deletes, and fresh decisions in every
// isolate:
// - a project created (with or without a workspace: then in the creator's sandbox, made on
//   first use), duplicated (Enterprise's route) or deleted through the Worker is recorded from
//   the origin's answer before that answer reaches the client, which carries the new revision;
//   the creator's very next request is decided on that record;
// - two copies of the Worker (two isolates, one store): a member deactivated through one is
//   refused by the other at once when it keeps nothing (MAX_STALENESS_MS=0), and, when it
//   keeps slices for long, as soon as a request carries the write's revision (read your
//   writes); the worst case in between is measured by tests/worker/store-bench.mjs.
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startOrigin, USERS as U } from "./origin.mjs";
import { startWorker, request, bearer, DEMO } from "./harness.mjs";
import { expectations, importSnapshot, exportOrg } from "./store.mjs";

let origin;
let expect;

before(async () => {
  origin = await startOrigin({ projects: true });
  expect = expectations();
});
after(async () => {
  expect?.close();
  await origin?.close();
});

const J = (v) => JSON.stringify(v);
const as = (name, extra = {}) => ({ ...bearer(U[name]), "x-labelgate-org": "1", ...extra });

function call(url, who, method, path, body, extra = {}) {
  const headers = as(who, body === undefined ? extra : { "content-type": "application/json", ...extra });
  return request(url, method, path, { headers, body: body === undefined ? undefined : J(body) });
}

async function facts(worker) {
  const r = await exportOrg(worker.url, 1);
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body).organizations[0];
}

test("what the origin creates, duplicates and deletes is recorded before the client hears of it", async () => {
  const worker = await startWorker({ origin: origin.url, store: true, activity: false });
  try {
    await importSnapshot(worker.url, DEMO, expect);
    const before = await facts(worker);
    assert.equal(before.workspaces.find((w) => w.sandbox_of === U.mark), undefined, "mark has no sandbox yet");

    // Mark's first project without a workspace: his sandbox is made, the project put there.
    let r = await call(worker.url, "mark", "POST", "/api/projects/", { title: "scratch" });
    assert.equal(r.status, 201, r.body);
    const made = r.json.id;
    assert.match(r.headers["x-labelgate-revision"], /^1\.\d+$/);
    let f = await facts(worker);
    const sandbox = f.workspaces.find((w) => w.sandbox_of === U.mark);
    assert.ok(sandbox, "the sandbox was made on first use");
    const p = f.projects.find((x) => x.id === made);
    assert.deepEqual([p.workspace, p.created_by], [sandbox.id, U.mark]);
    r = await call(worker.url, "mark", "GET", `/api/projects/${made}/`);
    assert.equal(r.status, 200, r.body);
    r = await call(worker.url, "ann", "GET", `/api/projects/${made}/`);
    assert.equal(r.status, 403, r.body);

    // Into a named workspace, and a duplicate into another one.
    r = await call(worker.url, "maya", "POST", "/api/projects/", { title: "in 101", workspace: 101 });
    assert.equal(r.status, 201, r.body);
    const inWs = r.json.id;
    r = await call(worker.url, "mark", "POST", "/api/projects/1003/duplicate/", { mode: "settings", workspace: 102, title: "copy" });
    assert.equal(r.status, 201, r.body);
    const copy = r.json.id;
    f = await facts(worker);
    assert.equal(f.projects.find((x) => x.id === inWs).workspace, 101);
    assert.deepEqual([f.projects.find((x) => x.id === copy).workspace, f.projects.find((x) => x.id === copy).created_by], [102, U.mark]);
    r = await call(worker.url, "mark", "GET", `/api/projects/${copy}/`);
    assert.equal(r.status, 200, r.body);

    // A refused creation reaches nobody and records nothing.
    const n = origin.forwarded().length;
    r = await call(worker.url, "ann", "POST", "/api/projects/", { title: "nope", workspace: 101 });
    assert.equal(r.status, 403, r.body);
    assert.equal(origin.forwarded().length, n);
    assert.equal((await facts(worker)).projects.length, f.projects.length);

    // A deletion leaves the store: the project is unknown afterwards.
    r = await call(worker.url, "mark", "DELETE", `/api/projects/${made}/`);
    assert.equal(r.status, 204, r.body);
    assert.match(r.headers["x-labelgate-revision"], /^1\.\d+$/);
    f = await facts(worker);
    assert.equal(f.projects.find((x) => x.id === made), undefined);
    r = await call(worker.url, "mark", "GET", `/api/projects/${made}/`);
    assert.equal(r.status, 403, r.body);
    assert.equal(r.json.reason, "unknown_resource");
  } finally {
    await worker.close();
  }
});

/** Deactivates ann through `url` as the owner; the answer's revision header. */
async function deactivateAnn(url) {
  const r = await call(url, "olivia", "PATCH", "/api/organizations/1/memberships", { user_id: U.ann, role: "DI" });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.role, "DI");
  return r.headers["x-labelgate-revision"];
}

test("two isolates on one store: nothing kept means refused at once", async () => {
  const worker = await startWorker({
    origin: origin.url, store: true, activity: false, second: { bindings: { MAX_STALENESS_MS: "0" } },
  });
  try {
    await importSnapshot(worker.url, DEMO, expect);
    let r = await call(worker.b.url, "ann", "GET", "/api/projects/1000/");
    assert.equal(r.status, 200, r.body);
    await deactivateAnn(worker.url);
    r = await call(worker.b.url, "ann", "GET", "/api/projects/1000/");
    assert.equal(r.status, 403, r.body);
    assert.equal(r.json.reason, "deactivated");
  } finally {
    await worker.close();
  }
});

test("two isolates on one store: a request with the write's revision is decided on it", async () => {
  const worker = await startWorker({
    origin: origin.url, store: true, activity: false, second: { bindings: { MAX_STALENESS_MS: "600000" } },
  });
  try {
    await importSnapshot(worker.url, DEMO, expect);
    let r = await call(worker.b.url, "ann", "GET", "/api/projects/1000/");
    assert.equal(r.status, 200, r.body);
    const revision = await deactivateAnn(worker.url);
    assert.match(revision, /^1\.\d+$/);
    // The second isolate keeps ann's slice for ten minutes: still allowed there...
    r = await call(worker.b.url, "ann", "GET", "/api/projects/1000/");
    assert.equal(r.status, 200, "a slice kept for MAX_STALENESS_MS decides until then");
    // ...until a request carries the write's revision: refreshed first, then refused. The
    // isolate keeps the newer revision: ann's next request without the header is refused too.
    r = await call(worker.b.url, "ann", "GET", "/api/projects/1000/", undefined, { "x-labelgate-revision": revision });
    assert.equal(r.json?.reason, "deactivated", r.body);
    r = await call(worker.b.url, "ann", "GET", "/api/projects/1000/");
    assert.equal(r.json?.reason, "deactivated", r.body);
    // A claim of a revision the store has not reached costs one refresh, and is then forgotten.
    r = await call(worker.b.url, "maya", "GET", "/api/projects/1000/", undefined, { "x-labelgate-revision": "1.999999" });
    assert.equal(r.status, 200, r.body);
  } finally {
    await worker.close();
  }
});
