"""Start and stop a real Label Studio (the venv of scripts/setup-label-studio.sh) on 127.0.0.1,
and the LabelGate Worker (tests/labelstudio/worker.mjs) in front of it. Every process is
started in its own process group and stopped by its PID.

CLI (for the demo):  python tests/labelstudio/lsserver.py start --port 8080 --data-dir D
"""
from __future__ import annotations

import json
import os
import queue
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".cache" / "label-studio-venv"
ADMIN_EMAIL = "admin@labelgate.test"
# The Worker's operator token (tests/worker/harness.mjs binds it as LABELGATE_ADMIN_TOKEN).
ADMIN_TOKEN = "test-admin-token-of-labelgate"
ADMIN_PASSWORD = "labelgate-admin-pw-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str, headers: dict | None = None, timeout: float = 5.0):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, json.loads(r.read() or b"null")


@dataclass
class LabelStudio:
    """A running Label Studio: its URL, admin credentials, PID and log."""

    url: str
    port: int
    data_dir: Path
    admin_email: str
    admin_password: str
    admin_token: str
    proc: subprocess.Popen
    log_path: Path
    start_seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    def stop(self) -> None:
        stop_process(self.proc)


def stop_process(proc: subprocess.Popen, timeout: float = 20.0) -> None:
    """SIGTERM to the process group of `proc` (started with start_new_session), then SIGKILL."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)


def start_label_studio(data_dir: Path, port: int | None = None, timeout: float = 240.0,
                       trusted_origin: str | None = None) -> LabelStudio:
    """Starts Label Studio with a project-local data dir, a known admin and legacy token; waits
    for GET /health -> {"status": "UP"}. `trusted_origin`: the Worker's URL, where browsers sign
    in (Django's CSRF check of the sign-in form compares `Origin` with it)."""
    trusted_origin = trusted_origin or os.environ.get("LABELGATE_TRUSTED_ORIGIN", "")
    binary = VENV / "bin" / "label-studio"
    if not binary.exists():
        raise RuntimeError(f"{binary} is missing: run scripts/setup-label-studio.sh")
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "files").mkdir(exist_ok=True)
    token_file = data_dir / "labelgate-admin-token"
    if token_file.exists():
        token = token_file.read_text().strip()
    else:
        token = secrets.token_hex(20)
        token_file.write_text(token)
    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "COLLECT_ANALYTICS": "false",
        "LATEST_VERSION_CHECK": "false",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
        "LABEL_STUDIO_USERNAME": ADMIN_EMAIL,
        "LABEL_STUDIO_PASSWORD": ADMIN_PASSWORD,
        "LABEL_STUDIO_USER_TOKEN": token,
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        # Local-files storages (the only storage type that needs no outside service).
        "LOCAL_FILES_SERVING_ENABLED": "true",
        "LOCAL_FILES_DOCUMENT_ROOT": str(data_dir / "files"),
        # The tests' ML backend and webhook listen on 127.0.0.1, which Label Studio's SSRF
        # guard refuses by default (this server is reachable from 127.0.0.1 only).
        "SSRF_PROTECTION_ENABLED": "false",
        "ML_BLOCK_LOCAL_IP": "false",
        "PYTHONUNBUFFERED": "1",
        # Behind LabelGate: browsers sign in at the Worker's URL; the UI calls relative URLs.
        "CSRF_TRUSTED_ORIGINS": trusted_origin,
        "LABEL_STUDIO_HOST": "",
    }
    log_path = data_dir / "label-studio.log"
    log = open(log_path, "ab")
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [str(binary), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(data_dir), "--enable-legacy-api-token"],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        cwd=str(data_dir), start_new_session=True,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    ls = LabelStudio(url, port, data_dir, ADMIN_EMAIL, ADMIN_PASSWORD, token, proc, log_path)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"label-studio exited ({proc.returncode}); see {log_path}")
            try:
                status, body = get_json(f"{url}/health", timeout=2)
                if status == 200 and body == {"status": "UP"}:
                    break
            except OSError:
                pass
            if time.monotonic() - t0 > timeout:
                raise RuntimeError(f"label-studio did not come up in {timeout} s; see {log_path}")
            time.sleep(0.5)
    except BaseException:
        stop_process(proc)
        raise
    ls.start_seconds = time.monotonic() - t0
    return ls


def django_shell(ls: LabelStudio, code: str, timeout: float = 120.0) -> str:
    """Runs `code` in Django with Label Studio's settings and the running server's data dir
    (its own database), as Label Studio's `manage.py shell` would, and returns its stdout: for
    facts Label Studio Community has no API for (a second organization)."""
    prelude = (
        "import os, sys, label_studio\n"
        "sys.path.insert(0, os.path.dirname(label_studio.__file__))\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'core.settings.label_studio')\n"
        "import django\ndjango.setup()\n"
    )
    env = {**os.environ, "LABEL_STUDIO_BASE_DATA_DIR": str(ls.data_dir), "LATEST_VERSION_CHECK": "false",
           "SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": "", "COLLECT_ANALYTICS": "false", "LOG_LEVEL": "ERROR"}
    out = subprocess.run([str(VENV / "bin" / "python"), "-c", prelude + code], env=env, cwd=str(ls.data_dir),
                         capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"django shell failed: {out.stderr[-2000:]}")
    return out.stdout


@dataclass
class Worker:
    url: str
    proc: subprocess.Popen
    lines: "queue.Queue[str]" = field(default_factory=lambda: queue.Queue())

    def stop(self) -> None:
        if self.proc.poll() is None and self.proc.stdin:
            self.proc.stdin.close()  # the launcher stops on stdin close
            try:
                self.proc.wait(15)
                return
            except subprocess.TimeoutExpired:
                pass
        stop_process(self.proc)

    def reload(self) -> None:
        """Re-reads the snapshot file into KV (a new version)."""
        self.proc.send_signal(signal.SIGHUP)
        while True:
            line = self.lines.get(timeout=30)
            if line.startswith("{") and json.loads(line) == {"reloaded": True}:
                return


def start_worker(snapshot_path: Path | None, origin: str, port: int = 0, timeout: float = 60.0) -> Worker:
    """Starts tests/labelstudio/worker.mjs (the built Worker in workerd via Miniflare): with
    its store (an empty Durable Object per organization) when `snapshot_path` is None, else
    with that snapshot in KV."""
    facts = ["--store"] if snapshot_path is None else ["--snapshot", str(snapshot_path)]
    proc = subprocess.Popen(
        ["node", str(ROOT / "tests/labelstudio/worker.mjs"), *facts, "--origin", origin, "--port", str(port)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=str(ROOT),
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the Worker launcher exited before it was ready")
        url = json.loads(line)["url"]
    except BaseException:
        stop_process(proc)
        raise
    worker = Worker(url, proc)

    def drain() -> None:  # a full stdout pipe would stall the launcher
        assert proc.stdout is not None
        for out in proc.stdout:
            worker.lines.put(out)

    threading.Thread(target=drain, daemon=True).start()
    return worker


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["start"])
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--data-dir", type=Path, default=ROOT / ".cache" / "label-studio-data")
    a = ap.parse_args(argv)
    ls = start_label_studio(a.data_dir.resolve(), a.port)
    print(json.dumps({"url": ls.url, "pid": ls.proc.pid, "admin": ls.admin_email,
                      "token": ls.admin_token, "start_seconds": round(ls.start_seconds, 1)}),
          flush=True)
    try:
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        ls.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        ls.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
