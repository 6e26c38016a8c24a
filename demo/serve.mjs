#!/usr/bin/env node
// LabelGate demo server: a dependency-free static server on 127.0.0.1.
//
//   node demo/serve.mjs [--port N] [--exit-with-stdin]
//
// --port defaults to 8788 (0 picks a free port). --exit-with-stdin makes the server exit when
// its stdin closes: a test that spawns it with a stdin pipe can never leave it behind, even
// when the test process is killed outright.
//
// Routes (paths are resolved from the repository root, found from this file's location):
//   /               -> demo/            (index.html for directories)
//   /pkg/...        -> wasm/pkg/web/    (the wasm-bindgen `--target web` package)
//   /api/...        -> the demo organization's server (below)
//
// The server holds the demo organization (policy-core/src/demo_snapshot.json) in memory, as
// Label Studio and LabelGate's store would, and never sends it whole: a browser gets the
// signed-in member's slice (SPEC §7: their membership, their reach, nothing about other
// members), computed by the native core (`target/release/slice`, built on first use), and
// asks for changes, which the server decides with the same core (the Node package) before it
// applies them:
//   GET  /api/people                      the sign-in list: id, name, role or status
//   GET  /api/me?user=N                   {principal, org, policy, slice, cards}: the slice,
//                                         and each visible project's assignment counts
//   GET  /api/assignments?user=N&project=P&kind=annotate|review   who is assigned
//   POST /api/change {user, op, ...}      duplicate, delete, restore, rename, assign
// The demo signs in by picking a user: there are no passwords (it is a demo of decisions).
//
// It prints `listening on http://127.0.0.1:PORT` once ready and exits cleanly on SIGTERM and
// SIGINT. Any path that would leave its root (`..`, encoded or not) is refused with 403.

import { createServer } from "node:http";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { stat } from "node:fs/promises";
import { dirname, join, resolve, sep, extname } from "node:path";
import { fileURLToPath } from "node:url";

const HOST = "127.0.0.1";
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ROOTS = {
  demo: join(REPO, "demo"),
  pkg: join(REPO, "wasm", "pkg", "web"),
  snapshot: join(REPO, "policy-core", "src", "demo_snapshot.json"),
};
const SLICE_BIN = join(REPO, "target", "release", "slice");
const ORG = 1;

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".ts": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

function parseArgs(argv) {
  let port = 8788;
  let exitWithStdin = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let value;
    if (arg === "--exit-with-stdin") {
      exitWithStdin = true;
      continue;
    }
    if (arg === "--port" || arg === "-p") value = argv[++i];
    else if (arg.startsWith("--port=")) value = arg.slice("--port=".length);
    else if (arg === "--help" || arg === "-h") {
      console.log("usage: node demo/serve.mjs [--port N] [--exit-with-stdin]");
      process.exit(0);
    } else {
      console.error(`serve.mjs: unknown argument ${JSON.stringify(arg)}`);
      process.exit(2);
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      console.error(`serve.mjs: bad port ${JSON.stringify(value)}`);
      process.exit(2);
    }
    port = n;
  }
  return { port, exitWithStdin };
}

/** Maps a URL path to a file, or returns null (404) or "forbidden" (403). */
function resolvePath(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return "forbidden";
  }
  if (decoded.includes("\0")) return "forbidden";
  const segments = decoded.split(/[\\/]+/);
  if (segments.some((s) => s === "..")) return "forbidden";

  let root, rest;
  if (decoded === "/pkg" || decoded.startsWith("/pkg/")) {
    root = ROOTS.pkg;
    rest = decoded.slice("/pkg".length);
  } else {
    root = ROOTS.demo;
    rest = decoded;
  }
  const file = resolve(root, "." + (rest.startsWith("/") ? rest : "/" + rest));
  // Belt and braces: whatever the decoding did, the file must stay under its root.
  if (file !== root && !file.startsWith(root + sep)) return "forbidden";
  return file;
}

// ---------------------------------------------------------------------------------------------
// The demo organization's server

const { Policy } = createRequire(import.meta.url)(join(REPO, "wasm", "pkg", "node", "labelgate.js"));
const demo = {
  facts: JSON.parse(readFileSync(ROOTS.snapshot, "utf8")),
  policy: null,
  /** Deleted projects, for Undo: id -> { project, index, by }. */
  trash: new Map(),
};
demo.policy = Policy.load(demo.facts);
const orgFacts = (facts = demo.facts) => facts.organizations.find((o) => o.id === ORG);

/** Builds the native slicer, or finds it up to date (cargo's check: about a second). */
function ensureSliceBin() {
  const r = spawnSync("cargo", ["build", "--release", "-q", "-p", "labelgate-tests", "--bin", "slice"], { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status === 0) return;
  if (!existsSync(SLICE_BIN)) throw new Error("could not build target/release/slice (cargo build failed)");
  console.error("serve.mjs: cargo build failed; using the slicer already built");
}

function sliceOf(user) {
  const r = spawnSync(SLICE_BIN, ["--user", String(user), "--org", String(ORG)], { input: JSON.stringify(demo.facts), maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`slice: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const decide = (user, action, project) =>
  demo.policy.decide({ principal: { user }, org: ORG, action, resource: project === undefined ? {} : { project } });

/** Applies `change` to a copy of the facts; the new facts replace the old only if valid. */
function commitFacts(next) {
  demo.policy.update(next);
  demo.facts = next;
}

class Refused extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function need(user, action, project) {
  const d = decide(user, action, project);
  if (!d.allow) throw new Refused(403, d.message);
}

/** One change asked by `user`: decided, then applied; returns what the page needs. */
function change({ user, op, project, title, kind, users }) {
  if (!Number.isInteger(user)) throw new Refused(400, "user: a user id is needed");
  const next = structuredClone(demo.facts);
  const o = orgFacts(next);
  const find = () => {
    const p = o.projects.find((x) => x.id === project);
    if (!p) throw new Refused(404, `no project ${project}`);
    return p;
  };
  switch (op) {
    case "duplicate": {
      need(user, "project.duplicate", project);
      const p = find();
      const id = Math.max(...next.organizations.flatMap((x) => x.projects ?? []).map((x) => x.id)) + 1;
      const copy = { id, title: `${p.title ?? `Project ${p.id}`} (copy)`, workspace: p.workspace, created_by: user, members: [] };
      if (p.settings) copy.settings = structuredClone(p.settings);
      o.projects.push(copy);
      commitFacts(next);
      return { id, title: copy.title };
    }
    case "delete": {
      need(user, "project.delete", project);
      const index = o.projects.findIndex((x) => x.id === project);
      const [removed] = o.projects.splice(index, 1);
      commitFacts(next);
      demo.trash.set(project, { project: removed, index, by: user });
      return {};
    }
    case "restore": {
      const t = demo.trash.get(project);
      if (!t || t.by !== user) throw new Refused(403, "only the member who deleted a project may undo it");
      o.projects.splice(Math.min(t.index, o.projects.length), 0, t.project);
      commitFacts(next);
      demo.trash.delete(project);
      return {};
    }
    case "rename": {
      need(user, "project.update", project);
      if (typeof title !== "string" || !title.trim()) throw new Refused(400, "title: a non-empty name is needed");
      find().title = title.trim();
      commitFacts(next);
      return {};
    }
    case "assign": {
      if (kind !== "annotate" && kind !== "review") throw new Refused(400, "kind: annotate or review");
      need(user, kind === "annotate" ? "project.assign_annotators" : "project.assign_reviewers", project);
      if (!Array.isArray(users) || !users.every(Number.isInteger)) throw new Refused(400, "users: a list of user ids");
      const p = find();
      const before = (p.assignments ?? []).filter((a) => a.kind === kind).map((a) => a.user);
      p.assignments = [...(p.assignments ?? []).filter((a) => a.kind !== kind), ...users.map((u) => ({ user: u, kind }))];
      commitFacts(next);
      return { before };
    }
    default:
      throw new Refused(400, `op: unknown change ${JSON.stringify(op)}`);
  }
}

function readBody(req) {
  return new Promise((resolveBody, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > 64 << 10) reject(new Refused(413, "body too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolveBody(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function api(req, res, url) {
  const json = (status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
    res.end(text);
  };
  try {
    const q = (name) => Number(url.searchParams.get(name));
    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /api/people") {
      const names = new Map((demo.facts.users ?? []).map((u) => [u.id, u.name]));
      return json(200, (orgFacts().members ?? [])
        .map((m) => ({ id: m.user, name: names.get(m.user) ?? `User ${m.user}`, role: m.role ?? null, status: m.status }))
        .sort((a, b) => a.id - b.id));
    }
    if (route === "GET /api/me") {
      const user = q("user");
      if (!Number.isInteger(user)) throw new Refused(400, "user: a user id is needed");
      // What a project list shows beside the policy's facts: each visible project's counts.
      const cards = {};
      for (const id of demo.policy.visibleProjects({ user }, ORG)) {
        const as = orgFacts().projects.find((p) => p.id === id)?.assignments ?? [];
        cards[id] = { annotators: as.filter((a) => a.kind === "annotate").length, reviewers: as.filter((a) => a.kind === "review").length };
      }
      return json(200, { principal: { user }, org: ORG, policy: demo.policy.policyId, slice: sliceOf(user), cards });
    }
    if (route === "GET /api/assignments") {
      const [user, project, kind] = [q("user"), q("project"), url.searchParams.get("kind")];
      need(user, kind === "review" ? "project.assign_reviewers" : "project.assign_annotators", project);
      const p = orgFacts().projects.find((x) => x.id === project);
      return json(200, { users: (p?.assignments ?? []).filter((a) => a.kind === kind).map((a) => a.user) });
    }
    if (route === "POST /api/change") {
      let body;
      try {
        body = JSON.parse(await readBody(req));
      } catch (e) {
        throw e instanceof Refused ? e : new Refused(400, "the body is not JSON");
      }
      return json(200, change(body ?? {}));
    }
    return json(404, { message: `no route ${route}` });
  } catch (e) {
    if (e instanceof Refused) return json(e.status, { message: e.message });
    return json(500, { message: e.message });
  }
}

async function handle(req, res) {
  const send = (status, body) => {
    res.writeHead(status, {
      "content-type": "text/plain; charset=utf-8",
      "content-length": Buffer.byteLength(body),
    });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  if (req.url.startsWith("/api/")) return api(req, res, new URL(req.url, `http://${HOST}`));
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    return send(405, "method not allowed\n");
  }
  let pathname;
  try {
    pathname = new URL(req.url, `http://${HOST}`).pathname;
  } catch {
    return send(400, "bad request\n");
  }
  // The raw URL is checked too: URL() normalizes `/a/../b` away before we could see it.
  const rawPath = req.url.split(/[?#]/)[0];
  if (resolvePath(rawPath) === "forbidden") return send(403, "forbidden\n");
  let file = resolvePath(pathname);
  if (file === "forbidden") return send(403, "forbidden\n");
  let info;
  try {
    info = await stat(file);
    if (info.isDirectory()) {
      if (!pathname.endsWith("/")) {
        res.writeHead(301, { location: pathname + "/" });
        return res.end();
      }
      file = join(file, "index.html");
      info = await stat(file);
    }
    if (!info.isFile()) return send(404, "not found\n");
  } catch {
    return send(404, "not found\n");
  }
  res.writeHead(200, {
    "content-type": TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
    "content-length": info.size,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    // Cross-origin isolation: everything here is same-origin, and it gives pages the 5 us
    // performance.now() resolution instead of 100 us (the browser benchmark needs it).
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
  });
  if (req.method === "HEAD") return res.end();
  const stream = createReadStream(file);
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}

const { port, exitWithStdin } = parseArgs(process.argv.slice(2));
ensureSliceBin();
const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    console.error("serve.mjs:", err);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.keepAliveTimeout = 1000;

server.on("error", (err) => {
  console.error(`serve.mjs: ${err.message}`);
  process.exit(1);
});

server.listen(port, HOST, () => {
  const { port: actual } = server.address();
  console.log(`listening on http://${HOST}:${actual}`);
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  // Never hang on a stuck connection.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
if (exitWithStdin) {
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
}
