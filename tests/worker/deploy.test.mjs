// The same Worker deploys to Cloudflare unchanged: `wrangler deploy --dry-run` bundles
// edge-worker/wrangler.toml's prebuilt Worker without an account, and its bundle is within the
// 400 KB gzip budget.
// Run: node --test tests/worker/   (after scripts/build-worker.sh)
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "./harness.mjs";

test("wrangler deploy --dry-run passes, within the size budget", () => {
  const out = mkdtempSync(path.join(os.tmpdir(), "labelgate-dry-run-"));
  const home = path.join(root, "target/wrangler-home");
  try {
    const log = execFileSync(path.join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", out], {
      cwd: path.join(root, "edge-worker"),
      encoding: "utf8",
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_HIDE_BANNER: "true",
        XDG_CONFIG_HOME: path.join(home, "config"),
        XDG_CACHE_HOME: path.join(home, "cache"),
        CI: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    assert.match(log, /--dry-run: exiting now\./);
    assert.match(log, /env\.SNAPSHOTS/);
    const m = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(log);
    assert.ok(m, log);
    assert.ok(Number(m[2]) <= 400, `bundle ${m[2]} KiB gzip is over the 400 KB budget`);
    console.log(`# wrangler dry run: ${m[1]} KiB, ${m[2]} KiB gzip`);
    const files = readdirSync(out);
    assert.ok(files.includes("index.js") && files.some((f) => f.endsWith(".wasm")), files.join(" "));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
