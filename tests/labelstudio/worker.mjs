// The LabelGate Worker in workerd (Miniflare, 127.0.0.1, a free port) in front of a real Label
// Studio, for the Python test and the demo: reuses tests/worker/harness.mjs' startWorker.
//
//   node tests/labelstudio/worker.mjs --snapshot S.json --origin http://127.0.0.1:P [--port N]
//
// Prints one JSON line {"url": ...} when ready, and stops (disposing workerd) when stdin
// closes, or on SIGTERM / SIGINT. `--snapshot` is re-read and put in KV (new version) on SIGHUP.
import { readFileSync } from "node:fs";
import { startWorker } from "../worker/harness.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const snapshotPath = arg("snapshot");
const origin = arg("origin");
if (!snapshotPath || !origin) {
  console.error("usage: worker.mjs --snapshot FILE --origin URL [--port N]");
  process.exit(2);
}
const u = new URL(origin);
if (u.hostname !== "127.0.0.1" && u.hostname !== "localhost") {
  console.error("the origin must be on the loopback interface");
  process.exit(2);
}

const worker = await startWorker({
  origin,
  snapshot: readFileSync(snapshotPath, "utf8"),
  version: `v${Date.now()}`,
  port: Number(arg("port", "0")),
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
  await worker.put(readFileSync(snapshotPath, "utf8"), `v${Date.now()}`);
  console.log(JSON.stringify({ reloaded: true }));
});
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
console.log(JSON.stringify({ url: worker.url, port: worker.port }));
