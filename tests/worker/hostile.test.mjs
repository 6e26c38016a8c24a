// Hostile requests through the real Worker: encoded and double-encoded paths, dot segments,
// `//`, `;` parameters, case changes, method overrides, oversized headers and bodies,
// ambiguous bodies and queries, unknown routes. Each is sent raw (the path byte for byte)
// by a principal the canonical route denies, so a Worker fooled into another reading would
// forward it. None may reach the origin: the recording origin proves it.
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startOrigin, token } from "./origin.mjs";
import { startWorker, request, bearer, lsJwt } from "./harness.mjs";

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

// Ann (annotator, org 1) may view project 1000 but never export it; Rita (reviewer) may pin
// project 1000 but never update it; Adam (administrator) may change roles but not the owner's.
const ANN = { ...bearer(14), "x-labelgate-org": "1" };
const RITA = bearer(13);
const ADAM = bearer(11);
const MAYA = bearer(12);
const JSONH = { "content-type": "application/json" };
const big = (n) => "x".repeat(n);
/** Refused by workerd itself, before the Worker runs (its body is not the Worker's JSON). */
const RUNTIME = Symbol("runtime");

// [name, method, raw path, headers, body, expected status, expected reason or error]
const HOSTILE = [
  // Percent-encoding: decoded once, as the server does.
  ["encoded letter", "GET", "/api/projects/1000/%65xport", ANN, undefined, 403, "role_lacks_permission"],
  ["encoded letters", "GET", "/api/projects/1000/ex%70%6Frt", ANN, undefined, 403, "role_lacks_permission"],
  ["encoded slashes", "GET", "/api%2Fprojects%2F1000%2Fexport", ANN, undefined, 403, "role_lacks_permission"],
  ["encoded digit", "GET", "/api/projects/%31000/export", ANN, undefined, 403, "role_lacks_permission"],
  ["lowercase hex", "GET", "/api/projects/1000%2fexport", ANN, undefined, 403, "role_lacks_permission"],
  ["double-encoded letter", "GET", "/api/projects/1000/%2565xport", ANN, undefined, 400, "ambiguous_path"],
  ["double-encoded slash", "GET", "/api/projects/1000%252Fexport", ANN, undefined, 400, "ambiguous_path"],
  ["broken escape", "GET", "/api/projects/1000/export%ZZ", ANN, undefined, 400, "ambiguous_path"],
  ["truncated escape", "GET", "/api/projects/1000/export%2", ANN, undefined, 400, "ambiguous_path"],
  ["encoded nul", "GET", "/api/projects/1000/export%00", ANN, undefined, 400, "ambiguous_path"],
  ["overlong utf-8 slash", "GET", "/api/projects/1000%C0%AFexport", ANN, undefined, 400, "ambiguous_path"],
  ["encoded newline", "GET", "/api/projects/1000/export%0A", ANN, undefined, 400, "ambiguous_path"],
  // Dot segments: the URL parser resolves literal ones; decoded ones are ambiguous.
  ["dot-dot", "GET", "/api/projects/1001/../1000/export", ANN, undefined, 403, "role_lacks_permission"],
  ["encoded dot-dot", "GET", "/api/projects/1001/%2e%2e/1000/export", ANN, undefined, 403, "role_lacks_permission"],
  ["dot", "GET", "/api/projects/1000/./export", ANN, undefined, 403, "role_lacks_permission"],
  ["dot-dot behind an encoded slash", "GET", "/api/projects/1000/x%2F..%2Fexport", ANN, undefined, 400, "ambiguous_path"],
  ["encoded dot-dot-slash", "GET", "/api/tasks/..%2F..%2Fprojects/1000/export", ANN, undefined, 400, "ambiguous_path"],
  ["dot-dot out of the api", "GET", "/api/projects/1000/export/../../../admin/", ANN, undefined, 403, "unknown_action"],
  ["backslashes", "GET", "/api\\projects\\1000\\export", ANN, undefined, 403, "role_lacks_permission"],
  ["encoded backslash", "GET", "/api/projects/1000%5Cexport", ANN, undefined, 400, "ambiguous_path"],
  // Repeated slashes.
  ["leading //", "GET", "//api/projects/1000/export", ANN, undefined, 403, "role_lacks_permission"],
  ["inner //", "GET", "/api//projects//1000//export//", ANN, undefined, 403, "role_lacks_permission"],
  ["leading ///", "GET", "///api/projects/1000/export", ANN, undefined, 403, "role_lacks_permission"],
  // `;` parameters.
  ["; on the last segment", "GET", "/api/projects/1000/export;jsessionid=x", ANN, undefined, 400, "ambiguous_path"],
  ["; on an id", "GET", "/api/projects/1000;/export", ANN, undefined, 400, "ambiguous_path"],
  ["encoded ;", "GET", "/api/projects/1000%3Bx/export", ANN, undefined, 400, "ambiguous_path"],
  // Case changes and look-alikes: routes are case-sensitive.
  ["uppercase API", "GET", "/API/projects/1000/export", ANN, undefined, 403, "unknown_action"],
  ["capitalized segment", "GET", "/api/Projects/1000/export", ANN, undefined, 403, "unknown_action"],
  ["uppercase action", "GET", "/api/projects/1000/EXPORT", ANN, undefined, 403, "unknown_action"],
  ["fullwidth digits", "GET", "/api/projects/%EF%BC%91%EF%BC%90%EF%BC%90%EF%BC%90/export", ANN, undefined, 403, "unknown_action"],
  ["signed id", "GET", "/api/projects/+1000/export", ANN, undefined, 403, "unknown_action"],
  ["leading zeros", "GET", "/api/projects/0000000000000000000000001000/export", ANN, undefined, 403, "role_lacks_permission"],
  // workerd itself refuses an absolute-form target (500, before any Worker runs).
  ["absolute-form target", "GET", "http://evil.example/api/projects/1000/export", ANN, undefined, 500, RUNTIME],
  // Method overrides.
  ["X-HTTP-Method-Override", "POST", "/api/projects/1000/", { ...RITA, "x-http-method-override": "DELETE" }, "", 400, "method_override"],
  ["X-HTTP-Method", "GET", "/api/projects/1000/", { ...RITA, "x-http-method": "DELETE" }, undefined, 400, "method_override"],
  ["X-Method-Override", "PATCH", "/api/projects/1000/", { ...RITA, ...JSONH, "x-method-override": "DELETE" }, '{"pinned_at":null}', 400, "method_override"],
  ["_method parameter", "POST", "/api/projects/1000/?_method=DELETE", RITA, "", 400, "method_override"],
  // Oversized headers and bodies.
  ["20 KB authorization", "GET", "/api/projects/1000/", { authorization: `Bearer ${big(20_000)}` }, undefined, 431, "headers_too_large"],
  ["40 KB of headers", "GET", "/api/projects/1000/", { ...RITA, ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`x-pad-${i}`, big(1000)])) }, undefined, 431, "headers_too_large"],
  ["2 MB pin body", "PATCH", "/api/projects/1000/", { ...RITA, ...JSONH }, `{"pinned_at":null,"pad":"${big(2_000_000)}"}`, 413, "body_too_large"],
  // Refused on the header alone: the client may see the 413 or a reset while it still writes.
  ["lying content-length", "PATCH", "/api/projects/1000/", { ...RITA, ...JSONH, "content-length": "99999999" }, '{"pinned_at":null}', 413, "body_too_large"],
  // Bodies the decision cannot read the server's way.
  ["pin body as text/plain", "PATCH", "/api/projects/1000/", { ...RITA, "content-type": "text/plain" }, '{"pinned_at":null}', 415, "not_json"],
  ["pin body as a form", "PATCH", "/api/projects/1000/", { ...RITA, "content-type": "application/x-www-form-urlencoded" }, "pinned_at=&title=evil", 415, "not_json"],
  ["gzip pin body", "PATCH", "/api/projects/1000/", { ...RITA, ...JSONH, "content-encoding": "gzip" }, '{"pinned_at":null}', 415, "encoded_body"],
  ["repeated pinned_at", "PATCH", "/api/projects/1000/", { ...RITA, ...JSONH }, '{"pinned_at":null,"pinned_at":"x"}', 400, "invalid_request"],
  ["pin that updates", "PATCH", "/api/projects/1000/", { ...RITA, ...JSONH }, '{"pinned_at":null,"title":"evil"}', 403, "role_lacks_permission"],
  ["json array body", "PATCH", "/api/projects/1000/", { ...RITA, ...JSONH }, '[{"pinned_at":null}]', 400, "invalid_request"],
  ["not json", "PATCH", "/api/projects/1000/", { ...RITA, ...JSONH }, "{pinned_at: null}", 400, "invalid_request"],
  ["repeated user_id", "POST", "/api/organizations/1/memberships", { ...ADAM, ...JSONH }, '{"user_id":14,"role":"AN","user_id":10}', 400, "invalid_request"],
  ["grant owner", "POST", "/api/organizations/1/memberships", { ...ADAM, ...JSONH }, '{"user_id":14,"role":"OW"}', 403, "owner_protected"],
  ["demote the owner by name", "PATCH", "/api/organizations/1/memberships", { ...ADAM, ...JSONH }, '{"user_id":"010","role":"annotator"}', 403, "owner_protected"],
  ["unknown role code", "POST", "/api/organizations/1/memberships", { ...ADAM, ...JSONH }, '{"user_id":14,"role":"GOD"}', 400, "invalid_request"],
  ["lowercase assignee type", "POST", "/api/projects/1000/tasks/assignees", { ...RITA, ...JSONH }, '{"type":"re"}', 400, "invalid_request"],
  ["prediction naming two projects", "POST", "/api/predictions/", { ...MAYA, ...JSONH }, '{"task":5,"project":1003}', 400, "invalid_request"],
  ["task naming two projects", "POST", "/api/tasks/?project=1000", { ...MAYA, ...JSONH }, '{"project":1002,"data":{}}', 400, "invalid_request"],
  // Queries.
  ["repeated project", "GET", "/api/tasks/?project=1001&project=1000", MAYA, undefined, 400, "ambiguous_query"],
  ["encoded repeated project", "GET", "/api/tasks/?project=1000&%70roject=1003", MAYA, undefined, 400, "ambiguous_query"],
  ["project that is not an id", "GET", "/api/tasks/?project=1000%00", ANN, undefined, 400, "invalid_request"],
  // Spoofed internal headers.
  ["spoofed x-labelgate-user", "GET", "/api/billing/info", { ...ANN, "x-labelgate-user": "10", "x-labelgate-decision": "allowed" }, undefined, 403, "role_lacks_permission"],
  ["x-labelgate-org not a member", "GET", "/api/projects/1000/", { ...MAYA, "x-labelgate-org": "2" }, undefined, 403, "not_member"],
  ["x-labelgate-org not an id", "GET", "/api/projects/1000/", { ...MAYA, "x-labelgate-org": "1 or 2" }, undefined, 400, "bad_org_header"],
  ["path org against header org", "GET", "/api/organizations/2/memberships", { ...MAYA, "x-labelgate-org": "1" }, undefined, 400, "ambiguous_org"],
  // Objects that do not resolve to a project.
  ["unknown task", "GET", "/api/tasks/999/", RITA, undefined, 403, "unknown_resource"],
  ["task without a project", "GET", "/api/tasks/30/", RITA, undefined, 403, "unknown_resource"],
  ["another organization's task", "GET", "/api/tasks/20/", RITA, undefined, 403, "unknown_resource"],
  // Unknown routes.
  ["admin", "GET", "/admin/", MAYA, undefined, 403, "unknown_action"],
  ["a path of no page", "GET", "/nothing/here/", MAYA, undefined, 403, "unknown_action"],
  ["another's annotation read", "GET", "/api/annotations/51/", ANN, undefined, 403, "out_of_scope"],
  ["another member's account edit", "PATCH", "/api/users/10/", { ...MAYA, ...JSONH }, '{"email":"evil@x"}', 403, "out_of_scope"],
  ["OPTIONS", "OPTIONS", "/api/projects/", MAYA, undefined, 403, "unknown_action"],
  ["id beyond u64", "GET", "/api/projects/99999999999999999999999/", MAYA, undefined, 403, "unknown_action"],
  ["format suffix where none is read", "GET", "/api/projects/1000.json/", MAYA, undefined, 403, "unknown_action"],
  ["test endpoint with GET", "GET", "/__labelgate/decide", MAYA, undefined, 403, "unknown_action"],
  ["export with a trailing extra", "GET", "/api/projects/1000/export/extra", MAYA, undefined, 403, "unknown_action"],
  // Identities.
  ["alg none for the owner", "GET", "/api/billing/info", { authorization: `Bearer ${lsJwt(10, { alg: "none" })}` }, undefined, 401, "unauthenticated"],
  ["two bearer tokens", "GET", "/api/billing/info", { authorization: [`Bearer ${lsJwt(14)}`, `Bearer ${lsJwt(10)}`] }, undefined, 401, "unauthenticated"],
  ["api key beats the owner's jwt", "GET", "/api/billing/info", { "x-api-key": token("ann"), ...bearer(10), "x-labelgate-org": "1" }, undefined, 403, "role_lacks_permission"],
];

test(`${HOSTILE.length} hostile requests: the expected refusal, and none reaches the origin`, async () => {
  assert.ok(HOSTILE.length >= 40);
  origin.clear();
  const failures = [];
  for (const [name, method, path, headers, body, status, why] of HOSTILE) {
    let r;
    try {
      r = await request(worker.url, method, path, { headers, body });
    } catch (e) {
      if (!(status === 413 && e.code === "ECONNRESET")) failures.push(`${name}: ${e.message}`);
      continue;
    }
    if (why === RUNTIME) {
      if (r.status !== status) failures.push(`${name}: ${r.status} ${r.body.slice(0, 200)}`);
      continue;
    }
    const got = r.json?.reason ?? r.json?.error;
    if (r.status !== status || got !== why) failures.push(`${name}: ${r.status} ${r.body.slice(0, 200)}`);
    if (r.body.length > 600 || /panic|RuntimeError|unreachable|stack/i.test(r.body)) failures.push(`${name}: body leaks internals`);
    if (r.headers["content-type"] !== "application/json") failures.push(`${name}: content-type ${r.headers["content-type"]}`);
  }
  assert.deepEqual(failures, []);
  const reached = origin.forwarded().map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(reached, [], "hostile requests reached the origin");
  // Only the Worker's own lookups (whoami, objects) went to the origin: GETs, never the
  // hostile request itself.
  for (const l of origin.lookups()) {
    assert.equal(l.method, "GET");
    assert.ok(["whoami", "object"].includes(l.headers["x-labelgate-lookup"]));
    assert.match(l.path, /^\/api\/(current-user\/whoami|tasks\/\d+\/|annotations\/\d+\/)$/);
  }
});

test("spoofed internal headers are replaced on an allowed request", async () => {
  origin.clear();
  const r = await request(worker.url, "GET", "/api/projects/1000/", {
    headers: { ...RITA, "x-labelgate-user": "10", "x-labelgate-decision": "allowed everything", "x-labelgate-org": "1" },
  });
  assert.equal(r.status, 200, r.body);
  const [fwd] = origin.forwarded();
  assert.equal(fwd.headers["x-labelgate-user"], "13");
  assert.match(fwd.headers["x-labelgate-decision"], /^allowed project\.view org=1 project=1000$/);
  assert.equal(fwd.headers["x-labelgate-org"], undefined);
});

test("an allowed body is forwarded byte for byte, and a chunked one too", async () => {
  origin.clear();
  const body = '{"pinned_at":   "2026-01-01T00:00:00Z"}\n';
  let r = await request(worker.url, "PATCH", "/api/projects/1000/", { headers: { ...RITA, ...JSONH }, body });
  assert.equal(r.status, 200, r.body);
  assert.equal(origin.forwarded()[0].body.toString("utf8"), body);
  const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
  r = await request(worker.url, "POST", "/api/projects/1000/import", { headers: { ...MAYA, "content-type": "application/octet-stream" }, body: bytes, chunked: true });
  assert.equal(r.status, 200, r.body);
  assert.equal(Buffer.compare(origin.forwarded()[1].body, bytes), 0, "streamed body unchanged");
});

test("the test endpoint exists only with LABELGATE_TEST_ENDPOINTS=1", async () => {
  const body = JSON.stringify({ principal: { user: 14 }, org: 1, action: "project.export", resource: { project: 1000 } });
  const on = await request(worker.url, "POST", "/__labelgate/decide", { body });
  assert.equal(on.status, 200);
  assert.equal(on.json.reason, "role_lacks_permission");
  const off = await startWorker({ origin: origin.url, bindings: { LABELGATE_TEST_ENDPOINTS: "0" } });
  try {
    origin.clear();
    const r = await request(off.url, "POST", "/__labelgate/decide", { body, headers: bearer(10) });
    assert.equal(r.status, 403);
    assert.equal(r.json.reason, "unknown_action");
    assert.equal(origin.records.length, 0);
  } finally {
    await off.close();
  }
});
