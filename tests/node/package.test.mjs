// The npm package (wasm/pkg) against the native core: the whole vector suite and a random
// differential, each decision compared whole (allow, reason, message, policy).
// Run: node --test tests/node/   (after scripts/build-wasm.sh)
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);
const { Policy } = require(path.join(root, "wasm/pkg/node/labelgate.js"));
const demo = readFileSync(path.join(root, "policy-core/src/demo_snapshot.json"), "utf8");
const RANDOM_SNAPSHOTS = Number(process.env.LABELGATE_NODE_SNAPSHOTS ?? 100);

function native(...args) {
  const out = execFileSync("cargo", ["run", "--release", "-q", "-p", "labelgate-tests", "--bin", "native_cases", "--", ...args], {
    cwd: root, maxBuffer: 1 << 30, encoding: "utf8",
  });
  return out.trim().split("\n").map((line) => JSON.parse(line));
}

/** The request as a JS caller would pass it: an object when it is one, else the text. */
function asCallerWould(text) {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? v : text;
  } catch {
    return text;
  }
}

test("the whole vector suite decides as the native core does", () => {
  const vectors = native("vectors");
  assert.ok(vectors.length >= 750, `only ${vectors.length} vectors`);
  let policy = null;
  let loaded = null;
  let mismatches = [];
  for (const v of vectors) {
    if (v.snapshot !== loaded) {
      policy = Policy.load(v.snapshot);
      loaded = v.snapshot;
    }
    const got = policy.decide(asCallerWould(v.request));
    if (got.allow !== v.expect.allow || got.reason !== v.expect.reason) {
      mismatches.push(`${v.file}: ${v.description}: expected ${v.expect.reason}, got ${got.reason}`);
    }
    try {
      assert.deepEqual(got, v.decision);
    } catch {
      mismatches.push(`${v.file}: ${v.description}: ${JSON.stringify(got)} != native ${JSON.stringify(v.decision)}`);
    }
  }
  assert.deepEqual(mismatches, []);
  console.log(`# ${vectors.length} vectors, 0 mismatches against the native core`);
});

test("random differential: identical decisions and allowed actions", () => {
  const rounds = native("random", "--seed", "20261123", "--snapshots", String(RANDOM_SNAPSHOTS), "--requests", "100");
  let decisions = 0;
  let queries = 0;
  for (const round of rounds) {
    const policy = Policy.load(round.snapshot);
    assert.equal(policy.policyId, round.policy);
    for (const c of round.cases) {
      assert.deepEqual(policy.decide(asCallerWould(c.request)), c.decision, c.request);
      assert.equal(policy.decideJson(c.request), c.text, c.request);
      decisions += 1;
    }
    for (const q of round.queries) {
      const { principal, org, resource } = JSON.parse(q.query);
      const expected = q.answer.actions ?? [];
      assert.deepEqual(policy.allowedActions(principal, org, resource), expected, q.query);
      queries += 1;
    }
  }
  assert.ok(decisions >= 10_000 || RANDOM_SNAPSHOTS < 100, `only ${decisions} decisions`);
  console.log(`# ${decisions} random decisions and ${queries} allowed-action queries identical to native`);
});

test("update is atomic: a bad snapshot throws, naming the item, and the old one stays", () => {
  const policy = Policy.load(demo);
  const before = policy.decide({ principal: { user: 12 }, org: 1, action: "project.export", resource: { project: 1000 } });
  assert.equal(before.allow, true);
  const bad = JSON.parse(demo);
  bad.organizations[0].projects[0].workspace = 999;
  assert.throws(() => policy.update(bad), (e) => e instanceof Error &&
    e.message === "organization `1`, project `1000`: is in workspace `999`, which does not exist");
  assert.deepEqual(policy.decide({ principal: { user: 12 }, org: 1, action: "project.export", resource: { project: 1000 } }), before);
  const next = JSON.parse(demo);
  next.organizations[0].workspaces[0].members = [];
  policy.update(next);
  assert.equal(policy.decide({ principal: { user: 12 }, org: 1, action: "project.export", resource: { project: 1001 } }).reason, "out_of_scope");
  assert.throws(() => Policy.load("{"), /^Error: invalid snapshot json: end of input, expected a key \(a string\) at line 1 column 2$/);
  assert.throws(() => Policy.load(undefined), /invalid snapshot/);
});

test("checks never throw: garbage is invalid_request, and lists are empty", () => {
  const policy = Policy.load(demo);
  const cyclic = { principal: { user: 10 }, org: 1, action: "org.invite" };
  cyclic.self = cyclic;
  for (const input of [undefined, null, 42, "", "{", [], {}, cyclic, { principal: { user: 10n } }, Symbol("x"), () => 1]) {
    let d;
    assert.doesNotThrow(() => { d = policy.decide(input); }, String(input));
    assert.equal(d.allow, false);
    assert.equal(d.reason, "invalid_request", String(input));
  }
  assert.equal(policy.decide({ principal: { user: 10 }, org: 1, action: "org.fly", resource: {} }).reason, "unknown_action");
  for (const [p, o, r] of [[null, 1, {}], [{ user: 10 }, -1, {}], [{ user: 10 }, 1.5, {}], [{ user: 10 }, NaN, {}], [{ user: "x" }, 1, {}], [{ user: 10 }, 1, { project: "a" }]]) {
    assert.deepEqual(policy.allowedActions(p, o, r), []);
  }
  assert.deepEqual(policy.visibleProjects({ user: 14 }, 1), [1000, 1001]);
  assert.deepEqual(policy.visibleWorkspaces({ user: 12 }, 1), [100, 101, 102, 103]);
  assert.deepEqual(policy.visibleProjects({ nobody: 1 }, 1), []);
  assert.ok(policy.allowedActions({ user: 10 }, 1, undefined).includes("org.view_billing"));
});

test("allowedActionsMany answers as allowedActions does, resource by resource", () => {
  const policy = Policy.load(demo);
  const resources = [{ project: 1000 }, { project: 1001, subject: 14 }, {}, { workspace: 100 }, { project: 999 }, { project: 1000, workspace: 100 }];
  for (const user of [10, 11, 12, 13, 14, 15, 16, 17, 99]) {
    const many = policy.allowedActionsMany({ user }, 1, resources);
    assert.deepEqual(many, resources.map((r) => policy.allowedActions({ user }, 1, r)), `user ${user}`);
  }
  const [a, b] = policy.allowedActionsMany({ user: 14 }, 1, [{ project: 1000 }, { project: 1001 }]);
  assert.equal(a, b, "equal answers share one array");
  assert.ok(Object.isFrozen(a));
  assert.deepEqual(policy.allowedActionsMany({ user: 14 }, 1, "not a list"), []);
  assert.deepEqual(policy.allowedActionsMany({ user: 14 }, 1, [{ project: "x" }]), []);
});

test("a custom matrix changes decisions and the policy id", () => {
  const matrix = JSON.parse(readFileSync(path.join(root, "policy-core/src/default_matrix.json"), "utf8"));
  const plain = Policy.load(demo);
  matrix.grants["project.pin"].annotator = "reach";
  const custom = Policy.load(demo, matrix);
  assert.notEqual(custom.policyId, plain.policyId);
  const pin = { principal: { user: 14 }, org: 1, action: "project.pin", resource: { project: 1000 } };
  assert.equal(plain.decide(pin).reason, "role_lacks_permission");
  assert.equal(custom.decide(pin).allow, true);
  assert.equal(custom.decide(pin).policy, custom.policyId);
  custom.update(demo); // the custom matrix stays in force
  assert.equal(custom.decide(pin).allow, true);
  matrix.grants["project.pin"].annotator = "sometimes";
  assert.throws(() => Policy.load(demo, matrix), /matrix action `project.pin`: `sometimes` for `annotator` is not a grant/);
});

test("the web (ESM) entry loads with initSync and decides the same", async () => {
  const web = await import(path.join(root, "wasm/pkg/web/labelgate.js"));
  web.initSync({ module: readFileSync(path.join(root, "wasm/pkg/web/labelgate_bg.wasm")) });
  const a = web.Policy.load(demo);
  const b = Policy.load(demo);
  const req = { principal: { user: 13, groups: [] }, org: 1, action: "project.pin", resource: { project: 1003 } };
  assert.deepEqual(a.decide(req), b.decide(req));
  assert.deepEqual(a.allowedActions({ user: 12 }, 1, { project: 1002 }), b.allowedActions({ user: 12 }, 1, { project: 1002 }));
});

test("the declarations have no `any` and a TypeScript consumer type-checks", () => {
  for (const dir of ["web", "bundler", "node"]) {
    const dts = readFileSync(path.join(root, `wasm/pkg/${dir}/labelgate.d.ts`), "utf8");
    const anys = dts.split("\n").filter((l) => /\bany\b/.test(l) && !l.trim().startsWith("*") && !l.trim().startsWith("//"));
    assert.deepEqual(anys, [], `${dir}/labelgate.d.ts uses any`);
  }
  execFileSync(path.join(root, "node_modules/.bin/tsc"), ["-p", path.join(root, "tests/node/tsconfig.json")], { cwd: root, stdio: "pipe" });
});
