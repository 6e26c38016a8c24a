// Every row of the route table (label-studio-api.md) through the real Worker in workerd:
// an allowed principal's request reaches the origin unchanged (method, path, body bytes)
// and is stamped with the decision; a denied principal's request gets 403 with the decision
// and never reaches the origin.
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startOrigin } from "./origin.mjs";
import { startWorker, request, bearer, lsJwt } from "./harness.mjs";

const U = { olivia: 10, adam: 11, maya: 12, rita: 13, ann: 14, paul: 15, dan: 16, mark: 17 };
let origin;
let worker;

before(async () => {
  origin = await startOrigin();
  // Without the activity log's D1, `GET /api/activity-logs/` is forwarded like any row
  // (with it, the Worker serves it: activity.test.mjs).
  worker = await startWorker({ origin: origin.url, activity: false });
});
after(async () => {
  await worker?.close();
  await origin?.close();
});

const J = (v) => JSON.stringify(v);

// [method, path, body, allowed user, denied user, expected action, denied reason]
// `null` allowed: none (or a public row); `null` denied: a public row.
const ROWS = [
  ["GET", "/health", undefined, null, null, "public"],
  ["GET", "/api/version/", undefined, null, null, "public"],
  ["GET", "/api/current-user/whoami", undefined, "ann", "dan", "org.api_access", "deactivated"],
  ["GET", "/api/current-user/token", undefined, "rita", "paul", "org.api_access", "not_activated"],
  ["POST", "/api/current-user/reset-token/", "", "maya", "dan", "org.api_access", "deactivated"],
  ["GET", "/api/current-user/hotkeys/", undefined, "rita", "dan", "org.api_access", "deactivated"],
  ["PATCH", "/api/current-user/hotkeys/", J({ hotkeys: {} }), "rita", "paul", "org.api_access", "not_activated"],
  ["GET", "/api/token/", undefined, "maya", "dan", "org.api_access", "deactivated"],
  ["POST", "/api/token/", J({}), "maya", "dan", "org.api_access", "deactivated"],
  ["POST", "/api/token/rotate/", J({}), "maya", "paul", "org.api_access", "not_activated"],
  ["GET", "/api/organizations/", undefined, "maya", "rita", "org.view_members", "role_lacks_permission"],
  ["GET", "/api/organizations/1", undefined, "mark", "ann", "org.view_members", "role_lacks_permission"],
  ["PATCH", "/api/organizations/1", J({ title: "Acme" }), "adam", "maya", "org.change_role", "role_lacks_permission"],
  ["PUT", "/api/organizations/1", J({ title: "Acme" }), "olivia", "mark", "org.change_role", "role_lacks_permission"],
  ["GET", "/api/organizations/1/memberships", undefined, "mark", "rita", "org.view_members", "role_lacks_permission"],
  ["POST", "/api/organizations/1/memberships", J({ user_id: 14, role: "RE" }), "adam", "maya", "org.change_role", "role_lacks_permission"],
  ["PATCH", "/api/organizations/1/memberships", J({ user_id: 13, role: "DI" }), "olivia", "rita", "org.change_role", "role_lacks_permission"],
  ["GET", "/api/organizations/1/memberships/14/", undefined, "maya", "ann", "org.view_members", "role_lacks_permission"],
  ["DELETE", "/api/organizations/1/memberships/14/", undefined, "adam", "maya", "org.remove_member", "role_lacks_permission"],
  // A member refused org.view_members gets their own entry instead (the narrowing test below).
  ["GET", "/api/users/", undefined, "maya", "paul", "org.view_members", "not_activated"],
  ["GET", "/api/users/14/", undefined, "mark", "ann", "org.view_members", "role_lacks_permission"],
  ["GET", "/api/users/14.json", undefined, "mark", "ann", "org.view_members", "role_lacks_permission"],
  ["DELETE", "/api/users/14/", undefined, "olivia", "maya", "org.remove_member", "role_lacks_permission"],
  ["GET", "/api/jwt/settings", undefined, "adam", "maya", "org.change_role", "role_lacks_permission"],
  ["POST", "/api/jwt/settings", J({ api_tokens_enabled: true }), "olivia", "mark", "org.change_role", "role_lacks_permission"],
  ["PATCH", "/api/session-policy/", J({ max_session_age: 60 }), "adam", "maya", "org.change_role", "role_lacks_permission"],
  ["GET", "/api/invite", undefined, "adam", "maya", "org.invite", "role_lacks_permission"],
  ["POST", "/api/invite/reset-token", "", "adam", "mark", "org.invite", "role_lacks_permission"],
  ["POST", "/api/invite/send-email", J({ emails: ["x@y"] }), "olivia", "rita", "org.invite", "role_lacks_permission"],
  ["GET", "/api/billing/info", undefined, "olivia", "adam", "org.view_billing", "role_lacks_permission"],
  ["GET", "/api/activity-logs/", undefined, "adam", "maya", "org.view_activity_log", "role_lacks_permission"],
  ["GET", "/api/project-templates/", undefined, "rita", "dan", "org.api_access", "deactivated"],
  ["POST", "/api/project-templates/", J({ title: "t" }), "maya", "rita", "org.save_template", "role_lacks_permission"],
  ["DELETE", "/api/project-templates/3/", undefined, "mark", "ann", "org.save_template", "role_lacks_permission"],
  ["GET", "/api/workspaces/", undefined, "maya", "dan", "org.api_access", "deactivated"],
  ["POST", "/api/workspaces/", J({ title: "w" }), "maya", "rita", "org.create_workspace", "role_lacks_permission"],
  ["GET", "/api/workspaces/100/", undefined, "mark", "rita", "workspace.view", "role_lacks_permission"],
  ["PATCH", "/api/workspaces/100/", J({ title: "x" }), "maya", "mark", "workspace.update", "out_of_scope"],
  ["PUT", "/api/workspaces/102/", J({ title: "x" }), "mark", "maya", "workspace.update", "out_of_scope"],
  ["DELETE", "/api/workspaces/103/", undefined, "adam", "maya", "workspace.delete", "out_of_scope"],
  ["POST", "/api/workspaces/100/memberships/", J({ user: 13 }), "maya", "mark", "workspace.manage_members", "out_of_scope"],
  ["DELETE", "/api/workspaces/102/memberships/", J({ user: 13 }), "mark", "maya", "workspace.manage_members", "out_of_scope"],
  ["GET", "/api/projects/", undefined, "ann", "dan", "org.api_access", "deactivated"],
  ["GET", "/api/projects/counts/", undefined, "rita", "paul", "org.api_access", "not_activated"],
  ["POST", "/api/projects/", J({ title: "p", workspace: 100 }), "maya", "mark", "workspace.create_project", "out_of_scope"],
  ["POST", "/api/projects/roles/", J({ project: 1000, user: 13, role: "AN" }), "adam", "maya", "org.change_role", "role_lacks_permission"],
  ["PATCH", "/api/projects/roles/", J({ project: 1000, user: 14, role: "RE" }), "olivia", "rita", "org.change_role", "role_lacks_permission"],
  ["GET", "/api/projects/1000/", undefined, "rita", "mark", "project.view", "out_of_scope"],
  ["PATCH", "/api/projects/1000/", J({ pinned_at: "2026-01-01T00:00:00Z" }), "rita", "ann", "project.pin", "role_lacks_permission"],
  ["PATCH", "/api/projects/1000/", J({ pinned_at: null }), "rita", "ann", "project.unpin", "role_lacks_permission"],
  ["PUT", "/api/projects/1003/", J({ pinned_at: "2026-01-01T00:00:00Z" }), "rita", "ann", "project.pin", "role_lacks_permission"],
  ["PATCH", "/api/projects/1000/", J({ title: "x" }), "maya", "rita", "project.update", "role_lacks_permission"],
  ["PUT", "/api/projects/1000/", J({ title: "x", pinned_at: null }), "maya", "rita", "project.update", "role_lacks_permission"],
  ["DELETE", "/api/projects/1000/", undefined, "maya", "rita", "project.delete", "role_lacks_permission"],
  ["GET", "/api/projects/1000/summary/", undefined, "ann", "mark", "project.view", "out_of_scope"],
  ["GET", "/api/projects/1000/annotators/", undefined, "rita", "mark", "project.view", "out_of_scope"],
  ["GET", "/api/projects/1000/validate/", undefined, "maya", "rita", "project.update", "role_lacks_permission"],
  ["POST", "/api/projects/1000/validate/", J({ label_config: "<View/>" }), "maya", "rita", "project.update", "role_lacks_permission"],
  ["POST", "/api/projects/1000/duplicate/", J({ mode: "settings", workspace: 100, title: "copy" }), "maya", "mark", "project.duplicate", "out_of_scope"],
  ["POST", "/api/projects/1000/import", J([{ data: { text: "a" } }]), "maya", "rita", "project.import", "role_lacks_permission"],
  ["POST", "/api/projects/1000/import/predictions", J([]), "adam", "ann", "project.import", "role_lacks_permission"],
  ["POST", "/api/projects/1000/reimport", J({ file_upload_ids: [1] }), "maya", "rita", "project.import", "role_lacks_permission"],
  ["POST", "/api/projects/1000/tasks/bulk/", J([{ data: {} }]), "maya", "mark", "project.import", "out_of_scope"],
  ["POST", "/api/projects/1000/tasks/", J({ data: {} }), "maya", "rita", "project.import", "role_lacks_permission"],
  ["GET", "/api/projects/1000/tasks/", undefined, "rita", "mark", "project.view_data", "out_of_scope"],
  ["DELETE", "/api/projects/1000/tasks/", undefined, "maya", "rita", "project.update", "role_lacks_permission"],
  ["POST", "/api/projects/1000/tasks/assignees", J({ type: "AN", users: [14], selectedItems: { all: true } }), "rita", "ann", "project.assign_annotators", "role_lacks_permission"],
  ["POST", "/api/projects/1000/tasks/assignees", J({ type: "RE", users: [13] }), "maya", "rita", "project.assign_reviewers", "role_lacks_permission"],
  ["GET", "/api/projects/1000/export", undefined, "maya", "rita", "project.export", "role_lacks_permission"],
  ["GET", "/api/projects/1000/export/formats", undefined, "adam", "ann", "project.export", "role_lacks_permission"],
  ["GET", "/api/projects/1000/export/files", undefined, "maya", "mark", "project.export", "out_of_scope"],
  ["POST", "/api/projects/1000/exports/", J({ title: "e" }), "maya", "rita", "project.export", "role_lacks_permission"],
  ["GET", "/api/projects/1000/exports/7/download", undefined, "olivia", "ann", "project.export", "role_lacks_permission"],
  ["DELETE", "/api/projects/1000/exports/7", undefined, "maya", "rita", "project.export", "role_lacks_permission"],
  ["GET", "/api/projects/1000/next/", undefined, "ann", "mark", "project.label", "out_of_scope"],
  ["GET", "/api/projects/1000/label-stream-history/", undefined, "rita", "mark", "project.label", "out_of_scope"],
  ["GET", "/api/projects/1000/stats/agreement", undefined, "rita", "ann", "project.monitor_agreement", "role_lacks_permission"],
  ["GET", "/api/projects/1000/stats/agreement_annotator/14", undefined, "maya", "ann", "project.monitor_agreement", "role_lacks_permission"],
  ["GET", "/api/projects/1000/stats/IAA", undefined, "rita", "mark", "project.monitor_agreement", "out_of_scope"],
  ["GET", "/api/projects/1000/stats/member_performance", undefined, "rita", "ann", "project.view_performance", "out_of_scope"],
  ["GET", "/api/projects/1000/stats/finished_tasks", undefined, "rita", "ann", "analytics.view", "role_lacks_permission"],
  ["GET", "/api/projects/1000/users/14/stats/summary", undefined, "ann", "mark", "project.view_performance", "out_of_scope"],
  ["GET", "/api/tasks/?project=1000", undefined, "rita", "mark", "project.view_data", "out_of_scope"],
  ["POST", "/api/tasks/", J({ project: 1000, data: { text: "t" } }), "maya", "rita", "project.import", "role_lacks_permission"],
  ["GET", "/api/tasks/5/", undefined, "rita", "mark", "project.view_data", "out_of_scope"],
  // ann may view only her own tasks' annotations there (own.test.mjs): rita reads them.
  ["GET", "/api/tasks/5/annotations/", undefined, "rita", "mark", "project.label", "out_of_scope"],
  ["POST", "/api/tasks/5/annotations/", J({ result: [] }), "ann", "mark", "project.label", "out_of_scope"],
  ["GET", "/api/tasks/5/drafts", undefined, "rita", "ann", "project.review", "role_lacks_permission"],
  ["POST", "/api/tasks/5/drafts", J({ result: [] }), "rita", "mark", "project.label", "out_of_scope"],
  ["GET", "/api/tasks/5/agreement/", undefined, "rita", "ann", "project.monitor_agreement", "role_lacks_permission"],
  ["GET", "/api/drafts/70/", undefined, "ann", "mark", "annotation.update", "out_of_scope"],
  ["PATCH", "/api/drafts/70/", J({ result: [] }), "ann", "mark", "annotation.update", "out_of_scope"],
  ["DELETE", "/api/drafts/71/", undefined, "mark", "ann", "annotation.update", "out_of_scope"],
  ["PATCH", "/api/annotations/50/", J({ result: [] }), "ann", "mark", "annotation.update", "out_of_scope"],
  ["DELETE", "/api/annotations/51/", undefined, "rita", "ann", "annotation.update", "out_of_scope"],
  ["POST", "/api/predictions/", J({ task: 5, result: [], score: 0.5 }), "maya", "rita", "project.import", "role_lacks_permission"],
  ["POST", "/api/predictions.json", J({ task: 7, result: [] }), "mark", "rita", "project.import", "role_lacks_permission"],
  ["GET", "/api/annotation-reviews/?project=1000", undefined, "rita", "ann", "project.review", "role_lacks_permission"],
  ["POST", "/api/annotation-reviews/", J({ annotation: 50, accepted: true }), "rita", "ann", "project.review", "role_lacks_permission"],
  ["GET", "/api/annotation-reviews/9/", undefined, "rita", "ann", "project.review", "role_lacks_permission"],
  ["PATCH", "/api/annotation-reviews/9/", J({ accepted: false }), "maya", "ann", "project.verify_annotations", "role_lacks_permission"],
  ["GET", "/api/storages/s3/?project=1000", undefined, "maya", "rita", "project.import", "role_lacks_permission"],
  ["POST", "/api/storages/s3/", J({ project: 1000, bucket: "b" }), "maya", "mark", "project.import", "out_of_scope"],
  ["GET", "/api/storages/s3/5", undefined, "maya", "rita", "project.import", "role_lacks_permission"],
  ["POST", "/api/storages/s3/5/sync", "", "adam", "mark", "project.import", "out_of_scope"],
  ["POST", "/api/storages/localfiles/validate", J({ project: 1003, path: "/data" }), "mark", "rita", "project.import", "role_lacks_permission"],
  ["GET", "/api/storages/export/gcs?project=1000", undefined, "maya", "rita", "project.export", "role_lacks_permission"],
  ["POST", "/api/storages/export/gcs/6/sync", "", "mark", "rita", "project.export", "role_lacks_permission"],
  // A member refused project.update gets an empty list instead (the narrowing test below).
  ["GET", "/api/ml/?project=1000", undefined, "maya", "paul", "project.update", "not_activated"],
  ["POST", "/api/ml/", J({ project: 1000, url: "http://ml" }), "maya", "mark", "project.update", "out_of_scope"],
  ["GET", "/api/ml/3", undefined, "maya", "ann", "project.update", "role_lacks_permission"],
  ["POST", "/api/ml/3/train", "", "adam", "rita", "project.update", "role_lacks_permission"],
  ["GET", "/api/webhooks/?project=1001", undefined, "maya", "mark", "project.update", "out_of_scope"],
  ["PATCH", "/api/webhooks/4/", J({ url: "http://hook" }), "maya", "mark", "project.update", "out_of_scope"],
  ["GET", "/api/dm/views/?project=1000", undefined, "rita", "mark", "project.view_data", "out_of_scope"],
  ["GET", "/api/dm/views/8/", undefined, "rita", "mark", "project.view_data", "out_of_scope"],
  ["POST", "/api/dm/actions/?project=1000&id=retrieve_tasks_predictions", J({ selectedItems: { all: true } }), "maya", "rita", "project.update", "role_lacks_permission"],
  ["POST", "/api/dm/actions/?project=1000&id=next_task", J({}), "ann", "mark", "project.label", "out_of_scope"],
  ["GET", "/api/dm/actions/delete_tasks/form/?project=1000", undefined, "maya", "rita", "project.update", "role_lacks_permission"],
  ["GET", "/api/dm/columns/?project=1000", undefined, "rita", "mark", "project.view_data", "out_of_scope"],
  ["POST", "/api/dm/views/", J({ project: 1000, data: {} }), "rita", "mark", "project.view_data", "out_of_scope"],
  ["PATCH", "/api/dm/views/8/", J({ data: {} }), "rita", "ann", "project.view_data", "setting_disabled"],
  ["DELETE", "/api/dm/views/8/", undefined, "maya", "rita", "project.update", "role_lacks_permission"],
  ["DELETE", "/api/dm/views/reset/?project=1000", undefined, "maya", "rita", "project.update", "role_lacks_permission"],
  ["POST", "/api/dm/views/order/", J({ project: 1000, ids: [8] }), "rita", "mark", "project.view_data", "out_of_scope"],
  ["PATCH", "/api/tasks/5/", J({ data: { text: "x" } }), "maya", "rita", "project.update", "role_lacks_permission"],
  ["DELETE", "/api/tasks/5/", undefined, "maya", "rita", "project.update", "role_lacks_permission"],
  ["GET", "/api/annotations/50/", undefined, "ann", "mark", "annotation.update", "out_of_scope"],
  ["POST", "/api/annotations/51/convert-to-draft", "", "rita", "ann", "annotation.update", "out_of_scope"],
  ["GET", "/api/predictions/?task=5", undefined, "rita", "mark", "project.view_data", "out_of_scope"],
  ["DELETE", "/api/predictions/60/", undefined, "maya", "rita", "project.update", "role_lacks_permission"],
  ["POST", "/api/projects/1000/summary/reset/", "", "maya", "rita", "project.update", "role_lacks_permission"],
  ["DELETE", "/api/projects/1000/model-versions/", J({ model_version: "v1" }), "maya", "rita", "project.update", "role_lacks_permission"],
  ["DELETE", "/api/projects/1000/file-uploads", J({ file_upload_ids: [1] }), "maya", "rita", "project.import", "role_lacks_permission"],
  ["POST", "/api/ml/3/interactive-annotating", J({ task: 5 }), "ann", "mark", "project.label", "out_of_scope"],
  ["GET", "/api/webhooks/", undefined, "adam", "maya", "org.change_role", "role_lacks_permission"],
  ["POST", "/api/labels/bulk", J({ project: 1000, old_label: "a", new_label: "b" }), "maya", "rita", "project.update", "role_lacks_permission"],
  ["POST", "/api/labels/", J({ title: "t" }), "maya", "rita", "org.save_template", "role_lacks_permission"],
  ["GET", "/api/session-policy/", undefined, "adam", "maya", "org.change_role", "role_lacks_permission"],
  ["POST", "/api/users/", J({ email: "new@acme.test" }), "adam", "maya", "org.invite", "role_lacks_permission"],
  ["PATCH", "/api/users/14/", J({ first_name: "Ann" }), "ann", "rita", "org.api_access", "out_of_scope"],
  ["GET", "/api/projects/1000/imports/9/", undefined, "maya", "rita", "project.import", "role_lacks_permission"],
  ["POST", "/api/projects/1000/exports/77/convert", J({ export_type: "CSV" }), "maya", "rita", "project.export", "role_lacks_permission"],
  ["GET", "/api/analytics/?scope=own", undefined, "ann", "paul", "analytics.view", "not_activated"],
  ["GET", "/api/analytics/", undefined, "adam", "ann", "analytics.view", "role_lacks_permission"],
];

// The projects lists of ROWS, forwarded with the allowed member's reach as `ids`.
const LIST_IDS = { "/api/projects/ ann": "1000,1001", "/api/projects/counts/ rita": "1000,1003" };

function headersFor(name, body) {
  const h = { ...bearer(U[name]), "x-labelgate-org": "1", "user-agent": "labelgate-tests" };
  if (body !== undefined && body !== "") h["content-type"] = "application/json";
  return h;
}

test(`every route-table row: the allowed reach the origin unchanged, the denied never (${ROWS.length} rows)`, async () => {
  const failures = [];
  for (const [method, path, body, allowed, denied, action, reason] of ROWS) {
    const label = `${method} ${path}`;
    origin.clear();
    const headers = allowed === null ? { "user-agent": "labelgate-tests" } : headersFor(allowed, body);
    const ok = await request(worker.url, method, path, { headers, body });
    const fwd = origin.forwarded();
    if (ok.status !== 200 || fwd.length !== 1) {
      failures.push(`${label} as ${allowed}: ${ok.status} ${ok.body} (${fwd.length} forwarded)`);
      continue;
    }
    const got = fwd[0];
    const sameBody = Buffer.compare(got.body, Buffer.from(body ?? "")) === 0;
    // A projects list is asked for the member's reach only (lists.test.mjs).
    const wantPath = LIST_IDS[`${path} ${allowed}`] ? `${path}?ids=${LIST_IDS[`${path} ${allowed}`]}` : path;
    if (got.method !== method || got.path !== wantPath || !sameBody) {
      failures.push(`${label}: the origin got ${got.method} ${got.path} ${got.body}`);
    }
    if (got.headers["user-agent"] !== "labelgate-tests") failures.push(`${label}: user-agent changed`);
    if (allowed !== null) {
      if (got.headers.authorization !== headers.authorization) failures.push(`${label}: the credential changed`);
      if (got.headers["x-labelgate-user"] !== String(U[allowed])) failures.push(`${label}: x-labelgate-user ${got.headers["x-labelgate-user"]}`);
      if (got.headers["x-labelgate-org"] !== undefined) failures.push(`${label}: x-labelgate-org was forwarded`);
    }
    const stamp = got.headers["x-labelgate-decision"] ?? "";
    const expected = action === "public" ? "public" : `allowed ${action} org=1`;
    if (!stamp.startsWith(expected)) failures.push(`${label}: decision stamp \`${stamp}\`, expected \`${expected}\``);
    if (denied === null) continue;

    origin.clear();
    const no = await request(worker.url, method, path, { headers: headersFor(denied, body), body });
    if (no.status !== 403 || no.json?.allow !== false) failures.push(`${label} as ${denied}: ${no.status} ${no.body}`);
    if (reason !== null && no.json?.reason !== reason) failures.push(`${label} as ${denied}: reason ${no.json?.reason}, expected ${reason}`);
    if (origin.forwarded().length !== 0) failures.push(`${label} as ${denied}: a denied request reached the origin`);
  }
  assert.deepEqual(failures, []);
});

test("reads the web UI makes of every member: narrowed for those refused, never the rest", async () => {
  // GET /api/users/: the origin's array, only the member's own entry.
  origin.clear();
  let r = await request(worker.url, "GET", "/api/users/", { headers: headersFor("rita") });
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(r.json, [{ id: 13, email: "user13@acme.test" }]);
  assert.match(r.headers["x-labelgate-decision"], /^allowed org\.api_access org=1.* narrowed$/);
  // The whole list for those allowed.
  r = await request(worker.url, "GET", "/api/users/", { headers: headersFor("maya") });
  assert.equal(r.json.length, 8);
  // GET /api/ml/?project=: an empty list from the Worker, the origin never asked.
  origin.clear();
  r = await request(worker.url, "GET", "/api/ml/?project=1000", { headers: headersFor("rita") });
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(r.json, []);
  assert.equal(origin.forwarded().length, 0);
  // Outside the member's reach: the same empty list, and nothing asked of the origin.
  r = await request(worker.url, "GET", "/api/ml/?project=1002", { headers: headersFor("ann") });
  assert.deepEqual([r.status, r.json], [200, []]);
  // A member who may not use the API at all is refused, not narrowed.
  r = await request(worker.url, "GET", "/api/users/", { headers: headersFor("paul") });
  assert.equal(r.status, 403, r.body);
  assert.equal(origin.forwarded().length, 0);
});

test("the route table covers every action of label-studio-api.md that a route can ask", () => {
  const actions = new Set(ROWS.map((r) => r[5]));
  for (const a of [
    "org.api_access", "org.view_members", "org.change_role", "org.remove_member", "org.invite",
    "org.view_billing", "org.view_activity_log", "org.save_template", "org.create_workspace",
    "workspace.view", "workspace.update", "workspace.manage_members", "workspace.delete",
    "workspace.create_project", "project.view", "project.pin", "project.unpin", "project.update",
    "project.delete", "project.duplicate", "project.import", "project.export", "project.view_data",
    "project.label", "annotation.update", "project.review", "project.verify_annotations",
    "project.assign_annotators", "project.assign_reviewers", "project.monitor_agreement",
    "project.view_performance", "analytics.view",
  ]) assert.ok(actions.has(a), a);
});

test("body-dependent rows: owner protection, duplicate target, sandbox default, refresh tokens", async () => {
  const post = (who, path, body, extra = {}) => request(worker.url, "POST", path, {
    headers: { ...(who === null ? {} : headersFor(who, body)), "content-type": "application/json", ...extra }, body,
  });
  origin.clear();
  let r = await post("adam", "/api/organizations/1/memberships", J({ user_id: 10, role: "AN" }));
  assert.equal(r.json.reason, "owner_protected", r.body);
  r = await post("adam", "/api/organizations/1/memberships", J({ user_id: 14, role: "OW" }));
  assert.equal(r.json.reason, "owner_protected", r.body);
  r = await post("adam", "/api/organizations/1/memberships", J({ user_id: 11, role: "MA" }));
  assert.equal(r.json.reason, "owner_protected", r.body);
  r = await request(worker.url, "DELETE", "/api/organizations/1/memberships/10/", { headers: headersFor("adam") });
  assert.equal(r.json.reason, "owner_protected", r.body);
  r = await post("maya", "/api/projects/1000/duplicate/", J({ mode: "settings", workspace: 102 }));
  assert.equal(r.json.reason, "out_of_scope", r.body);
  assert.equal(origin.forwarded().length, 0, "nothing refused reached the origin");
  r = await post("mark", "/api/projects/1003/duplicate/", J({ mode: "settings,data", workspace: 102 }));
  assert.equal(r.status, 200, r.body);
  assert.match(origin.forwarded().at(-1).headers["x-labelgate-decision"], /^allowed project\.duplicate org=1 project=1003/);

  // A project created without a workspace goes to the member's sandbox.
  r = await post("maya", "/api/projects/", J({ title: "scratch" }));
  assert.equal(r.status, 200, r.body);
  assert.match(origin.forwarded().at(-1).headers["x-labelgate-decision"], /workspace\.create_project org=1 workspace=101/);
  origin.clear();
  // A KV snapshot cannot make a sandbox on first use (the store does: store.test.mjs).
  r = await post("mark", "/api/projects/", J({ title: "scratch" }));
  assert.equal(r.status, 400, r.body);
  assert.equal(r.json.reason, "invalid_request");
  assert.match(r.json.message, /no sandbox in the snapshot/);
  r = await request(worker.url, "DELETE", "/api/workspaces/100/", { headers: headersFor("adam") });
  assert.equal(r.json.reason, "workspace_not_empty", r.body);

  // Token refresh: the identity is the refresh token in the body, not a header.
  r = await post(null, "/api/token/refresh/", J({ refresh: lsJwt(12, { type: "refresh" }) }));
  assert.equal(r.status, 200, r.body);
  assert.equal(origin.forwarded().at(-1).headers["x-labelgate-user"], "12");
  r = await post(null, "/api/token/blacklist/", J({ refresh: lsJwt(12, { type: "refresh" }) }), { authorization: `Bearer ${lsJwt(10)}` });
  assert.equal(r.status, 200, r.body);
  assert.equal(origin.forwarded().at(-1).headers.authorization, undefined, "the unused credential is stripped");
  origin.clear();
  r = await post(null, "/api/token/refresh/", J({ refresh: lsJwt(16, { type: "refresh" }) }));
  assert.equal(r.json.reason, "deactivated", r.body);
  r = await post(null, "/api/token/refresh/", J({ refresh: lsJwt(12) }));
  assert.equal(r.status, 401, "an access token is not a refresh token");
  r = await post(null, "/api/token/refresh/", J({}));
  assert.equal(r.status, 401);
  assert.equal(origin.forwarded().length, 0);
});

test("organizations: 0 is the member's only one; several need X-LabelGate-Org", async () => {
  const h = { ...bearer(12) };
  origin.clear();
  let r = await request(worker.url, "GET", "/api/organizations/0/memberships", { headers: h });
  assert.equal(r.status, 200, r.body);
  assert.match(origin.forwarded()[0].headers["x-labelgate-decision"], /org=1/);
  assert.equal(origin.forwarded()[0].path, "/api/organizations/0/memberships", "forwarded unchanged");
  origin.clear();
  // Ann is an annotator in organization 1 and a reviewer in organization 2: an
  // organization-level route needs the header, a route that names an object does not.
  r = await request(worker.url, "GET", "/api/projects/", { headers: bearer(14) });
  assert.equal(r.status, 400);
  assert.equal(r.json.error, "organization_needed");
  r = await request(worker.url, "GET", "/api/projects/2000/", { headers: { ...bearer(14), "x-labelgate-org": "2" } });
  assert.equal(r.status, 200, r.body);
  r = await request(worker.url, "GET", "/api/projects/2000/", { headers: { ...bearer(14), "x-labelgate-org": "1" } });
  assert.equal(r.json.reason, "unknown_resource", "another organization's project");
  r = await request(worker.url, "GET", "/api/tasks/20/", { headers: { ...bearer(14), "x-labelgate-org": "2" } });
  assert.equal(r.status, 200, r.body);
  r = await request(worker.url, "GET", "/api/organizations/0/memberships", { headers: { ...bearer(14), "x-labelgate-org": "2" } });
  assert.equal(r.status, 400, "0 is ambiguous for a member of two organizations");
  r = await request(worker.url, "GET", "/api/organizations/2/memberships", { headers: { ...bearer(20) } });
  assert.equal(r.status, 200, r.body);
  r = await request(worker.url, "GET", "/api/organizations/1/memberships", { headers: { ...bearer(20) } });
  assert.equal(r.json.reason, "not_member", r.body);
  assert.equal(origin.forwarded().length, 3);
});

test("a member of several organizations acts in the organization of the object the route names", async () => {
  origin.clear();
  const ann = bearer(14);
  let r = await request(worker.url, "GET", "/api/projects/2000/", { headers: ann });
  assert.equal(r.status, 200, r.body);
  assert.match(origin.forwarded().at(-1).headers["x-labelgate-decision"], /^allowed project\.view org=2 project=2000/);
  r = await request(worker.url, "GET", "/api/projects/1000/", { headers: ann });
  assert.equal(r.status, 200, r.body);
  assert.match(origin.forwarded().at(-1).headers["x-labelgate-decision"], /^allowed project\.view org=1 project=1000/);
  r = await request(worker.url, "GET", "/api/tasks/20/", { headers: ann });
  assert.equal(r.status, 200, r.body);
  assert.match(origin.forwarded().at(-1).headers["x-labelgate-decision"], /org=2 project=2000/);
  // In organization 2 she is a reviewer: its data is hers to view; in 1 she annotates.
  r = await request(worker.url, "GET", "/api/projects/1000/export", { headers: ann });
  assert.equal(r.json.reason, "role_lacks_permission", r.body);
  r = await request(worker.url, "GET", "/api/projects/424242/", { headers: ann });
  assert.equal(r.json.reason, "unknown_resource", r.body);
  origin.clear();
  r = await request(worker.url, "GET", "/api/projects/2000/", { headers: { ...ann, "x-labelgate-org": "1" } });
  assert.equal(r.json.reason, "unknown_resource", "a header that names another organization than the object's");
  r = await request(worker.url, "GET", "/api/invite", { headers: ann });
  assert.equal(r.json.error, "organization_needed", r.body);
  assert.equal(origin.forwarded().length, 0);
});
