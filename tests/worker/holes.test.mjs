// The mechanisms of issue 18 at the Worker, in workerd in front of the recording origin
// (tests/labelstudio/test_holes.py proves them against the real Label Studio):
// - a body in any charset but UTF-8 (on any route), a byte order mark, a media type or a
//   parameter Label Studio parses differently, a key repeated at any depth: refused, and
//   nothing reaches the origin;
// - an organization-level request in another organization than the member's active one
//   (what the origin's whoami says): 409, nothing forwarded; a switch is decided where it lands;
// - a body naming another organization: refused;
// - `next_task` choosing a task is viewing; left to the stream, labeling;
// - other members' emails in a forwarded answer never reach a member refused org.view_members.
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startOrigin } from "./origin.mjs";
import { startWorker, request, bearer } from "./harness.mjs";

let origin;
let worker;

before(async () => {
  origin = await startOrigin();
  worker = await startWorker({ origin: origin.url, activity: false });
});
after(async () => {
  await worker?.close();
  await origin?.close();
});

const J = (v) => JSON.stringify(v);
const as = (user, org = "1", extra = {}) => ({ ...bearer(user), "x-labelgate-org": org, "content-type": "application/json", ...extra });

async function refused(label, method, path, headers, body, status) {
  origin.clear();
  const r = await request(worker.url, method, path, { headers, body });
  assert.equal(r.status, status, `${label}: ${r.status} ${r.body}`);
  assert.equal(origin.forwarded().length, 0, `${label}: a refused request reached the origin`);
  return r;
}

async function forwarded(label, method, path, headers, body, stamp) {
  origin.clear();
  const r = await request(worker.url, method, path, { headers, body });
  assert.equal(r.status, 200, `${label}: ${r.status} ${r.body}`);
  const got = origin.forwarded();
  assert.equal(got.length, 1, `${label}: forwarded ${got.length} times`);
  if (stamp) assert.match(got[0].headers["x-labelgate-decision"], stamp, label);
  return r;
}

test("a body Label Studio would read differently is refused before anything reads it", async () => {
  const pin = J({ pinned_at: null });
  const hidden = '{"pinned_at": null, "note": "x+ACI-, +ACI-title+ACI-: +ACI-pwned"}';
  for (const [label, ct, body] of [
    ["utf-7", "application/json; charset=utf-7", hidden],
    ["UTF-7, any case", "application/json;charset=UTF-7", hidden],
    ["utf-16", "application/json; charset=utf-16", pin],
    ["a charset named twice", "application/json; charset=utf-8; charset=utf-7", pin],
    ["another parameter", "application/json; boundary=x", pin],
    ["a wildcard media type (DRF reads it as JSON)", "*/*", pin],
    ["application/*", "application/*", pin],
    ["a form declared", "application/x-www-form-urlencoded", "pinned_at=&title=pwned"],
    ["a byte order mark", "application/json", "\ufeff" + pin],
    ["a key repeated deep down", "application/json", '{"pinned_at": null, "x": {"a": 1, "a": 2}}'],
    ["a key repeated", "application/json", '{"pinned_at": null, "pinned_at": "2026-01-01T00:00:00Z"}'],
    ["a form feed", "application/json", "\f" + pin],
    ["an integer beyond 64 bits", "application/json", '{"pinned_at": null, "n": 123456789012345678901234567890}'],
  ]) {
    const r = await refused(label, "PATCH", "/api/projects/1000/", as(13, "1", { "content-type": ct }), body, label.includes("repeated") || label.includes("feed") || label.includes("64") ? 400 : 415);
    assert.ok(r.json?.error || r.json?.reason, label);
  }
  // A charset other than UTF-8 is refused on routes that do not read the body too (Label
  // Studio decodes the query in it as well).
  await refused("utf-7 on an import", "POST", "/api/projects/1000/import", as(12, "1", { "content-type": "application/json; charset=utf-7" }), "[]", 415);
  await refused("utf-7 on a read", "GET", "/api/projects/?project=%2BADk-", as(12, "1", { "content-type": "text/plain; charset=utf-7" }), undefined, 415);
  // Plain UTF-8, declared either way, is the reviewer's pin.
  await forwarded("utf-8", "PATCH", "/api/projects/1000/", as(13, "1", { "content-type": "application/json; charset=UTF-8" }), pin, /project\.(un)?pin/);
});

test("an organization-level request runs only in the member's active organization", async () => {
  // Ann is an annotator of Acme (1) and a reviewer of Beta (2); Label Studio has her in Acme.
  await refused("Beta while active in Acme", "GET", "/api/projects/", as(14, "2"), undefined, 409);
  const r = await refused("Beta's users", "GET", "/api/users/", as(14, "2"), undefined, 409);
  assert.equal(r.json.error, "active_organization");
  assert.match(r.json.message, /active_organization/);
  await forwarded("Acme's", "GET", "/api/projects/", as(14, "1"), undefined, /org=1/);
  // A switch into Beta is decided in Beta (she is active there), then Beta's routes run.
  await forwarded("the switch", "PATCH", "/api/users/14/", as(14, "2"), J({ active_organization: 2 }), /org=2/);
  await forwarded("Beta's now", "GET", "/api/projects/", as(14, "2"), undefined, /org=2/);
  await refused("Acme's wait for a switch back", "GET", "/api/users/", as(14, "1"), undefined, 409);
  await forwarded("back", "PATCH", "/api/users/14/", as(14, "1"), J({ active_organization: 1 }), /org=1/);
  // Maya manages Acme only: no switch into Beta; nor into an organization named twice.
  await refused("maya into Beta, Acme named", "PATCH", "/api/users/12/", as(12, "1"), J({ active_organization: 2 }), 400);
  const m = await refused("maya into Beta, no header", "PATCH", "/api/users/12/", { ...bearer(12), "content-type": "application/json" }, J({ active_organization: 2 }), 403);
  assert.equal(m.json.reason, "not_member");
  // Dan is deactivated in Acme: no switch into it.
  await refused("dan", "PATCH", "/api/users/16/", { ...bearer(16), "content-type": "application/json" }, J({ active_organization: 1 }), 403);
  // A project may not be moved to another organization through its body.
  await refused("organization in a project's body", "PATCH", "/api/projects/1000/", as(12), J({ title: "t", organization: 2 }), 403);
  await refused("organization in a new project's body", "POST", "/api/projects/", as(11), J({ title: "t", organization: 2 }), 403);
});

test("next_task that chooses its task is viewing; the stream is labeling", async () => {
  const path = "/api/dm/actions/?id=next_task&project=1000";
  // Ann labels project 1000 but may not view its data (annotators: own data off here).
  await forwarded("the stream", "POST", path, as(14), J({}), /project\.label/);
  await forwarded("the stream, all selected", "POST", path, as(14), J({ selectedItems: { all: true, excluded: [] } }), /project\.label/);
  for (const body of [
    { selectedItems: { all: false, included: [1] } },
    { selectedItems: { all: true, excluded: [1] } },
    { filters: { conjunction: "and", items: [{ filter: "filter:tasks:id", operator: "equal", type: "Number", value: 1 }] } },
    { ordering: ["-tasks:id"] },
    { view: 3 },
  ]) {
    await refused(`choosing ${J(body)}`, "POST", path, as(14), J(body), 403);
  }
  await refused("a tab in the query", "POST", `${path}&view=3`, as(14), J({}), 403);
  // Rita reviews: she views the project's data, so she may choose.
  await forwarded("the reviewer chooses", "POST", path, as(13), J({ selectedItems: { all: false, included: [1] } }), /project\.view_data/);
});

test("other members' emails never reach a member who may not see the members", async () => {
  const answer = J({
    id: 1000, title: "Triage",
    created_by: { id: 10, first_name: "Olivia", last_name: "Owner", email: "olivia@acme.test", avatar: null },
    annotations: [{ id: 1, completed_by: 12, created_username: "Maya Manager maya@acme.test, 12" }],
    drafts: [{ id: 2, user: "maya@acme.test" }],
    data: { text: "write to help@acme.test" },
  });
  for (const [user, sees] of [[14, false], [13, false], [12, true], [11, true]]) {
    const r = await forwarded(`user ${user}`, "GET", "/api/projects/1000/", as(user, "1", { "x-origin-answer": answer }));
    assert.equal(r.body.includes("olivia@acme.test"), sees, `${user}: ${r.body}`);
    assert.equal(r.body.includes("maya@acme.test"), sees || user === 12, `${user}: ${r.body}`);
    assert.ok(r.body.includes("help@acme.test"), "task data is left as it is");
    assert.ok(r.body.includes("Olivia"), "names stay");
  }
});
