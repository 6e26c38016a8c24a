// A small demo origin standing in for Label Studio, on 127.0.0.1 only. It records every
// request it receives (method, raw path, headers, body bytes) so that the tests can assert on
// what reached it, answers `whoami` for the demo credentials, describes a few tasks,
// annotations, drafts and other objects (so the Worker can look up their project), and
// serves the project and workspace lists like Label Studio (pages, the `ids` filter), and
// answers everything else with a JSON echo.
//
// In a test:   const origin = await startOrigin(); ... origin.records ... await origin.close();
// Standalone:  node tests/worker/origin.mjs [--port 8081] [--tasks N]   (GET /__origin/records lists them)
import http from "node:http";
import { fileURLToPath } from "node:url";

/** The demo users (policy-core/src/demo_snapshot.json) and their credentials here. */
export const USERS = {
  olivia: 10, adam: 11, maya: 12, rita: 13, ann: 14, paul: 15, dan: 16, mark: 17, bea: 20, ghost: 99,
};
/** Legacy token / API key of a user: `tok-<name>`; session id: `sess-<name>`. */
export const token = (name) => `tok-${name}`;
export const session = (name) => `sess-${name}`;

/** Objects the origin describes, by the path the Worker asks. */
export const OBJECTS = {
  "/api/tasks/5/": { id: 5, project: 1000, data: { text: "chest x-ray 5" } },
  "/api/tasks/6/": { id: 6, project: 1001 },
  "/api/tasks/7/": { id: 7, project: 1003 },
  "/api/tasks/8/": { id: 8, project: 1002 },
  "/api/tasks/9/": { id: 9, project: 1005 },
  "/api/tasks/20/": { id: 20, project: 2000 },
  "/api/tasks/30/": { id: 30 },
  "/api/annotations/50/": { id: 50, task: 5, completed_by: 14 },
  "/api/annotations/51/": { id: 51, task: 5, completed_by: 13 },
  "/api/annotations/52/": { id: 52, task: 7, project: 1003, completed_by: 12 },
  "/api/annotations/53/": { id: 53, task: 6, completed_by: 14 },
  "/api/drafts/70/": { id: 70, task: 5, user: 14 },
  "/api/drafts/71/": { id: 71, task: 7, user: 12 },
  "/api/ml/3": { id: 3, project: 1000 },
  "/api/webhooks/4/": { id: 4, project: 1001 },
  "/api/storages/s3/5": { id: 5, project: 1000 },
  "/api/storages/export/gcs/6": { id: 6, project: 1003 },
  "/api/dm/views/8/": { id: 8, project: 1000 },
  "/api/annotation-reviews/9/": { id: 9, annotation: 50 },
  "/api/predictions/60/": { id: 60, task: 5, project: 1000 },
  "/api/projects/1000/imports/9/": { id: 9, project: 1000, status: "completed" },
  "/api/projects/1001/imports/9/": { id: 9, project: 1000, status: "completed" },
  "/api/projects/1000/exports/77": { id: 77, title: "export", status: "completed" },
};

/**
 * Label Studio 1.23.2's Data Manager actions menu (`GET /api/dm/actions/`: the actions that
 * are neither hidden nor experimental), and one id LabelGate does not know.
 */
export const DM_MENU = [
  "retrieve_tasks_predictions", "predictions_to_annotations", "remove_duplicates",
  "delete_tasks", "delete_tasks_annotations", "delete_tasks_predictions", "frobnicate",
].map((id) => ({ id, title: id.replace(/_/g, " "), order: 1, dialog: null }));

/** The lists the origin serves like Label Studio: 4242 and 4243 are unknown to the snapshot. */
export const LIST_PROJECTS = [1000, 1001, 1002, 1003, 1004, 1005, 2000, 4242];
export const LIST_WORKSPACES = [100, 101, 102, 103, 104, 200, 4243];
const LISTS = new Set(["/api/projects/", "/api/projects/counts/", "/api/workspaces/"]);

/**
 * `GET /api/projects/` and `counts/` as Label Studio answers them: its `ids` filter (ignored
 * with `ignore_ids=1`, to test the Worker's own filtering), pages of `page_size` (default 30,
 * at most 100) with absolute `next` / `previous` on the request's Host, 404 past the last
 * page. `GET /api/workspaces/`: a plain array (Enterprise).
 */
function serveList(req, res, pathname, query) {
  const q = new URLSearchParams(query);
  if (pathname === "/api/workspaces/") {
    return json(res, 200, LIST_WORKSPACES.map((id) => ({ id, title: `workspace ${id}` })));
  }
  let items = LIST_PROJECTS;
  const ids = q.get("ids");
  if (ids && q.get("ignore_ids") !== "1") {
    const want = ids.split(",").map(Number);
    items = items.filter((id) => want.includes(id));
  }
  const size = Math.min(Number(q.get("page_size") ?? 30), 100);
  const page = Number(q.get("page") ?? 1);
  const slice = items.slice((page - 1) * size, page * size);
  if (page > 1 && slice.length === 0) return json(res, 404, { detail: "Invalid page." });
  const link = (p) => {
    const l = new URLSearchParams(q);
    l.set("page", String(p));
    return `http://${req.headers.host}${pathname}?${l}`;
  };
  json(res, 200, {
    count: items.length,
    next: page * size < items.length ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
    results: slice.map((id) => ({ id, title: `project ${id}`, task_number: id % 7 })),
  });
}

function userOf(headers) {
  const byName = (value, make) => {
    const name = Object.keys(USERS).find((n) => make(n) === value);
    return name === undefined ? undefined : USERS[name];
  };
  const key = headers["x-api-key"];
  if (key !== undefined) return byName(key, token);
  const auth = headers.authorization;
  if (auth !== undefined) {
    const [scheme, value] = auth.split(" ");
    if (scheme.toLowerCase() === "token") return byName(value, token);
    if (scheme === "Bearer") return Number(headers["x-labelgate-user"]) || jwtUser(value);
    return undefined;
  }
  const sid = /(?:^|;\s*)sessionid=([^;]*)/.exec(headers.cookie ?? "");
  if (sid) return byName(sid[1], session);
  if (headers["cf-access-jwt-assertion"]) return Number(headers["x-labelgate-user"]) || undefined;
  return undefined;
}

/** The `user_id` of a JWT's payload (the Worker verified its signature; Label Studio would). */
function jwtUser(jwt) {
  try {
    return Number(JSON.parse(Buffer.from((jwt ?? "").split(".")[1], "base64url").toString()).user_id) || undefined;
  } catch {
    return undefined;
  }
}

/** Each demo user's active organization in Label Studio: Bea's is Beta (2), everyone else's Acme (1). */
const ACTIVE = { 20: 2 };

function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Starts the origin. `port` 0 picks a free port. `projects`: answer project creation,
 * duplication and deletion as Label Studio (Enterprise, for duplication) does: 201 with the
 * new project's id (from 6000 up), 204 for a deletion. `tasks`: `{ project: [{ id, annotators }] }`,
 * served as Label Studio's Data Manager serves `GET /api/tasks/` (see `serveTasks`), and each
 * task described at `/api/tasks/{id}/`; settable later as `origin.tasks`.
 * Returns { url, port, records, lookups, forwarded(), clear(), close() }.
 */
export async function startOrigin({ port = 0, projects = false, tasks = null } = {}) {
  const records = [];
  let nextProject = 6000;
  const state = { tasks, active: { ...ACTIVE } };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/__origin/records") return json(res, 200, records.map(show));
      const body = Buffer.concat(chunks);
      const record = { method: req.method, path: req.url, headers: { ...req.headers }, body };
      records.push(record);
      const lookup = req.headers["x-labelgate-lookup"];
      if (lookup === "whoami" || (!lookup && req.url.startsWith("/api/current-user/whoami"))) {
        const user = userOf(req.headers);
        return user === undefined
          ? json(res, 401, { detail: "Authentication credentials were not provided." })
          : json(res, 200, { id: user, email: `user${user}@acme.test`, active_organization: state.active[user] ?? 1 });
      }
      const userMatch = /^\/api\/users\/(\d+)\/?$/.exec(req.url);
      if (userMatch && req.method === "PATCH") {
        try {
          const to = JSON.parse(body.toString() || "{}").active_organization;
          if (to !== undefined) state.active[Number(userMatch[1])] = Number(to);
        } catch {}
      }
      const taskMatch = /^\/api\/tasks\/(\d+)\/$/.exec(req.url);
      const task = taskMatch && state.tasks && Object.entries(state.tasks)
        .flatMap(([p, ts]) => ts.map((t) => ({ ...t, project: Number(p) })))
        .find((t) => t.id === Number(taskMatch[1]));
      if (task && req.method === "GET") return json(res, 200, { id: task.id, project: task.project });
      if (state.tasks && req.method === "GET" && req.url.split("?")[0].replace(/\/$/, "") === "/api/tasks") {
        return serveTasks(res, state.tasks, req.url.split("?")[1] ?? "", state.ignoreSelection);
      }
      if (lookup === "object") {
        if (userOf(req.headers) === undefined) return json(res, 401, { detail: "unauthenticated" });
        const obj = OBJECTS[req.url];
        return obj === undefined ? json(res, 404, { detail: "Not found." }) : json(res, 200, obj);
      }
      if (req.url === "/__origin/slow") {
        setTimeout(() => json(res, 200, { slow: true }), 200);
        return;
      }
      if (req.url.startsWith("/health")) return json(res, 200, { status: "UP" });
      const [pathname, query = ""] = req.url.split("?", 2);
      if (req.method === "GET" && !lookup && LISTS.has(pathname)) return serveList(req, res, pathname, query);
      if (req.method === "GET" && pathname.replace(/\/$/, "") === "/api/dm/actions") return json(res, 200, DM_MENU);
      // Label Studio's `GET /api/users/`: every user of the organization, as an array.
      if (req.method === "GET" && pathname === "/api/users/") {
        return json(res, 200, [10, 11, 12, 13, 14, 15, 16, 17].map((id) => ({ id, email: `user${id}@acme.test` })));
      }
      if (projects && req.method === "POST" && /^\/api\/projects\/(\d+\/duplicate\/)?$/.test(pathname)) {
        const title = JSON.parse(body.toString("utf8") || "{}").title ?? "New Project";
        return json(res, 201, { id: nextProject++, title });
      }
      if (projects && req.method === "DELETE" && /^\/api\/projects\/\d+\/$/.test(pathname)) {
        res.writeHead(204);
        return res.end();
      }
      // A test asks for its answer's status and Set-Cookie (Label Studio re-signs its session).
      if (req.headers["x-origin-answer"] !== undefined) {
        // The answer a test asks for (a JSON text), as Label Studio would give it.
        return json(res, Number(req.headers["x-origin-status"] ?? 200), JSON.parse(req.headers["x-origin-answer"]));
      }
      if (req.headers["x-origin-set-cookie"] !== undefined) {
        res.setHeader("set-cookie", req.headers["x-origin-set-cookie"]);
        return json(res, Number(req.headers["x-origin-status"] ?? 200), { ok: true });
      }
      json(res, 200, { ok: true, method: req.method, path: req.url, bytes: body.length });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = server.address().port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    records,
    /** The requests the Worker forwarded (not its own lookups). */
    forwarded: () => records.filter((r) => r.headers["x-labelgate-lookup"] === undefined),
    /** The Worker's own lookups (whoami, objects). */
    lookups: () => records.filter((r) => r.headers["x-labelgate-lookup"] !== undefined),
    clear: () => { records.length = 0; },
    /** Sets a user's active organization (what Label Studio runs their organization-level requests in). */
    setActive: (user, org) => { state.active[user] = org; },
    /** The tasks the origin serves (see `tasks` above). */
    set tasks(t) { state.tasks = t; },
    /** Whether the task list ignores `selectedItems` (a server that cannot be narrowed). */
    set ignoreSelection(v) { state.ignoreSelection = v; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/**
 * `GET /api/tasks/?project=&query=&page=&page_size=` as Label Studio 1.23.2's Data Manager
 * answers it: `query`'s `selectedItems` (`all: false` with `included`, or `all: true` with
 * `excluded`; like Label Studio, an empty `included` selects every task) and its
 * `filter:tasks:annotators` `contains` filter; pages of `page_size` (default 100); `total`.
 */
function serveTasks(res, all, raw, ignoreSelection = false) {
  const q = new URLSearchParams(raw);
  let items = all[q.get("project")] ?? [];
  const query = q.get("query") ? JSON.parse(q.get("query")) : {};
  const sel = (!ignoreSelection && query.selectedItems) || { all: true, excluded: [] };
  if (sel.all === false && sel.included?.length) {
    const included = new Set(sel.included);
    items = items.filter((t) => included.has(t.id));
  } else if (sel.all === true && sel.excluded?.length) {
    const excluded = new Set(sel.excluded);
    items = items.filter((t) => !excluded.has(t.id));
  }
  for (const f of query.filters?.items ?? []) {
    if (f.filter === "filter:tasks:annotators" && f.operator === "contains") items = items.filter((t) => t.annotators.includes(Number(f.value)));
  }
  const size = Number(q.get("page_size") ?? 100);
  const page = Number(q.get("page") ?? 1);
  const tasks = items.slice((page - 1) * size, page * size).map((t) => ({ id: t.id, data: { text: `task ${t.id}` }, annotators: t.annotators }));
  return json(res, 200, { total_annotations: 0, total_predictions: 0, total: items.length, tasks });
}

function show(r) {
  return { method: r.method, path: r.path, headers: r.headers, body: r.body.toString("utf8") };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--port");
  const port = i > 0 ? Number(process.argv[i + 1]) : 8081;
  // --tasks N: project 1001 holds tasks 10000.. 10000+N-1 (for the row-filtering bench).
  const t = process.argv.indexOf("--tasks");
  const n = t > 0 ? Number(process.argv[t + 1]) : 0;
  const tasks = n ? { 1001: Array.from({ length: n }, (_, k) => ({ id: 10000 + k, annotators: [] })) } : null;
  const origin = await startOrigin({ port, tasks });
  console.log(`demo origin on ${origin.url} (records at ${origin.url}/__origin/records)`);
  const stop = async () => { await origin.close(); process.exit(0); };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
