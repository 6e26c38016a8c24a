// What low roles may not change, through the real Worker in workerd: every Data Manager
// action by its id (and the menu narrowed to what the member may run), tab resets, writes
// whose body names another project, annotations written in another's name, other members'
// accounts, routes denied on purpose, and cross-site writes carried by the session cookie.
// The recording origin proves that nothing refused reached it.
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startOrigin, session, token } from "./origin.mjs";
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
const JSONH = { "content-type": "application/json" };
const who = { olivia: 10, adam: 11, maya: 12, rita: 13, ann: 14, mark: 17 };
const as = (name) => ({ ...bearer(who[name]), "x-labelgate-org": "1", ...JSONH });

/** Sends, and checks the refusal (status, reason or error) and that nothing was forwarded. */
async function refused(label, method, path, headers, body, status, reason) {
  origin.clear();
  const r = await request(worker.url, method, path, { headers, body });
  assert.equal(r.status, status, `${label}: ${r.status} ${r.body}`);
  assert.equal(r.json?.reason ?? r.json?.error, reason, `${label}: ${r.body}`);
  assert.equal(origin.forwarded().length, 0, `${label}: a refused request reached the origin`);
  return r;
}

/** Sends, and checks it was forwarded unchanged with the expected decision stamp. */
async function forwarded(label, method, path, headers, body, stamp) {
  origin.clear();
  const r = await request(worker.url, method, path, { headers, body });
  assert.equal(r.status, 200, `${label}: ${r.status} ${r.body}`);
  const got = origin.forwarded();
  assert.equal(got.length, 1, `${label}: forwarded ${got.length} times`);
  assert.equal(got[0].path, path, label);
  assert.equal(got[0].body.toString(), body ?? "", label);
  if (stamp) assert.match(got[0].headers["x-labelgate-decision"], stamp, label);
  return r;
}

const ACTIONS = [
  "retrieve_tasks_predictions", "delete_tasks", "delete_tasks_annotations", "delete_tasks_predictions",
  "predictions_to_annotations", "remove_duplicates", "cache_labels", "propagate_annotations",
  "rename_labels", "add_data_field",
];
const ALL = J({ selectedItems: { all: true, excluded: [] } });

test("every Data Manager action that changes data is project management; unknown ids are denied", async () => {
  for (const id of ACTIONS) {
    const path = `/api/dm/actions/?id=${id}&project=1000`;
    await refused(`${id} as reviewer`, "POST", path, as("rita"), ALL, 403, "role_lacks_permission");
    await refused(`${id} as annotator`, "POST", path, as("ann"), ALL, 403, "role_lacks_permission");
    await refused(`${id} as another manager`, "POST", path, as("mark"), ALL, 403, "out_of_scope");
    await forwarded(`${id} as its manager`, "POST", path, as("maya"), ALL, /^allowed project\.update org=1 project=1000/);
  }
  // The labeling stream of a tab reads the next task: labeling.
  await forwarded("next_task", "POST", "/api/dm/actions/?id=next_task&project=1000", as("ann"), ALL, /^allowed project\.label/);
  for (const name of ["olivia", "ann"]) {
    await refused(`unknown id as ${name}`, "POST", "/api/dm/actions/?id=frobnicate&project=1000", as(name), ALL, 403, "unknown_action");
  }
  await refused("no id", "POST", "/api/dm/actions/?project=1000", as("maya"), ALL, 400, "invalid_request");
  await refused("project in the body only", "POST", "/api/dm/actions/?id=delete_tasks", as("maya"), J({ project: 1000 }), 400, "invalid_request");
  await refused("repeated id", "POST", "/api/dm/actions/?id=next_task&id=delete_tasks&project=1000", as("ann"), ALL, 400, "ambiguous_query");
  await refused("repeated project", "POST", "/api/dm/actions/?id=delete_tasks&project=1001&project=1000", as("maya"), ALL, 400, "ambiguous_query");
  await refused("form of a write action", "GET", "/api/dm/actions/delete_tasks/form/?project=1000", as("rita"), undefined, 403, "role_lacks_permission");
});

test("the Data Manager's menu holds only the actions the member may run", async () => {
  const menu = async (name) => {
    const r = await request(worker.url, "GET", "/api/dm/actions/?project=1000", { headers: as(name) });
    assert.equal(r.status, 200, r.body);
    return r.json.map((a) => a.id);
  };
  const managed = ["retrieve_tasks_predictions", "predictions_to_annotations", "remove_duplicates",
    "delete_tasks", "delete_tasks_annotations", "delete_tasks_predictions"];
  assert.deepEqual(await menu("maya"), managed);
  assert.deepEqual(await menu("olivia"), managed);
  assert.deepEqual(await menu("rita"), []);
  await refused("menu outside reach", "GET", "/api/dm/actions/?project=1000", as("mark"), undefined, 403, "out_of_scope");
});

test("tabs: using them is viewing data, dropping them is managing the project", async () => {
  await refused("reset as reviewer", "DELETE", "/api/dm/views/reset/?project=1000", as("rita"), undefined, 403, "role_lacks_permission");
  await refused("reset by body", "DELETE", "/api/dm/views/reset/", as("rita"), J({ project: 1000 }), 403, "role_lacks_permission");
  // The server takes the body's project over the query's: both must name the same one.
  await refused("reset of another project through the body", "DELETE", "/api/dm/views/reset/?project=1000", as("maya"), J({ project: 1003 }), 400, "invalid_request");
  await refused("delete a tab as reviewer", "DELETE", "/api/dm/views/8/", as("rita"), undefined, 403, "role_lacks_permission");
  await forwarded("filter a tab as reviewer", "PATCH", "/api/dm/views/8/?interaction=filter&project=1000", as("rita"), J({ project: 1000, data: { filters: {} } }), /project\.view_data/);
  await refused("move a tab to another project", "PATCH", "/api/dm/views/8/", as("maya"), J({ project: 1003, data: {} }), 400, "invalid_request");
  await forwarded("reset as manager", "DELETE", "/api/dm/views/reset/?project=1000", as("maya"), undefined, /^allowed project\.update/);
});

test("a write's body may not point the object at another project", async () => {
  await refused("webhook to another project", "PATCH", "/api/webhooks/4/", as("maya"), J({ project: 1000, url: "http://x" }), 400, "invalid_request");
  await refused("storage to another project", "PATCH", "/api/storages/s3/5", as("maya"), J({ project: 1003 }), 400, "invalid_request");
  await refused("prediction to another task", "PATCH", "/api/predictions/60/", as("maya"), J({ task: 7 }), 400, "invalid_request");
  await refused("a storage check that rewrites another project's storage", "POST", "/api/storages/export/gcs/validate", as("maya"), J({ id: 6, project: 1000 }), 400, "invalid_request");
  await refused("a body that is not json", "PATCH", "/api/webhooks/4/", { ...bearer(12), "content-type": "application/x-www-form-urlencoded" }, "project=1000", 415, "not_json");
  await refused("an import of another project", "GET", "/api/projects/1001/imports/9/", as("maya"), undefined, 400, "invalid_request");
  await refused("an export of another project", "POST", "/api/projects/1001/exports/77/convert", as("maya"), J({}), 403, "unknown_resource");
});

test("annotations and drafts are written in their author's name only", async () => {
  await refused("annotation for someone else", "POST", "/api/tasks/5/annotations/", as("ann"), J({ result: [], completed_by: 13 }), 403, "out_of_scope");
  await forwarded("own annotation", "POST", "/api/tasks/5/annotations/", as("ann"), J({ result: [] }), /project\.label/);
  await refused("another's annotation to a draft", "POST", "/api/annotations/51/convert-to-draft", as("ann"), "", 403, "out_of_scope");
  await refused("another's draft", "PATCH", "/api/drafts/71/", as("ann"), J({ result: [] }), 403, "out_of_scope");
  await refused("a draft handed to another", "PATCH", "/api/drafts/70/", as("ann"), J({ user: 13 }), 403, "out_of_scope");
  await forwarded("own draft", "PATCH", "/api/drafts/70/", as("ann"), J({ result: [] }), /annotation\.update/);
  await refused("draft of another's annotation", "POST", "/api/tasks/5/annotations/51/drafts", as("ann"), J({ result: [] }), 403, "out_of_scope");
  await refused("every draft of a task", "GET", "/api/tasks/5/drafts", as("ann"), undefined, 403, "role_lacks_permission");
});

test("a member changes only their own account", async () => {
  await refused("another's profile", "PATCH", "/api/users/10/", as("adam"), J({ first_name: "x" }), 403, "out_of_scope");
  await refused("another's avatar", "DELETE", "/api/users/13/avatar/", as("ann"), undefined, 403, "out_of_scope");
  await forwarded("own profile", "PATCH", "/api/users/14/", as("ann"), J({ first_name: "Ann" }), /org\.api_access/);
});

test("routes denied on purpose say why, whoever asks", async () => {
  for (const [method, path] of [
    ["GET", "/admin/"], ["POST", "/admin/users/user/1/change/"], ["GET", "/django-rq/queues/0/"],
    ["POST", "/api-auth/login/"], ["GET", "/api/"], ["OPTIONS", "/api/projects/"],
    ["POST", "/api/organizations/"], ["GET", "/api/auth/export/"],
  ]) {
    const r = await refused(`${method} ${path}`, method, path, as("olivia"), undefined, 403, "unknown_action");
    assert.match(r.json.message, /never allowed through LabelGate: /, r.body);
  }
});

test("a cross-site write carried by the session cookie is refused; same-site writes and tokens pass", async () => {
  const cookie = (name) => ({ cookie: `sessionid=${session(name)}; csrftoken=abc`, "x-labelgate-org": "1", ...JSONH });
  const pin = J({ pinned_at: "2026-01-01T00:00:00Z" });
  const own = worker.url;
  await refused("another site's origin", "PATCH", "/api/projects/1000/", { ...cookie("maya"), origin: "https://evil.example" }, pin, 403, "cross_site");
  await refused("a null origin", "POST", "/api/dm/actions/?id=delete_tasks&project=1000", { ...cookie("maya"), origin: "null" }, ALL, 403, "cross_site");
  await refused("sec-fetch-site", "DELETE", "/api/projects/1000/", { ...cookie("maya"), "sec-fetch-site": "cross-site" }, undefined, 403, "cross_site");
  await refused("another port", "PATCH", "/api/projects/1000/", { ...cookie("maya"), origin: own.replace(/:\d+$/, ":1") }, pin, 403, "cross_site");
  const r = await refused("no decision is made", "PATCH", "/api/projects/1000/", { ...cookie("rita"), origin: "https://evil.example" }, pin, 403, "cross_site");
  assert.match(r.json.message, /another site/);
  await forwarded("same origin", "PATCH", "/api/projects/1000/", { ...cookie("rita"), origin: own, "sec-fetch-site": "same-origin" }, pin, /project\.pin/);
  await refused("no origin at all", "PATCH", "/api/projects/1000/", cookie("rita"), pin, 403, "cross_site");
  await refused("an empty origin", "PATCH", "/api/projects/1000/", { ...cookie("rita"), origin: "" }, pin, 403, "cross_site");
  await forwarded("no origin, same-origin fetch", "PATCH", "/api/projects/1000/", { ...cookie("rita"), "sec-fetch-site": "same-origin" }, pin, /project\.pin/);
  await forwarded("a read from another site", "GET", "/api/projects/1000/", { ...cookie("rita"), origin: "https://evil.example" }, undefined, /project\.view/);
  await forwarded("a token from another site", "PATCH", "/api/projects/1000/", { authorization: `Token ${token("rita")}`, "x-labelgate-org": "1", ...JSONH, origin: "https://evil.example" }, pin, /project\.pin/);
});
