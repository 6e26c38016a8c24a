// Shared by the browser test and benchmark: where the repository is, how Debian's Chromium
// is launched here (headless, offline: no background networking), and the demo server.
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Starts demo/serve.mjs on a free port of 127.0.0.1: resolves { child, url }. */
export function startServer() {
  return new Promise((resolvePromise, reject) => {
    // stdin is a pipe the server watches: if this process dies, however, the server exits.
    const child = spawn(process.execPath, [join(REPO, "demo", "serve.mjs"), "--port", "0", "--exit-with-stdin"], {
      cwd: REPO,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`demo/serve.mjs did not start in 300 s\nstdout: ${out}\nstderr: ${err}`));
    }, 300_000); // the first start may build the native slicer (cargo)
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:(\d+))/);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, url: m[1] });
      }
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => {
      clearTimeout(timer);
      forget(child);
      reject(new Error(`demo/serve.mjs exited with ${code}\nstderr: ${err}`));
    });
    remember(child);
  });
}

// Belt and braces for the stdin pipe: a normal exit that skipped the finally blocks still
// stops the server.
const children = new Set();
function killChildren() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
}
function remember(child) {
  if (children.size === 0) process.on("exit", killChildren);
  children.add(child);
}
function forget(child) {
  children.delete(child);
  if (children.size === 0) process.removeListener("exit", killChildren);
}

/** Stops the server: SIGTERM, then SIGKILL after 5 s. */
export async function stopServer(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timeout = new Promise((r) => setTimeout(r, 5000, "timeout"));
  if ((await Promise.race([exited, timeout])) === "timeout") {
    child.kill("SIGKILL");
    await exited;
  }
}
