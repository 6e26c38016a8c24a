// LabelGate's npm package (wasm/pkg, node target) vs @cedar-policy/cedar-wasm (its stateful
// isAuthorized: schema and policies preparsed once), on the same requests. Cedar runs both
// encodings: threshold (labelgate.cedar) and hierarchy (hierarchy.cedar, also sliced by
// action). Run: (cd bench/peers/js && npm ci && node bench.mjs). Prints a table; writes
// js-results.json.
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { hierEntities, hierSlice, preparseSlices } from "./cedar-hier.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, "../../..");
const require = createRequire(import.meta.url);
const LG_PATH = path.join(root, "wasm/pkg/node/labelgate.js");
const CEDAR_PATH = path.join(here, "node_modules/@cedar-policy/cedar-wasm/nodejs/cedar_wasm.js");

// ---- module load time, each in a fresh process ---------------------------------------
function loadTime(modPath) {
  const code = `const t=process.hrtime.bigint();require(${JSON.stringify(modPath)});` +
    `console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const runs = [];
  for (let i = 0; i < 7; i++) runs.push(Number(execFileSync(process.execPath, ["-e", code]).toString()));
  runs.sort((a, b) => a - b);
  return runs[3];
}
const lgLoad = loadTime(LG_PATH);
const cedarLoad = loadTime(CEDAR_PATH);

const { Policy } = require(LG_PATH);
const cedar = require(CEDAR_PATH);
const ROLES = ["annotator", "reviewer", "manager", "administrator", "owner"];
const rank = (r) => Math.max(0, ROLES.indexOf(r ?? "annotator"));

// ---- snapshot -> Cedar JSON entities (as src/cedar_model.rs) -------------------------
const E = (type, id) => ({ __entity: { type, id: String(id) } });
function cedarEntities(snap) {
  const byId = new Map();
  const teams = snap.edition === "teams";
  for (const o of snap.organizations) {
    const maps = o.group_mappings ?? [];
    const om = (min) => maps.filter((m) => m.project == null && rank(m.role) >= min).map((m) => m.group);
    byId.set(`Org/${o.id}`, { uid: { type: "Org", id: String(o.id) }, parents: [], attrs: {
      id: o.id, owner: o.owner, teams, signup_needs_invite: !!o.settings?.disable_signup_without_link,
      invite_tokens: o.invite_tokens ?? [], mapped: om(0), ge1: om(1), ge2: om(2), ge3: om(3) } });
    for (const m of o.members ?? []) {
      byId.set(`Member/${o.id}/${m.user}`, { uid: { type: "Member", id: `${o.id}/${m.user}` }, parents: [],
        attrs: { org: E("Org", o.id), user: m.user, status: m.status, rank: rank(m.role) } });
    }
    const used = new Set((o.projects ?? []).map((p) => p.workspace));
    for (const w of o.workspaces ?? []) {
      byId.set(`Workspace/${w.id}`, { uid: { type: "Workspace", id: String(w.id) }, parents: [], attrs: {
        org: E("Org", o.id), members: w.members ?? [], sandbox_of: w.sandbox_of ?? 0, empty: !used.has(w.id) } });
    }
    for (const p of o.projects ?? []) {
      const pm = (min) => maps.filter((m) => m.project === p.id && rank(m.role) >= min).map((m) => m.group);
      byId.set(`Project/${p.id}`, { uid: { type: "Project", id: String(p.id) }, parents: [], attrs: {
        org: E("Org", o.id), workspace: E("Workspace", p.workspace), created_by: p.created_by,
        members: p.members ?? [], assigned: [...new Set((p.assignments ?? []).map((a) => a.user))],
        own_data: !!p.settings?.annotators_can_view_own_data, pmapped: pm(0), pge1: pm(1), pge2: pm(2) } });
    }
  }
  return byId;
}
// The entities one request needs (Cedar's recommended slicing; passing the whole org on
// every call would be far slower, since stateful calls still parse their entities).
function slice(byId, org, user, project) {
  const p = byId.get(`Project/${project}`);
  const w = byId.get(`Workspace/${p.attrs.workspace.__entity.id}`);
  return [byId.get(`Org/${org}`), byId.get(`Member/${org}/${user}`), p, w].filter(Boolean);
}
const E2 = (type, id) => ({ __entity: { type, id: String(id) } });
const cedarText = (f) => readFileSync(path.join(here, "../cedar", f), "utf8");
function preparse(name, schemaText, policyText) {
  let r = cedar.preparseSchema(name, schemaText);
  if (r.type !== "success") throw new Error(JSON.stringify(r));
  r = cedar.preparsePolicySet(name, { staticPolicies: policyText });
  if (r.type !== "success") throw new Error(JSON.stringify(r));
}
preparse("labelgate", cedarText("labelgate.cedarschema"), cedarText("labelgate.cedar"));
preparse("hierarchy", cedarText("hierarchy.cedarschema"), cedarText("hierarchy.cedar"));
const sliceIds = preparseSlices(cedar, "hierarchy", cedarText("hierarchy.cedarschema"), cedarText("hierarchy.cedar"));

// Each Cedar variant: how it builds a snapshot's entities, the entities a request needs, and
// the call for one action on one project.
const hierCall = (sliced) => (org, user, action, project, entities) => ({
  principal: { type: "User", id: String(user) }, action: { type: "Action", id: action },
  resource: { type: "Project", id: String(project) }, context: { org: E2("Org", org) },
  preparsedSchemaName: "hierarchy", preparsedPolicySetId: sliced ? sliceIds[action] : "hierarchy", entities,
});
const VARIANTS = {
  threshold: { build: cedarEntities, slice, call: (org, user, action, project, entities) => ({
    principal: { type: "Member", id: `${org}/${user}` }, action: { type: "Action", id: action },
    resource: { type: "Project", id: String(project) },
    context: { org: E("Org", org), user, has_user: true, groups: [], copy_all: false },
    preparsedSchemaName: "labelgate", preparsedPolicySetId: "labelgate", entities,
  }) },
  hierarchy: { build: hierEntities, slice: hierSlice, call: hierCall(false) },
  hierarchy_sliced: { build: hierEntities, slice: hierSlice, call: hierCall(true) },
};
const allowOf = (ans) => {
  if (ans.type !== "success") throw new Error(JSON.stringify(ans));
  return ans.response.decision === "allow";
};

function time(fn, minMs = 1500, warm = 50) {
  for (let i = 0; i < warm; i++) fn();
  const medians = [];
  for (let round = 0; round < 9; round++) {
    let n = 0; const t = process.hrtime.bigint();
    while (Number(process.hrtime.bigint() - t) / 1e6 < minMs / 9) { fn(); n++; }
    medians.push(Number(process.hrtime.bigint() - t) / n);
  }
  medians.sort((a, b) => a - b);
  return medians[4]; // ns per call
}

// ---- per decision: demo org, Maya (12) exports project 1000 ---------------------------
const demo = JSON.parse(readFileSync(path.join(root, "policy-core/src/demo_snapshot.json"), "utf8"));
const lgDemo = Policy.load(demo);
const req = { principal: { user: 12 }, org: 1, action: "project.export", resource: { project: 1000 } };
if (!lgDemo.decide(req).allow) throw new Error("not allowed");
const lgOne = time(() => lgDemo.decide(req));
const cedarOne = {};
for (const [name, v] of Object.entries(VARIANTS)) {
  const call = v.call(1, 12, "project.export", 1000, v.slice(v.build(demo), 1, 12, 1000));
  if (!allowOf(cedar.statefulIsAuthorized(call))) throw new Error(`${name}: not allowed`);
  cedarOne[name] = time(() => cedar.statefulIsAuthorized(call));
}

// ---- allowed actions on 1,000 projects -------------------------------------------------
const PROJECT_ACTIONS = ["project.view", "project.label", "project.update", "project.delete",
  "project.duplicate", "project.import", "project.export", "project.assign_reviewers", "project.pin",
  "project.unpin", "project.review", "project.assign_annotators", "project.monitor_agreement",
  "project.verify_annotations", "project.view_data", "project.view_performance", "annotation.update",
  "analytics.view"];
const big = { organizations: [{ id: 1, owner: 1,
  members: [{ user: 1, role: "owner", status: "active" }, { user: 2, role: "manager", status: "active" },
    ...Array.from({ length: 48 }, (_, i) => ({ user: 3 + i, role: ROLES[i % 4], status: "active" }))],
  workspaces: Array.from({ length: 20 }, (_, w) => ({ id: 100 + w, members: w % 2 ? [2, 3 + w] : [3 + w] })),
  projects: Array.from({ length: 1000 }, (_, p) => ({ id: 1000 + p, workspace: 100 + (p % 20),
    created_by: p % 3 ? 3 + (p % 48) : 2, members: [3 + ((p * 7) % 48)],
    settings: { annotators_can_view_own_data: p % 2 === 0 },
    assignments: [{ user: 3 + ((p * 11) % 48), kind: "annotate" }] })) }] };
const lgBig = Policy.load(big);
const projects = big.organizations[0].projects.map((p) => p.id);
const lgAll = () => lgBig.allowedActionsMany({ user: 2 }, 1, projects.map((p) => ({ project: p })));
// The calls are built before timing, as in the native benchmark.
function cedarAll(calls) {
  // Plain loops: node 20's optimizer crashed (V8 fatal "unreachable code" in the
  // deoptimizer) on the map/filter version of this function.
  const out = [];
  for (let i = 0; i < calls.length; i++) {
    const allowed = [];
    for (let k = 0; k < PROJECT_ACTIONS.length; k++) {
      const ans = cedar.statefulIsAuthorized(calls[i][k]);
      if (ans.type === "success" && ans.response.decision === "allow") allowed.push(PROJECT_ACTIONS[k]);
    }
    out.push(allowed);
  }
  return out;
}
const lgAnswers = lgAll().map((a) => [...a].filter((x) => PROJECT_ACTIONS.includes(x)).sort().join());
const lgMany = time(lgAll, 3000, 3);
const cedarMany = {};
let same = Infinity;
for (const [name, v] of Object.entries(VARIANTS)) {
  const h = v.build(big);
  const calls = projects.map((p) => {
    const entities = v.slice(h, 1, 2, p);
    return PROJECT_ACTIONS.map((a) => v.call(1, 2, a, p, entities));
  });
  // Same answers first.
  const agree = cedarAll(calls).filter((a, i) => [...a].sort().join() === lgAnswers[i]).length;
  if (agree !== projects.length) throw new Error(`${name}: ${agree}/${projects.length} projects agree`);
  same = Math.min(same, agree);
  cedarMany[name] = time(() => cedarAll(calls), 9000, 0);
}
const best = (m) => Math.min(...Object.values(m));

const size = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
const lgGz = size(path.join(root, "wasm/pkg/node/labelgate_bg.wasm")) + size(LG_PATH);
const cedarGz = size(path.join(here, "node_modules/@cedar-policy/cedar-wasm/nodejs/cedar_wasm_bg.wasm")) + size(CEDAR_PATH);

const fmt = (ns) => ns < 1e3 ? `${ns.toFixed(0)} ns` : ns < 1e6 ? `${(ns / 1e3).toFixed(2)} µs` : `${(ns / 1e6).toFixed(2)} ms`;
console.log(`node ${process.version}, cedar-wasm ${cedar.getCedarVersion()}; allowed actions agree on ${same}/1000 projects, every Cedar variant`);
console.log("measure                          LabelGate  Cedar: " + Object.keys(VARIANTS).join(", "));
for (const [name, a, m, t] of [["per decision (demo org)", lgOne, cedarOne, 50], ["allowed actions, 1,000 projects", lgMany, cedarMany, null]]) {
  const r = best(m) / a;
  console.log(`${name.padEnd(32)} ${fmt(a).padStart(10)}  ${Object.values(m).map(fmt).join(", ")}  fastest/LG ${r.toFixed(1)}x` +
    (t ? `  (target >= ${t}x: ${r >= t ? "met" : "MISSED"})` : ""));
}
console.log(`module load (fresh process, median of 7)  ${lgLoad.toFixed(1)} ms  ${cedarLoad.toFixed(1)} ms  ${(cedarLoad / lgLoad).toFixed(1)}x`);
console.log(`gzip size (wasm + js glue)       ${(lgGz / 1024).toFixed(0)} KiB ${(cedarGz / 1024).toFixed(0)} KiB  ${(cedarGz / lgGz).toFixed(1)}x  (target >= 20x: ${cedarGz / lgGz >= 20 ? "met" : "MISSED"})`);
writeFileSync(path.join(here, "js-results.json"), JSON.stringify({ lgOne, cedarOne, lgMany, cedarMany, lgLoad, cedarLoad, lgGz, cedarGz, same }, null, 1));
