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
//   /snapshot.json  -> policy-core/src/demo_snapshot.json
//
// It prints `listening on http://127.0.0.1:PORT` once ready and exits cleanly on SIGTERM and
// SIGINT. Any path that would leave its root (`..`, encoded or not) is refused with 403.

import { createServer } from "node:http";
import { createReadStream } from "node:fs";
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

  if (decoded === "/snapshot.json") return ROOTS.snapshot;
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

async function handle(req, res) {
  const send = (status, body) => {
    res.writeHead(status, {
      "content-type": "text/plain; charset=utf-8",
      "content-length": Buffer.byteLength(body),
    });
    res.end(req.method === "HEAD" ? undefined : body);
  };
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
