// What the Worker tests share: the built Worker started in workerd through Miniflare (on
// 127.0.0.1, with the demo snapshot in local KV), raw HTTP requests (so hostile paths and
// headers reach workerd exactly as written), and tokens: Label Studio HS256 JWTs and
// Cloudflare Access RS256 assertions with their JWKS.
//
// The tests build nothing: run scripts/build-worker.sh first (scripts/test-worker.sh does).
import http from "node:http";
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// The two bundles of scripts/build-worker.sh: the production one (what `wrangler deploy`
// ships; the benchmarks and the demo run it) and the test one (the feature `test-endpoints`:
// /__labelgate/decide, the store's test routes and fault hook; the tests run it).
export const PRODUCTION = path.join(root, "edge-worker/build/index.js");
export const WORKER = path.join(root, "edge-worker/build-test/index.js");
export const PASSTHROUGH = path.join(root, "edge-worker/passthrough/index.js");
export const DEMO = readFileSync(path.join(root, "policy-core/src/demo_snapshot.json"), "utf8");
export const COMPATIBILITY_DATE = "2026-04-20";
export const JWT_SECRET = "test-secret-key-of-label-studio";
export const ACCESS_AUD = "labelgate-test-aud";
export const ACCESS_ISSUER = "https://acme.cloudflareaccess.com";

const MODULE_RULES = [
  { type: "ESModule", include: ["**/*.js"] },
  { type: "CompiledWasm", include: ["**/*.wasm"] },
];

/**
 * The Worker's Miniflare options (also used by the benchmark and the demo). `script`: the
 * bundle (PRODUCTION by default, WORKER for the test endpoints), its UI assets beside it.
 * `activity`: the D1 database `ACTIVITY` of the activity log (local, in memory); false leaves
 * it unbound.
 */
export function workerOptions({ origin, bindings = {}, name = "labelgate", activity = true, store = false, storeOf, script = PRODUCTION }) {
  if (!existsSync(script)) throw new Error(`${script} is missing: run scripts/build-worker.sh`);
  // The store: this Worker's own Durable Object class (SQLite), or another Worker's (storeOf).
  const durableObjects = store
    ? { STORE: storeOf ? { className: "Store", scriptName: storeOf, useSQLite: true } : { className: "Store", useSQLite: true } }
    : undefined;
  return {
    name,
    modules: true,
    scriptPath: script,
    modulesRules: MODULE_RULES,
    // LabelGate's UI files (scripts/build-worker.sh), behind the Worker (run_worker_first).
    assets: {
      directory: path.join(path.dirname(script), "assets"), binding: "ASSETS",
      routerConfig: { invoke_user_worker_ahead_of_assets: true, has_user_worker: true },
      assetConfig: { html_handling: "none", not_found_handling: "none" },
    },
    compatibilityDate: COMPATIBILITY_DATE,
    kvNamespaces: ["SNAPSHOTS"],
    ...(activity ? { d1Databases: ["ACTIVITY"] } : {}),
    ...(durableObjects ? { durableObjects } : {}),
    bindings: { ORIGIN_URL: origin, ...bindings },
  };
}

/** The operator's token of the tests' store. */
export const ADMIN_TOKEN = "test-admin-token-of-labelgate";

/**
 * Starts the Worker in workerd in front of `origin`. `snapshot`: the text put in KV (with
 * `version`), or null for an empty KV; `port` 0 picks a free one; `activity` binds the
 * activity log's D1; `store` binds the store (Durable Objects, SQLite); `script` the bundle
 * (the test one by default, with LABELGATE_TEST_ENDPOINTS=1). Returns
 * { url, b, mf, kv, put(snapshot, version), activityLog(), close } (`b`: the second Worker's);
 * `activityLog()` reads every record straight from D1 (oldest first).
 */
export async function startWorker({ origin, snapshot = DEMO, version = "v1", bindings = {}, port = 0, activity = true, store = false, persist, second, script = WORKER }) {
  const test = {
    LABELGATE_ADMIN_TOKEN: ADMIN_TOKEN,
    JWT_SECRET,
    ACCESS_AUD,
    ACCESS_ISSUER,
    ACCESS_JWKS: JSON.stringify(accessKeys.jwks),
    SNAPSHOT_CHECK_SECONDS: "0",
    LABELGATE_TEST_ENDPOINTS: "1",
  };
  // `second` ({ bindings }): another copy of the Worker, in its own isolate on its own port,
  // on the first one's store (a second location of one deployment).
  const others = second
    ? [{
      ...workerOptions({ origin, activity: false, store, storeOf: "labelgate", name: "labelgate-b", script, bindings: { ...test, ...bindings, ...second.bindings } }),
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    }]
    : [];
  const mf = new Miniflare({
    host: "127.0.0.1",
    port,
    ...(persist ? { durableObjectsPersist: persist } : {}),
    workers: [workerOptions({ origin, activity, store, script, bindings: { ...test, ...bindings } }), ...others],
  });
  const url = await mf.ready;
  const b = second ? { url: (await mf.unsafeGetDirectURL("labelgate-b")).origin } : undefined;
  const kv = await mf.getKVNamespace("SNAPSHOTS");
  const put = async (text, v) => {
    if (text !== null) await kv.put("snapshot", text);
    if (v !== null) await kv.put("version", v);
  };
  if (snapshot !== null && !store) await put(snapshot, version);
  const activityLog = async () => {
    if (!activity) return [];
    const db = await mf.getD1Database("ACTIVITY");
    try {
      return (await db.prepare("SELECT * FROM activity_log ORDER BY id").all()).results;
    } catch (e) {
      if (String(e).includes("no such table")) return [];
      throw e;
    }
  };
  return { url: url.origin, port: Number(url.port), b, mf, kv, put, activityLog, close: () => mf.dispose() };
}

/**
 * One raw HTTP request on a fresh connection: the path is sent byte for byte, headers as
 * given (an array value sends the header more than once), a body with its Content-Length
 * unless `chunked`. Resolves { status, headers, body, json }.
 */
export function request(base, method, rawPath, { headers = {}, body, chunked = false } = {}) {
  const u = new URL(base);
  if (body !== undefined && !chunked && !Object.keys(headers).some((h) => h.toLowerCase() === "content-length")) {
    headers = { ...headers, "content-length": Buffer.byteLength(body) };
  }
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, method, path: rawPath, headers,
      agent: false, insecureHTTPParser: true,
    }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json });
      });
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const b64url = (buf) => Buffer.from(buf).toString("base64url");

/** A Label Studio JWT (HS256 unless `alg` says otherwise), signed with `key`. */
export function lsJwt(user, { type = "access", exp = Math.floor(Date.now() / 1000) + 300, key = JWT_SECRET, alg = "HS256", header = {}, claims = {} } = {}) {
  const head = b64url(JSON.stringify({ alg, typ: "JWT", ...header }));
  const body = b64url(JSON.stringify({ token_type: type, exp, iat: exp - 300, jti: crypto.randomUUID(), user_id: String(user), ...claims }));
  const signed = `${head}.${body}`;
  const sig = alg === "none" ? "" : b64url(crypto.createHmac("sha256", key).update(signed).digest());
  return `${signed}.${sig}`;
}

/** The test's Cloudflare Access signing keys: two in the JWKS, one outside it. */
export const accessKeys = (() => {
  const make = (kid) => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    return { kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" } };
  };
  const a = make("key-a");
  const b = make("key-b");
  const stranger = make("key-a");
  return { a, b, stranger, jwks: { keys: [a.jwk, b.jwk] } };
})();

/** A Cloudflare Access assertion for `email` (RS256 with key `key`). */
export function accessJwt(email, { key = accessKeys.a, kid = key.kid, alg = "RS256", hmacKey, aud = [ACCESS_AUD], iss = ACCESS_ISSUER, exp = Math.floor(Date.now() / 1000) + 300, claims = {} } = {}) {
  const head = b64url(JSON.stringify({ alg, kid, typ: "JWT" }));
  const body = b64url(JSON.stringify({ aud, iss, exp, iat: exp - 300, email, sub: crypto.randomUUID(), ...claims }));
  const signed = `${head}.${body}`;
  let sig = "";
  if (alg === "RS256") sig = b64url(crypto.sign("RSA-SHA256", Buffer.from(signed), key.privateKey));
  if (alg === "HS256") sig = b64url(crypto.createHmac("sha256", hmacKey).update(signed).digest());
  return `${signed}.${sig}`;
}

/** `Authorization: Bearer` headers of a Label Studio access JWT for `user`. */
export const bearer = (user, opts) => ({ authorization: `Bearer ${lsJwt(user, opts)}` });

/** The native core's cases (tests/src/bin/native_cases.rs), one JSON value per line. */
export function native(...args) {
  const out = execFileSync("cargo", ["run", "--release", "-q", "-p", "labelgate-tests", "--bin", "native_cases", "--", ...args], {
    cwd: root, maxBuffer: 1 << 30, encoding: "utf8",
  });
  return out.trim().split("\n").map((line) => JSON.parse(line));
}
