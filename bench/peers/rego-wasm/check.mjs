// Runs target/rego-wasm/fixture.json (written by tests/rego_cost.rs) through the regorus wasm
// module: every case must get LabelGate's answer. Usage: node check.mjs <module.wasm>
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(path.join(here, "../target/rego-wasm/fixture.json"), "utf8"));
const { instance } = await WebAssembly.instantiate(readFileSync(process.argv[2]), {});
const wasm = instance.exports;
const put = (text) => {
  const bytes = new TextEncoder().encode(text);
  const at = wasm.buffer(bytes.length);
  new Uint8Array(wasm.memory.buffer, at, bytes.length).set(bytes);
};
let loaded = null, agree = 0;
const disagree = [];
for (const c of fixture.cases) {
  if (loaded !== c.snapshot) {
    put(fixture.policy + "\0" + JSON.stringify(fixture.snapshots[c.snapshot]));
    if (wasm.load() !== 1) throw new Error(`load ${c.snapshot} failed`);
    loaded = c.snapshot;
  }
  put(c.input);
  const answer = wasm.allow();
  if (answer === (c.allow ? 1 : 0)) agree++;
  else disagree.push(`${c.snapshot} ${c.input}: wasm ${answer}, labelgate ${c.allow}`);
}
console.log(`regorus wasm: ${fixture.cases.length} vectors, ${agree} agree with LabelGate`);
for (const d of disagree.slice(0, 10)) console.log(`  DISAGREE ${d}`);
if (disagree.length) process.exit(1);
