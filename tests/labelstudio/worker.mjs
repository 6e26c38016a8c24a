// The LabelGate Worker in workerd (Miniflare, 127.0.0.1, a free port) in front of a real Label
// Studio, for the Python test and the demo: reuses tests/worker/harness.mjs' startWorker, with
// the production bundle (edge-worker/build/: these tests need no test endpoint).
//
//   node tests/labelstudio/worker.mjs (--store | --snapshot S.json) --origin http://127.0.0.1:P [--port N]
//
// `--store`: the Worker with its store (Durable Objects, SQLite, empty at start); `--snapshot`:
// with that snapshot in KV instead, re-read and put in KV (a new version) on SIGHUP.
// Prints one JSON line {"url": ...} when ready, and stops (disposing workerd) when stdin
// closes, or on SIGTERM / SIGINT.
import { readFileSync } from "node:fs";
import { startWorker, PRODUCTION } from "../worker/harness.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const snapshotPath = arg("snapshot");
const store = process.argv.includes("--store");
const origin = arg("origin");
if ((!snapshotPath && !store) || !origin) {
  console.error("usage: worker.mjs (--store | --snapshot FILE) --origin URL [--port N]");
  process.exit(2);
}
const u = new URL(origin);
if (u.hostname !== "127.0.0.1" && u.hostname !== "localhost") {
  console.error("the origin must be on the loopback interface");
  process.exit(2);
}

const worker = await startWorker({
  origin,
  store,
  snapshot: store ? null : readFileSync(snapshotPath, "utf8"),
  version: `v${Date.now()}`,
  port: Number(arg("port", "0")),
  script: PRODUCTION,
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await worker.close().catch(() => {});
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("SIGHUP", async () => {
  if (store) return;
  await worker.put(readFileSync(snapshotPath, "utf8"), `v${Date.now()}`);
  console.log(JSON.stringify({ reloaded: true }));
});
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
console.log(JSON.stringify({ url: worker.url, port: worker.port }));
