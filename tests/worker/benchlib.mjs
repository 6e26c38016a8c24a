// What the Worker benchmarks share: the demo origin in its own process, one timed request
// over a keep-alive agent, and percentiles.
import http from "node:http";
import { spawn } from "node:child_process";
import path from "node:path";
import { root } from "./harness.mjs";

export function startOriginProcess(args = []) {
  const child = spawn(process.execPath, [path.join(root, "tests/worker/origin.mjs"), "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout.once("data", (d) => {
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(String(d));
      if (m) resolve({ url: m[1], child });
      else reject(new Error(`origin said: ${d}`));
    });
  });
}

/** One request over `agent`; resolves the elapsed milliseconds (asserting the status). */
export function timed(agent, base, method, p, headers, body, want) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: u.hostname, port: u.port, method, path: p, headers, agent }, (res) => {
      res.on("data", () => {});
      res.on("end", () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (res.statusCode !== want) reject(new Error(`${base}${p}: status ${res.statusCode}`));
        else resolve(ms);
      });
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
export const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: pct(s, 0.5), p90: pct(s, 0.9), p99: pct(s, 0.99), mean: xs.reduce((a, b) => a + b, 0) / xs.length };
};

