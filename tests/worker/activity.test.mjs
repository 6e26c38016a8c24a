// The activity log: one record per request in D1 (written after the response through
// ctx.waitUntil), and `GET /api/activity-logs/` served by the Worker itself for members
// allowed `org.view_activity_log`, with filters and pages; a user gone from the snapshot shows
// as "Deleted User". Records are read straight from D1 (harness `activityLog()`) and through
// the API.
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startOrigin } from "./origin.mjs";
import { startWorker, request, bearer, DEMO } from "./harness.mjs";

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

const as = (who) => ({ ...bearer(U[who]), "x-labelgate-org": "1" });
const get = (who, path) => request(worker.url, "GET", path, { headers: who ? as(who) : {} });

/** Waits until D1 holds `n` records (they are written after the response). */
async function records(n) {
  for (let i = 0; i < 200; i++) {
    const rows = await worker.activityLog();
    if (rows.length >= n) return rows;
    await new Promise((r) => setTimeout(r, 25));
  }
  return worker.activityLog();
}

/** Waits until the log stops growing (records are batched for ACTIVITY_BATCH_MS). */
async function settled() {
  let last = -1;
  for (let i = 0; i < 100; i++) {
    const n = (await worker.activityLog()).length;
    if (n === last) return;
    last = n;
    await new Promise((r) => setTimeout(r, 120));
  }
}

test("every request leaves exactly one record: who, where, what, the decision, the status", async () => {
  const sent = [
    [() => get("maya", "/api/projects/1000/"), { user: 12, org: 1, action: "project.view", project: 1000, allow: 1, reason: "allowed", status: 200 }],
    [() => get("ann", "/api/projects/1000/export"), { user: 14, org: 1, action: "project.export", project: 1000, allow: 0, reason: "role_lacks_permission", status: 403 }],
    [() => get("dan", "/api/projects/"), { user: 16, org: 1, action: "org.api_access", allow: 0, reason: "deactivated", status: 403 }],
    [() => get("rita", "/api/projects/"), { user: 13, org: 1, action: "org.api_access", allow: 1, detail: "list=projects", status: 200 }],
    [() => get(null, "/api/projects/1000/"), { user: null, org: null, allow: 0, reason: "unauthenticated", status: 401 }],
    [() => get("maya", "/api/projects/1000/%2565xport"), { user: null, allow: 0, reason: "ambiguous_path", status: 400 }],
    [() => get(null, "/health"), { action: "public", allow: 1, reason: "public", status: 200 }],
    [() => get("maya", "/api/nothing/here/"), { allow: 0, reason: "unknown_action", status: 403 }],
    [() => request(worker.url, "POST", "/user/signup/", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: "email=x" }),
      { user: null, org: 1, action: "org.signup", allow: 0, reason: "setting_disabled", status: 403 }],
    [() => request(worker.url, "GET", "/user/signup/?token=demo-invite-7f3a"),
      { org: 1, action: "org.signup", allow: 1, detail: "new_member=not_activated", status: 200 }],
  ];
  const start = (await worker.activityLog()).length;
  for (const [send] of sent) await send();
  const rows = (await records(start + sent.length)).slice(start);
  assert.equal(rows.length, sent.length);
  rows.forEach((row, i) => {
    for (const [k, v] of Object.entries(sent[i][1])) assert.equal(row[k], v, `record ${i} ${k}: ${JSON.stringify(row)}`);
    assert.match(row.time, /^\d{4}-\d\d-\d\dT/);
    assert.ok(row.request_id.startsWith("lg-"));
  });
  assert.equal(new Set(rows.map((r) => r.request_id)).size, rows.length, "request ids are unique");
  // The decide test endpoint is not a request to record.
  await request(worker.url, "POST", "/__labelgate/decide", { body: "{}" });
  await get(null, "/health");
  const after = await records(start + sent.length + 1);
  assert.equal(after.length, start + sent.length + 1);
  assert.equal(after.at(-1).path, "/health");
});

test("200 concurrent requests: 200 records, none lost", async () => {
  const start = (await worker.activityLog()).length;
  const who = ["maya", "ann", "rita", "dan", "adam"];
  await Promise.all(Array.from({ length: 200 }, (_, i) => get(who[i % who.length], `/api/projects/${1000 + (i % 6)}/`)));
  const rows = (await records(start + 200)).slice(start);
  assert.equal(rows.length, 200);
  assert.equal(rows.filter((r) => r.user === 16).length, 40);
  assert.ok(rows.filter((r) => r.user === 16).every((r) => r.allow === 0 && r.reason === "deactivated"));
});

test("GET /api/activity-logs/: served by the Worker, for administrators, filtered and paged", async () => {
  origin.clear();
  let r = await get("maya", "/api/activity-logs/");
  assert.equal(r.status, 403);
  assert.equal(r.json.reason, "role_lacks_permission");
  r = await get("adam", "/api/activity-logs/?user=14&allow=false");
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(origin.forwarded(), [], "served by the Worker, not forwarded");
  assert.ok(r.json.count >= 1);
  for (const rec of r.json.results) {
    assert.equal(rec.user.id, 14);
    assert.equal(rec.user.name, "Ann Annotator");
    assert.equal(rec.allow, false);
    assert.equal(rec.organization, 1);
  }
  r = await get("olivia", "/api/activity-logs/?action=project.export&project=1000");
  assert.ok(r.json.results.length >= 1 && r.json.results.every((x) => x.action === "project.export" && x.project === 1000));
  // Pages: newest first, `next` / `previous` on the Worker, every record once (the log is
  // let settle first: the page requests add records of their own, but not of user 12).
  await settled();
  const total = (await get("adam", "/api/activity-logs/?user=12")).json.count;
  let path = "/api/activity-logs/?user=12&page_size=7";
  const ids = [];
  for (let guard = 0; path && guard < 100; guard++) {
    const page = (await get("adam", path)).json;
    assert.equal(page.count, total);
    ids.push(...page.results.map((x) => x.id));
    path = page.next ? page.next.slice(worker.url.length) : null;
    if (page.next) assert.ok(page.next.startsWith(`${worker.url}/api/activity-logs/?`));
  }
  assert.equal(ids.length, total);
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  // A time range.
  const future = Date.now() + 3_600_000;
  r = await get("adam", `/api/activity-logs/?since=${future}`);
  assert.equal(r.json.count, 0);
  r = await get("adam", `/api/activity-logs/?until=${new Date(future).toISOString()}&user=12`);
  assert.ok(r.json.count >= total);
  r = await get("adam", "/api/activity-logs/?allow=perhaps");
  assert.equal(r.status, 400);
  // Another organization's records are not shown: Beta's owner sees only Beta's.
  r = await request(worker.url, "GET", "/api/activity-logs/", { headers: { ...bearer(20) } });
  assert.equal(r.status, 200, r.body);
  assert.ok(r.json.results.every((x) => x.organization === 2));
});

test("a user gone from the snapshot shows as Deleted User", async () => {
  await get("mark", "/api/projects/1003/");
  await records(1);
  const snap = JSON.parse(DEMO);
  snap.users = snap.users.filter((u) => u.id !== 17);
  const acme = snap.organizations[0];
  acme.members = acme.members.filter((m) => m.user !== 17);
  for (const w of acme.workspaces) w.members = (w.members ?? []).filter((m) => m !== 17);
  await worker.put(JSON.stringify(snap), "without-mark");
  let r;
  for (let i = 0; i < 50; i++) {
    r = await get("adam", "/api/activity-logs/?user=17");
    if (r.json?.results?.[0]?.user?.name === "Deleted User") break;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal(r.status, 200, r.body);
  assert.ok(r.json.count >= 1);
  assert.ok(r.json.results.every((x) => x.user.name === "Deleted User" && x.user.id === 17), r.body);
  await worker.put(DEMO, "demo-again");
});
