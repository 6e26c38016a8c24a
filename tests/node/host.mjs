// The npm package as a host for the Rust harness (tests/src/hosts.rs): JSON lines on stdin,
// one answer line per request on stdout.
//   {"op":"load","snapshot":TEXT}  -> {"ok":true} | {"error":MESSAGE}
//   {"op":"decide","request":TEXT} -> the decision JSON (decideJson)
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { Policy } = createRequire(import.meta.url)(path.join(root, "wasm/pkg/node/labelgate.js"));
let policy = null;
const out = [];
const flush = () => { if (out.length) { process.stdout.write(out.join("")); out.length = 0; } };
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const msg = JSON.parse(line);
  if (msg.op === "load") {
    try {
      if (policy) policy.update(msg.snapshot); else policy = Policy.load(msg.snapshot);
      out.push('{"ok":true}\n');
    } catch (e) {
      out.push(JSON.stringify({ error: e.message }) + "\n");
    }
  } else if (msg.op === "decide") {
    out.push((policy ? policy.decideJson(msg.request) : '{"allow":false,"reason":"policy_error","message":"no snapshot","policy":""}') + "\n");
  } else {
    out.push(JSON.stringify({ error: `unknown op ${msg.op}` }) + "\n");
  }
  flush();
});
lines.on("close", () => { flush(); process.exit(0); });
