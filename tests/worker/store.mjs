// The store's test helpers: the native core's expectations (edge-worker's store_expect
// example, one process answering JSON lines) and importing a snapshot into a running Worker's
// store, one organization at a time, through the operator's route.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { root, request, ADMIN_TOKEN } from "./harness.mjs";

const BIN = path.join(root, "target/release/examples/store_expect");

/** The native core answering the store's expectations (see edge-worker/oracles/store_expect.rs). */
export function expectations() {
  // Built every time (a no-op when it is up to date): a stale binary would test an old core.
  const b = spawnSync("cargo", ["build", "--release", "-q", "-p", "edge-worker", "--example", "store_expect"], { cwd: root, stdio: "inherit" });
  if (b.status !== 0 || !existsSync(BIN)) throw new Error("could not build store_expect");
  const child = spawn(BIN, [], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  lines.on("line", (l) => waiting.shift()?.(JSON.parse(l)));
  const ask = (cmd) => new Promise((resolve) => {
    waiting.push(resolve);
    child.stdin.write(JSON.stringify(cmd) + "\n");
  });
  return { ask, close: () => child.stdin.end() };
}

/** Imports every organization of `snapshot` (text) into the store of the Worker at `url`. */
export async function importSnapshot(url, snapshot, expect, { fault, headers: extra = {} } = {}) {
  const { orgs, error } = await expect.ask({ snapshot });
  if (error) throw new Error(`the snapshot is refused: ${error}`);
  const answers = [];
  for (const org of orgs) {
    const { lines } = await expect.ask({ lines: org });
    const headers = { "x-labelgate-admin-token": ADMIN_TOKEN, "content-type": "application/x-ndjson", ...extra };
    if (fault !== undefined) headers["x-labelgate-fault"] = String(fault);
    const r = await request(url, "POST", `/api/labelgate/import?org=${org}`, { headers, body: lines });
    answers.push({ org, status: r.status, json: r.json, body: r.body });
  }
  return { orgs, answers };
}

/** The store's export of `org`. */
export async function exportOrg(url, org) {
  return request(url, "GET", `/api/labelgate/export?org=${org}`, { headers: { "x-labelgate-admin-token": ADMIN_TOKEN } });
}

/** A test endpoint's answer (JSON). */
export async function testPost(url, route, body) {
  return request(url, "POST", route, { headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}
