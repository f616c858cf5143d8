"""Loopback servers for the extension's end-to-end tests: the real backend, a recording proxy in
front of it, and a static server for the test pages. Everything listens on 127.0.0.1 only."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def model_dir() -> str | None:
    """The model the backend should load: EMOJI_MODEL_DIR if set, else the embedded default
    (backend/models/default, returned as None: the backend's own default)."""
    if os.environ.get("EMOJI_MODEL_DIR"):
        return os.environ["EMOJI_MODEL_DIR"]
    if (REPO / "backend" / "models" / "default" / "config.json").exists():
        return None
    return None


def model_available() -> bool:
    return model_dir() is not None or (REPO / "backend" / "models" / "default" / "config.json").exists()


class Backend:
    """`python -m backend` on a port, as the README says to start it."""

    def __init__(self, port: int, log_path: Path):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> Backend:
        env = {**os.environ, "PORT": str(self.port), "HOST": "127.0.0.1", "EMOJI_TORCH_THREADS": "1"}
        chosen = model_dir()
        if chosen:
            env["EMOJI_MODEL_DIR"] = chosen
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "backend"], cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        return self

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"backend exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/v1/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"backend not ready after {timeout}s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if getattr(self, "log", None):
            self.log.close()


class RecordingProxy:
    """Forwards to the backend and records every request, so tests can assert what reached it.
    `inject(status, body, headers)` makes the next suggest answer a canned error instead."""

    def __init__(self, target: str, port: int | None = None):
        self.target = target
        self.requests: list[dict] = []
        self.injected: list[tuple[int, dict, dict, float]] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                self.forward()

            def do_POST(self):
                self.forward()

            def do_OPTIONS(self):
                self.forward()

            def forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    parsed = json.loads(body) if body else None
                except ValueError:
                    parsed = None
                with proxy.lock:
                    proxy.requests.append(
                        {
                            "method": self.command,
                            "path": self.path,
                            "json": parsed,
                            "authorization": self.headers.get("Authorization"),
                        }
                    )
                    canned = proxy.injected.pop(0) if proxy.injected and self.path.startswith("/v1/suggest") else None
                if canned:
                    status, payload, headers, delay = canned
                    time.sleep(delay)
                    return self.reply(
                        status, json.dumps(payload).encode(), {"Content-Type": "application/json", **headers}
                    )
                host, port = proxy.target.split("//")[1].split(":")
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "connection"}}
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    out = {
                        k: v
                        for k, v in resp.getheaders()
                        if k.lower() not in {"connection", "transfer-encoding", "content-length"}
                    }
                    self.reply(resp.status, data, out)
                except OSError:
                    self.reply(
                        502,
                        b'{"error": {"code": "internal_error", "message": "proxy: backend unreachable"}}',
                        {"Content-Type": "application/json"},
                    )
                finally:
                    conn.close()

            def reply(self, status, data, headers):
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", port or free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def suggest_requests(self) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"].startswith("/v1/suggest")]

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()
            self.injected.clear()

    def inject(self, status: int, code: str, headers: dict | None = None, times: int = 1) -> None:
        """Answer the next suggest request(s) with an API error."""
        with self.lock:
            for _ in range(times):
                self.injected.append(
                    (status, {"error": {"code": code, "message": code.replace("_", " ")}}, headers or {}, 0.0)
                )

    def inject_suggestions(self, emojis: list[str], delay: float = 0.0, scores: list[float] | None = None) -> None:
        """Answer the next suggest request with these emojis, after `delay` seconds (a slow backend)."""
        scores = scores or [0.9 - i * 0.1 for i in range(len(emojis))]
        pairs = enumerate(zip(emojis, scores, strict=True))
        suggestions = [{"emoji": e, "name": f"canned {i}", "score": s} for i, (e, s) in pairs]
        with self.lock:
            self.injected.append((200, {"suggestions": suggestions}, {}, delay))

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class StaticServer:
    def __init__(self, directory: Path):
        class Quiet(SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), partial(Quiet, directory=str(directory)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
