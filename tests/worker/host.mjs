// The Worker in workerd (Miniflare) as a host for the Rust harness (tests/src/hosts.rs):
// the same JSON-lines protocol as tests/node/host.mjs.
//   {"op":"load","snapshot":TEXT}  -> puts it in KV under a new version -> {"ok":true}
//   {"op":"decide","request":TEXT} -> the Worker's answer to POST /__labelgate/decide
// Needs `bash scripts/build-worker.sh`. The test endpoint is in the test bundle only
// (edge-worker/build-test/, harness.mjs' default), and on only in this Miniflare.
import { createInterface } from "node:readline";
import { startWorker } from "./harness.mjs";

const worker = await startWorker({ origin: "http://127.0.0.1:9", snapshot: null });
let version = 0;
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const msg = JSON.parse(line);
  let out;
  if (msg.op === "load") {
    version += 1;
    await worker.put(msg.snapshot, `v${version}`);
    out = '{"ok":true}';
  } else if (msg.op === "decide") {
    const res = await fetch(`${worker.url}/__labelgate/decide`, { method: "POST", body: msg.request });
    out = (await res.text()).trim();
    if (res.status >= 500) out = JSON.stringify({ allow: false, reason: "policy_error", message: `worker answered ${res.status}: ${out}`, policy: "" });
  } else {
    out = JSON.stringify({ error: `unknown op ${msg.op}` });
  }
  process.stdout.write(out + "\n");
}
await worker.close();
process.exit(0);
