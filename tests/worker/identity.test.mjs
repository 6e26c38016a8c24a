// Every identity path through the real Worker: Label Studio JWTs (HS256), Cloudflare Access
// assertions (RS256 against a JWKS), legacy tokens, API keys and sessions (resolved by the
// origin's whoami and cached), and the precedence the server applies (X-Api-Key wins over
// Authorization, a token over the session). Refused identities never reach the origin.
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { startOrigin, token, session } from "./origin.mjs";
import { startWorker, request, bearer, lsJwt, accessJwt, accessKeys } from "./harness.mjs";

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

const ORG1 = { "x-labelgate-org": "1" };
const get = (path, headers) => request(worker.url, "GET", path, { headers });

async function refused(headers, status, path = "/api/projects/1000/") {
  origin.clear();
  const r = await get(path, headers);
  assert.equal(r.status, status, `${JSON.stringify(headers).slice(0, 120)}: ${r.body}`);
  assert.equal(origin.forwarded().length, 0, "a refused identity reached the origin");
  if (status === 401) {
    assert.match(r.headers["www-authenticate"] ?? "", /Token|Bearer/);
    assert.equal(r.json.error, "unauthenticated");
  }
  return r;
}

async function allowed(headers, user, path = "/api/projects/1000/") {
  origin.clear();
  const r = await get(path, headers);
  assert.equal(r.status, 200, r.body);
  const fwd = origin.forwarded();
  assert.equal(fwd.length, 1);
  assert.equal(fwd[0].headers["x-labelgate-user"], String(user));
  return fwd[0];
}

test("label studio access jwt: verified here, no origin lookup", async () => {
  await allowed(bearer(12), 12);
  assert.equal(origin.lookups().length, 0);
  const now = Math.floor(Date.now() / 1000);
  await refused(bearer(12, { exp: now - 1 }), 401);
  await refused(bearer(12, { key: "another-secret" }), 401);
  await refused(bearer(12, { alg: "none" }), 401);
  await refused(bearer(12, { alg: "HS512" }), 401);
  await refused(bearer(12, { type: "refresh" }), 401);
  await refused(bearer(12, { claims: { exp: undefined } }), 401);
  await refused(bearer(12, { claims: { user_id: "12; 10" } }), 401);
  await refused({ authorization: `Bearer ${lsJwt(12)}x` }, 401);
  await refused({ authorization: "Bearer not.a.jwt" }, 401);
  await refused({ authorization: `bearer ${lsJwt(12)}` }, 401);
  // HS/RS confusion: an RS256 header on a Label Studio token is refused.
  await refused(bearer(12, { alg: "RS256" }), 401);
  // A verified token for a user the snapshot does not know.
  const r = await refused(bearer(99), 403);
  assert.equal(r.json.reason, "unknown_principal");
});

test("legacy token and api key: whoami with the same credential, cached", async () => {
  origin.clear();
  const first = await allowed({ authorization: `Token ${token("rita")}` }, 13);
  assert.equal(first.headers.authorization, `Token ${token("rita")}`);
  const whoami = origin.records.filter((r) => r.headers["x-labelgate-lookup"] === "whoami");
  assert.equal(whoami.length, 1);
  assert.equal(whoami[0].headers.authorization, `Token ${token("rita")}`);
  await allowed({ authorization: `token ${token("rita")}` }, 13);
  await allowed({ authorization: `Token ${token("rita")}` }, 13);
  assert.equal(origin.lookups().length, 0, "the second request used the cached whoami");
  const k = await allowed({ "x-api-key": token("maya") }, 12);
  assert.equal(k.headers["x-api-key"], token("maya"));
  await refused({ authorization: "Token not-a-token" }, 401);
  await refused({ "x-api-key": "not-a-key" }, 401);
  await refused({ "x-api-key": "" }, 401);
  await refused({ authorization: "Token" }, 401);
  await refused({ authorization: `Token ${token("rita")} extra` }, 401);
});

test("x-api-key wins over authorization: decided on it, the other stripped", async () => {
  // Ann's key with Olivia's JWT: the server would act as Ann, so the Worker decides as Ann.
  const r = await refused({ "x-api-key": token("ann"), authorization: `Bearer ${lsJwt(10)}`, ...ORG1 }, 403, "/api/billing/info");
  assert.equal(r.json.reason, "role_lacks_permission");
  const fwd = await allowed({ "x-api-key": token("maya"), authorization: `Token ${token("olivia")}` }, 12);
  assert.equal(fwd.headers["x-api-key"], token("maya"));
  assert.equal(fwd.headers.authorization, undefined, "the credential not decided on is stripped");
});

test("a session cookie Label Studio re-signs in a successful answer is known without a whoami", async () => {
  const whoamis = () => origin.lookups().filter((l) => l.headers["x-labelgate-lookup"] === "whoami").length;
  const first = `sessionid=${session("maya")}-v1; csrftoken=abc`;
  origin.clear();
  // The first cookie is asked of the origin (it does not know it: refused, 401).
  await refused({ cookie: first }, 401);
  assert.equal(whoamis(), 1);
  // Maya's cookie, answered 200 with a re-signed one: that one is hers, with no whoami.
  origin.clear();
  let r = await get("/api/projects/1000/", {
    cookie: `sessionid=${session("maya")}; csrftoken=abc`,
    "x-origin-set-cookie": `sessionid=${session("maya")}-v2; expires=Tue, 15 Dec 2026 19:00:00 GMT; HttpOnly; Path=/`,
  });
  assert.equal(r.status, 200, r.body);
  assert.match(r.headers["set-cookie"][0], /^sessionid=sess-maya-v2;/, "the cookie reaches the browser");
  const asked = whoamis();
  origin.clear();
  r = await get("/api/projects/1000/", { cookie: `csrftoken=other; sessionid=${session("maya")}-v2` });
  assert.equal(r.status, 200, r.body);
  assert.equal(whoamis(), 0, "the re-signed cookie needed no whoami");
  assert.equal(origin.forwarded()[0].headers["x-labelgate-user"], "12");
  assert.ok(asked <= 1);
  // A cookie set in a refused or failed answer is not taken as the member's.
  origin.clear();
  await get("/api/projects/1000/", {
    cookie: `sessionid=${session("maya")}`,
    "x-origin-set-cookie": `sessionid=${session("maya")}-v3; Path=/`,
    "x-origin-status": "401",
  });
  await refused({ cookie: `sessionid=${session("maya")}-v3` }, 401);
  assert.ok(whoamis() >= 1, "asked of the origin, which does not know it");
});

test("a re-signed session cookie lives no longer than the whoami that proved the session", async () => {
  const short = await startWorker({ origin: origin.url, bindings: { IDENTITY_CACHE_SECONDS: "1" } });
  try {
    const at = (cookie, extra = {}) => request(short.url, "GET", "/api/projects/1000/", { headers: { cookie, ...extra } });
    let r = await at(`sessionid=${session("maya")}`, { "x-origin-set-cookie": `sessionid=${session("maya")}-v9; Path=/` });
    assert.equal(r.status, 200, r.body);
    r = await at(`sessionid=${session("maya")}-v9`);
    assert.equal(r.status, 200, "known at once");
    await new Promise((resolve) => setTimeout(resolve, 1200));
    // The proving whoami has expired: the re-signed cookie is asked again (and this origin
    // does not know it), so Label Studio's refusal of a session takes effect as before.
    r = await at(`sessionid=${session("maya")}-v9`);
    assert.equal(r.status, 401, r.body);
  } finally {
    await short.close();
  }
});

test("session cookie: whoami with the cookie; a token wins over it and the session is stripped", async () => {
  const cookie = `csrftoken=abc; sessionid=${session("maya")}`;
  const fwd = await allowed({ cookie }, 12);
  assert.equal(fwd.headers.cookie, cookie, "the session credential is forwarded unchanged");
  const both = await allowed({ cookie: `sessionid=${session("olivia")}; csrftoken=abc`, authorization: `Token ${token("maya")}` }, 12);
  assert.equal(both.headers.cookie, "csrftoken=abc");
  const only = await allowed({ cookie: `sessionid=${session("olivia")}`, ...bearer(12) }, 12);
  assert.equal(only.headers.cookie, undefined);
  const r = await refused({ cookie: `sessionid=${session("olivia")}`, ...bearer(14), ...ORG1 }, 403, "/api/billing/info");
  assert.equal(r.json.reason, "role_lacks_permission", "decided on the token, not the owner's session");
  await refused({ cookie: "sessionid=nope" }, 401);
  await refused({ cookie: `sessionid=${session("maya")}; sessionid=${session("olivia")}` }, 401);
  await refused({ cookie: "csrftoken=abc" }, 401);
});

test("cloudflare access: RS256 against the JWKS, audience, issuer, expiry, email to user", async () => {
  const cf = (jwt) => ({ "cf-access-jwt-assertion": jwt });
  const fwd = await allowed(cf(accessJwt("maya@acme.test")), 12);
  assert.equal(fwd.headers["cf-access-jwt-assertion"] !== undefined, true);
  await allowed(cf(accessJwt("MAYA@acme.test", { key: accessKeys.b })), 12);
  const now = Math.floor(Date.now() / 1000);
  await refused(cf(accessJwt("maya@acme.test", { exp: now - 5 })), 401);
  await refused(cf(accessJwt("maya@acme.test", { aud: ["another-app"] })), 401);
  await refused(cf(accessJwt("maya@acme.test", { aud: "another-app" })), 401);
  await refused(cf(accessJwt("maya@acme.test", { iss: "https://evil.cloudflareaccess.com" })), 401);
  await refused(cf(accessJwt("maya@acme.test", { kid: "key-z" })), 401);
  await refused(cf(accessJwt("maya@acme.test", { key: accessKeys.stranger })), 401);
  await refused(cf(accessJwt("maya@acme.test", { alg: "none" })), 401);
  await refused(cf(accessJwt("maya@acme.test", { claims: { nbf: now + 600 } })), 401);
  // HS/RS confusion: an HS256 assertion signed with the public key as an HMAC secret.
  const pem = crypto.createPublicKey(accessKeys.a.privateKey).export({ type: "spki", format: "pem" });
  await refused(cf(accessJwt("maya@acme.test", { alg: "HS256", hmacKey: pem })), 401);
  const tampered = accessJwt("maya@acme.test").split(".");
  tampered[1] = Buffer.from(JSON.stringify({ aud: ["labelgate-test-aud"], iss: "https://acme.cloudflareaccess.com", exp: now + 300, email: "olivia@acme.test" })).toString("base64url");
  await refused(cf(tampered.join(".")), 401);
  const r = await refused(cf(accessJwt("stranger@elsewhere.test")), 403);
  assert.equal(r.json.error, "unknown_principal");
});

test("cloudflare access groups map to roles; an access identity must agree with a token", async () => {
  const cf = (jwt) => ({ "cf-access-jwt-assertion": jwt, ...ORG1 });
  await refused(cf(accessJwt("ann@acme.test")), 403, "/api/projects/1004/");
  await allowed(cf(accessJwt("ann@acme.test", { claims: { groups: ["retail-ocr-annotators"] } })), 14, "/api/projects/1004/");
  await allowed({ ...bearer(12), "cf-access-jwt-assertion": accessJwt("maya@acme.test") }, 12);
  await refused({ ...bearer(10), "cf-access-jwt-assertion": accessJwt("maya@acme.test") }, 401);
  await refused({ ...bearer(12), "cf-access-jwt-assertion": accessJwt("maya@acme.test", { kid: "key-z" }) }, 401);
});

test("no identity: 401 with WWW-Authenticate; unknown schemes and repeated headers refused", async () => {
  await refused({}, 401);
  await refused({ authorization: "Basic dXNlcjpwYXNz" }, 401);
  await refused({ authorization: "Digest username=x" }, 401);
  await refused({ authorization: [`Bearer ${lsJwt(12)}`, `Bearer ${lsJwt(10)}`] }, 401);
  await refused({ authorization: `Token ${token("maya")}, Token ${token("olivia")}` }, 401);
  // Public routes need none.
  origin.clear();
  const h = await get("/health", {});
  assert.equal(h.status, 200);
  assert.equal(origin.forwarded()[0].headers["x-labelgate-decision"], "public");
});

test("the origin unreachable: 502, short JSON, nothing leaks", async () => {
  const dead = await startWorker({ origin: "http://127.0.0.1:9" });
  try {
    for (const headers of [bearer(12), { authorization: `Token ${token("maya")}` }]) {
      const r = await request(dead.url, "GET", "/api/projects/1000/", { headers });
      assert.equal(r.status, 502, r.body);
      assert.equal(r.json.error, "origin_unreachable");
      assert.ok(r.body.length < 200);
    }
    const t = await request(dead.url, "GET", "/api/tasks/5/", { headers: bearer(12) });
    assert.equal(t.status, 502, t.body);
  } finally {
    await dead.close();
  }
});
