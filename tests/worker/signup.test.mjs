// Signup gating: `GET|POST /user/signup/` is `org.signup` for anyone. With the organization
// setting `disable_signup_without_link` on (Acme, organization 1 of the demo snapshot), the
// signup is refused unless it carries a valid invite token (`?token=`, Label Studio's invite
// link); an allowed one reaches the origin unchanged, stamped `new_member=not_activated`.
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startOrigin } from "./origin.mjs";
import { startWorker, request, DEMO } from "./harness.mjs";

let origin;
let worker;
const FORM = "email=new%40acme.test&password=secret-pw-1&csrfmiddlewaretoken=abc";
const formHeaders = { "content-type": "application/x-www-form-urlencoded", cookie: "csrftoken=abc" };

before(async () => {
  origin = await startOrigin();
  worker = await startWorker({ origin: origin.url });
});
after(async () => {
  await worker?.close();
  await origin?.close();
});

const send = (method, path, body) => {
  origin.clear();
  return request(worker.url, method, path, body === undefined ? {} : { headers: formHeaders, body });
};

test("without a valid invite token, the signup routes are refused and reach nothing", async () => {
  for (const [method, path, body] of [
    ["GET", "/user/signup/", undefined],
    ["POST", "/user/signup/", FORM],
    ["POST", "/user/signup", FORM],
    ["POST", "/user/signup/?token=wrong-token", FORM],
    ["POST", "/user/signup/?token=", FORM],
    ["GET", "/user/signup/?next=/projects/", undefined],
  ]) {
    const r = await send(method, path, body);
    assert.equal(r.status, 403, `${method} ${path}: ${r.body}`);
    assert.equal(r.json.allow, false);
    assert.equal(r.json.reason, "setting_disabled", `${method} ${path}`);
    assert.deepEqual(origin.forwarded(), [], `${method} ${path} reached the origin`);
    assert.match(r.headers["x-labelgate-decision"], /org\.signup org=1/);
  }
});

test("a valid invite token opens the signup: forwarded unchanged, the new member not_activated", async () => {
  for (const method of ["GET", "POST"]) {
    const body = method === "POST" ? FORM : undefined;
    const path = "/user/signup/?token=demo-invite-7f3a&next=/projects/";
    const r = await send(method, path, body);
    assert.equal(r.status, 200, r.body);
    const fwd = origin.forwarded();
    assert.equal(fwd.length, 1);
    assert.equal(fwd[0].method, method);
    assert.equal(fwd[0].path, path);
    assert.equal(fwd[0].body.toString(), body ?? "");
    assert.equal(fwd[0].headers.cookie, body ? "csrftoken=abc" : undefined);
    assert.equal(fwd[0].headers["x-labelgate-decision"], "allowed org.signup org=1 new_member=not_activated");
  }
});

test("a repeated token is ambiguous (Django reads the last one): refused", async () => {
  const r = await send("POST", "/user/signup/?token=wrong&token=demo-invite-7f3a", FORM);
  assert.equal(r.status, 400);
  assert.equal(r.json.error, "ambiguous_query");
  assert.deepEqual(origin.forwarded(), []);
});

test("with the setting off everywhere, anyone may sign up", async () => {
  const snap = JSON.parse(DEMO);
  delete snap.organizations[0].settings;
  const open = await startWorker({ origin: origin.url, snapshot: JSON.stringify(snap) });
  try {
    origin.clear();
    const r = await request(open.url, "POST", "/user/signup/", { headers: formHeaders, body: FORM });
    assert.equal(r.status, 200, r.body);
    assert.equal(origin.forwarded().length, 1);
  } finally {
    await open.close();
  }
});
