// The store (a Durable Object per organization, SQLite) in workerd, against the native core:
// - an import followed by an export round-trips exactly (the demo and random snapshots);
// - the store's slice of every member (and strangers, with random groups) equals the core's
//   slice of the whole snapshot;
// - random requests decided through the Worker on the store (each member's slice) decide as
//   the whole snapshot (allow always; the reason too, except about what lies outside the
//   member's reach, which the slice answers unknown_resource);
// - the store's own decisions of writes (dry run) equal the whole snapshot's, exactly;
// - a write or an import that fails half-way leaves nothing behind; a broken import is
//   refused whole, the large kind too (its assignments checked in SQL);
// - a store's export, imported into a fresh store (scripts/store-snapshot.py, as an operator
//   would), decides the whole vector suite exactly as the store it came from.
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startOrigin } from "./origin.mjs";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startWorker, request, root, ADMIN_TOKEN, DEMO, native } from "./harness.mjs";
import { expectations, importSnapshot, exportOrg, testPost } from "./store.mjs";

const ROUNDS = Number(process.env.LABELGATE_STORE_ROUNDS ?? 24);
let origin;
let expect;

before(async () => {
  origin = await startOrigin();
  expect = expectations();
});
after(async () => {
  expect?.close();
  await origin?.close();
});

/** Runs `body(worker)` against a fresh Worker with an empty store. */
async function withStore(body, bindings = {}) {
  const worker = await startWorker({ origin: origin.url, store: true, activity: false, bindings });
  try {
    return await body(worker);
  } finally {
    await worker.close();
  }
}

async function snapshots() {
  const out = [DEMO];
  for (let seed = 1; seed <= ROUNDS; seed++) out.push((await expect.ask({ random: 7000 + seed })).snapshot);
  return out;
}

/** Every principal to slice for: each member of each organization, and two strangers. */
function principals(snapshot, seed) {
  const s = JSON.parse(snapshot);
  const groups = ["g-red", "g-green", "g-blue", "g-gold", "ml-reviewers", "retail-ocr-annotators"];
  const pick = (i) => groups.filter((_, j) => ((seed + i) * 7 + j * 3) % 4 === 0);
  const out = [];
  for (const o of s.organizations) {
    o.members.forEach((m, i) => out.push({ org: o.id, user: m.user, groups: pick(i) }));
    out.push({ org: o.id, user: 4040, groups: pick(99) });
    if (s.users?.length) out.push({ org: o.id, user: s.users.at(-1).id, groups: [] });
  }
  return out;
}

test("an import and its export round-trip exactly; the store's slices are the core's", async () => {
  let checked = 0;
  let slices = 0;
  for (const snapshot of await snapshots()) {
    await withStore(async (worker) => {
      const { orgs, answers } = await importSnapshot(worker.url, snapshot, expect);
      for (const a of answers) assert.equal(a.status, 200, a.body);
      for (const org of orgs) {
        const want = (await expect.ask({ export: org })).export;
        const got = await exportOrg(worker.url, org);
        assert.equal(got.status, 200, got.body);
        assert.equal(got.body, want, `organization ${org}: the export differs from the import`);
        checked++;
      }
      for (const p of principals(snapshot, checked)) {
        const want = (await expect.ask({ slice: p })).slice;
        const whole = JSON.parse(snapshot);
        const known = whole.organizations.some((o) => o.members.some((m) => m.user === p.user))
          || (whole.users ?? []).some((u) => u.id === p.user);
        const r = await testPost(worker.url, "/__labelgate/store-slice", { ...p, known });
        assert.equal(r.status, 200, r.body);
        assert.equal(r.json.facts, want, `the slice of ${JSON.stringify(p)} differs`);
        slices++;
      }
    });
  }
  console.log(`# ${checked} organizations round-tripped, ${slices} slices equal to the core's`);
  assert.ok(checked >= ROUNDS);
});

test("requests decided through the Worker on the store decide as the whole snapshot", async () => {
  let n = 0;
  let outside = 0;
  let allowed = 0;
  for (const [i, snapshot] of (await snapshots()).entries()) {
    await withStore(async (worker) => {
      await importSnapshot(worker.url, snapshot, expect);
      const reqs = (await expect.ask({ random_requests: { seed: 300 + i, n: 250 } })).requests;
      for (const req of reqs) {
        const want = await expect.ask({ decide: req });
        const r = await testPost(worker.url, "/__labelgate/decide", req);
        assert.equal(r.status, 200, r.body);
        const label = `${JSON.stringify(req)}\nwhole: ${JSON.stringify(want.decision)}\nstore: ${r.body}`;
        assert.equal(r.json.allow, want.decision.allow, `allow differs\n${label}`);
        if (r.json.reason !== want.decision.reason) {
          // A user listed by a snapshot but member of no organization is unknown to the store.
          const stranger = want.decision.reason === "not_member" && r.json.reason === "unknown_principal" && want.orphan;
          assert.ok((r.json.reason === "unknown_resource" && want.outside) || stranger, `reason differs inside the reach\n${label}`);
          outside++;
        }
        allowed += r.json.allow ? 1 : 0;
        n++;
      }
    });
  }
  console.log(`# ${n} requests decided on the store as on the whole snapshot (${allowed} allowed, ${outside} outside the reach)`);
  assert.ok(allowed > n / 50, `${allowed} allowed of ${n}`);
});

test("the store decides its writes exactly as the whole snapshot", async () => {
  let n = 0;
  for (const [i, snapshot] of (await snapshots()).entries()) {
    await withStore(async (worker) => {
      await importSnapshot(worker.url, snapshot, expect);
      const writes = (await expect.ask({ random_writes: { seed: 900 + i, n: 150 } })).writes;
      for (const w of writes) {
        const r = await testPost(worker.url, "/__labelgate/store-write", { ...w.write, dry: true });
        assert.equal(r.status, 200, r.body);
        const got = r.json.decision ?? { allow: true, reason: "allowed" };
        const label = `${JSON.stringify(w.write)}\nas ${JSON.stringify(w.request)}\nwhole: ${JSON.stringify(w.decision)}\nstore: ${r.body}`;
        assert.equal(got.allow, w.decision.allow, label);
        assert.equal(got.reason, w.decision.reason, label);
        n++;
      }
    });
  }
  console.log(`# ${n} writes decided by the store as by the whole snapshot`);
});

test("a write or an import that fails half-way leaves nothing behind", async () => {
  await withStore(async (worker) => {
    await importSnapshot(worker.url, DEMO, expect);
    const before = (await exportOrg(worker.url, 1)).body;
    const actor = { user: 10, groups: [] };
    // Removing a member is six statements, then the revision and the journal.
    for (const fault of [0, 1, 3, 6, 7]) {
      const r = await testPost(worker.url, "/__labelgate/store-write", { org: 1, actor, op: { op: "remove_member", member: 14 }, fault });
      assert.equal(r.status, 500, r.body);
      assert.match(r.body, /injected fault/);
      assert.equal((await exportOrg(worker.url, 1)).body, before, `fault after ${fault} statements changed the store`);
    }
    // An import failing at commit keeps the old facts.
    const other = (await expect.ask({ random: 4242 })).snapshot;
    const { answers } = await importSnapshot(worker.url, other, expect, { fault: 5 });
    assert.equal(answers[0].status, 500, answers[0].body);
    assert.equal((await exportOrg(worker.url, 1)).body, before, "a failed import changed the store");
    // A broken import (a project in a workspace that does not exist) is refused by the store
    // itself, and changes nothing.
    await expect.ask({ snapshot: DEMO });
    const { lines } = await expect.ask({ lines: 1 });
    const broken = lines.replace(/"workspace":100\b/, '"workspace":999');
    assert.notEqual(broken, lines);
    const r0 = await request(worker.url, "POST", "/api/labelgate/import?org=1", {
      headers: { "x-labelgate-admin-token": ADMIN_TOKEN }, body: broken,
    });
    assert.equal(r0.status, 400, r0.body);
    assert.match(r0.json.message, /workspace `999`/);
    assert.equal((await exportOrg(worker.url, 1)).body, before, "a refused import changed the store");
    // And the same write, without the fault, is applied.
    const r = await testPost(worker.url, "/__labelgate/store-write", { org: 1, actor, op: { op: "remove_member", member: 14 } });
    assert.equal(r.json.refused, false, r.body);
    assert.notEqual((await exportOrg(worker.url, 1)).body, before);
  });
});

test("an export imported into a fresh store decides the vector suite exactly as the original", async () => {
  const vectors = native("vectors");
  const bySnapshot = new Map();
  for (const v of vectors) bySnapshot.set(v.snapshot, [...(bySnapshot.get(v.snapshot) ?? []), v]);
  let n = 0;
  for (const [snapshot, group] of bySnapshot) {
    await withStore(async (first) => {
      const { orgs, answers } = await importSnapshot(first.url, snapshot, expect);
      for (const a of answers) assert.equal(a.status, 200, a.body);
      const exports = [];
      for (const org of orgs) exports.push((await exportOrg(first.url, org)).body);
      await withStore(async (second) => {
        // As an operator would: each export saved to a file, imported with the script.
        for (const text of exports) {
          const file = path.join(mkdtempSync(path.join(os.tmpdir(), "labelgate-export-")), "org.json");
          writeFileSync(file, text);
          const run = spawnSync("python3", [path.join(root, "scripts/store-snapshot.py"), "import", file, "--worker", second.url, "--admin-token", ADMIN_TOKEN], { encoding: "utf8" });
          assert.equal(run.status, 0, run.stderr + run.stdout);
          rmSync(path.dirname(file), { recursive: true });
        }
        for (const org of orgs) {
          assert.equal((await exportOrg(second.url, org)).body, exports[orgs.indexOf(org)], `organization ${org}`);
        }
        for (const v of group) {
          // The request as the vector writes it (some are malformed on purpose).
          const ask = (url) => request(url, "POST", "/__labelgate/decide", { headers: { "content-type": "application/json" }, body: v.request });
          const a = await ask(first.url);
          const b = await ask(second.url);
          assert.equal(a.status, 200, a.body);
          assert.equal(b.body, a.body, `${v.file}: ${v.description}`);
          assert.equal(a.json.allow, v.expect.allow, `${v.file}: ${v.description}: ${a.body}`);
          n++;
        }
      });
    });
  }
  console.log(`# ${n} vectors decided identically by a store and by a fresh store given its export`);
  assert.equal(n, vectors.length);
});

test("a large import is validated too: its assignments in SQL, the rest by the core", async () => {
  await withStore(async (worker) => {
    // Over the threshold (here 0 assignments; 100,000 by default), the same facts import
    // and export the same.
    const large = { "x-labelgate-validate-max-assignments": "0" };
    const { answers } = await importSnapshot(worker.url, DEMO, expect, { headers: large });
    assert.equal(answers[0].status, 200, answers[0].body);
    const before = (await exportOrg(worker.url, 1)).body;
    assert.equal(before, (await expect.ask({ export: 1 })).export);
    // An assignment of someone who is not a member: refused either way, nothing changed.
    const { lines } = await expect.ask({ lines: 1 });
    const broken = lines.replace('{"kind":"annotate","user":14}],"created_by":12', '{"kind":"annotate","user":4040}],"created_by":12');
    assert.notEqual(broken, lines);
    for (const extra of [large, {}]) {
      const r = await request(worker.url, "POST", "/api/labelgate/import?org=1", {
        headers: { "x-labelgate-admin-token": ADMIN_TOKEN, ...extra }, body: broken,
      });
      assert.equal(r.status, 400, r.body);
      assert.match(r.json.message, /4040.*not a member/);
      assert.equal((await exportOrg(worker.url, 1)).body, before);
    }
  });
});
