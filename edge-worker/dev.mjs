// The edge authorizer running locally: the built Worker in workerd (Miniflare) on 127.0.0.1,
// the embedded demo snapshot in local KV, in front of the demo origin (tests/worker/origin.mjs)
// or of ORIGIN_URL if set (e.g. a local Label Studio). Ctrl-C stops everything.
// Run: bash scripts/demo-worker.sh
import { Miniflare } from "miniflare";
import { startOrigin, token, session } from "../tests/worker/origin.mjs";
import { workerOptions, DEMO, lsJwt, request } from "../tests/worker/harness.mjs";

const PORT = Number(process.env.LABELGATE_PORT ?? 8787);
const ORIGIN_PORT = Number(process.env.LABELGATE_ORIGIN_PORT ?? 8081);
const SECRET = process.env.LABELGATE_JWT_SECRET ?? "labelgate-demo-secret";

const origin = process.env.ORIGIN_URL ? null : await startOrigin({ port: ORIGIN_PORT });
const originUrl = process.env.ORIGIN_URL ?? origin.url;
const mf = new Miniflare({
  host: "127.0.0.1",
  port: PORT,
  workers: [workerOptions({ origin: originUrl, bindings: { JWT_SECRET: SECRET, SNAPSHOT_CHECK_SECONDS: "2" } })],
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await mf.dispose().catch(() => {});
  await origin?.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

const url = (await mf.ready).origin;
const kv = await mf.getKVNamespace("SNAPSHOTS");
await kv.put("snapshot", DEMO);
await kv.put("version", "demo");

const maya = lsJwt(12, { key: SECRET, exp: Math.floor(Date.now() / 1000) + 86400 });
const ann = lsJwt(14, { key: SECRET, exp: Math.floor(Date.now() / 1000) + 86400 });
const health = await request(url, "GET", "/health");
console.log(`LabelGate edge authorizer on ${url} (workerd), in front of ${originUrl}; /health -> ${health.status}
The demo snapshot (organization 1: Olivia owner 10, Adam administrator 11, Maya manager 12,
Rita reviewer 13, Ann annotator 14, Paul pending 15, Dan deactivated 16, Mark manager 17) is in KV.
${origin ? `The demo origin records what reaches it: curl -s ${origin.url}/__origin/records\n` : ""}
Maya (manager) exports project 1000: allowed, forwarded
  curl -si ${url}/api/projects/1000/export -H 'Authorization: Bearer ${maya}'
Ann (annotator; member of two organizations, so she names one) may not: 403 with the decision
  curl -si ${url}/api/projects/1000/export -H 'Authorization: Bearer ${ann}' -H 'X-LabelGate-Org: 1'
Rita pins project 1000 with her legacy token; a body that changes more than pinned_at is an update
  curl -si -X PATCH ${url}/api/projects/1000/ -H 'Authorization: Token ${token("rita")}' -H 'Content-Type: application/json' -d '{"pinned_at": "2026-01-01T00:00:00Z"}'
  curl -si -X PATCH ${url}/api/projects/1000/ -H 'Authorization: Token ${token("rita")}' -H 'Content-Type: application/json' -d '{"pinned_at": null, "title": "x"}'
Ann edits her own annotation (its project is looked up at the origin with her API key), not Rita's
  curl -si -X PATCH ${url}/api/annotations/50/ -H 'X-Api-Key: ${token("ann")}' -H 'X-LabelGate-Org: 1' -H 'Content-Type: application/json' -d '{}'
  curl -si -X PATCH ${url}/api/annotations/51/ -H 'X-Api-Key: ${token("ann")}' -H 'X-LabelGate-Org: 1' -H 'Content-Type: application/json' -d '{}'
Dan (deactivated) by session, no identity, an ambiguous path
  curl -si ${url}/api/projects/1000/ -H 'Cookie: sessionid=${session("dan")}'
  curl -si ${url}/api/projects/1000/
  curl -si '${url}/api/projects/1000/%2565xport' -H 'Authorization: Bearer ${maya}'
Ctrl-C stops the Worker and the origin.`);
