"""Loopback traffic for the deployment tests: clients that trickle their headers, timed probes, free ports,
servers started and awaited."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, seconds: float = 90.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if request(port, "GET", "/v1/health", timeout=2)[0] == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing healthy on port {port} after {seconds} s")


def request(port: int, method: str, path: str, body: dict | None = None, timeout: float = 5.0,
            headers: dict | None = None, source: str | None = None) -> tuple[int, dict]:
    """One request on a new connection; ``source``: the loopback address to send from (127.x.y.z), so that a
    proxy limiting per client address sees several clients."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body),
                     headers={"Content-Type": "application/json", **(headers or {})})
        resp = conn.getresponse()
        data = resp.read()
        try:
            return resp.status, json.loads(data) if data else {}
        except ValueError:
            return resp.status, {"raw": data.decode("utf-8", "replace")}
    finally:
        conn.close()


@contextlib.contextmanager
def trickling_clients(port: int, n: int = 64, every: float = 0.5) -> Iterator[list[threading.Thread]]:
    """``n`` connections that send a request line, then one more header line every ``every`` seconds, never
    finishing their headers, for as long as the block runs."""
    stop = threading.Event()
    opened = threading.Semaphore(0)

    def trickle() -> None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(b"POST /v1/suggest HTTP/1.1\r\nHost: localhost\r\n")
                opened.release()
                i = 0
                while not stop.wait(every):
                    s.sendall(b"X-Slow-%d: y\r\n" % i)
                    i += 1
        except OSError:  # the server (or proxy) gave up on it: fine
            opened.release()

    threads = [threading.Thread(target=trickle, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    for _ in range(n):
        opened.acquire(timeout=10)
    time.sleep(2 * every)  # every one of them has sent a header line or two
    try:
        yield threads
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=5)


def client_address(i: int) -> str:
    """The ``i``-th of many loopback client addresses (127.0.1.1, 127.0.1.2, ...)."""
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


def probe(port: int, n: int = 50, timeout: float = 5.0, clients: int = 0) -> tuple[list[float], int]:
    """``n`` suggestion requests one after another: their latencies (seconds, sorted) and how many failed.
    ``clients``: spread them over that many loopback addresses (0: all from 127.0.0.1)."""
    latencies, failed = [], 0
    for i in range(n):
        t0 = time.perf_counter()
        try:
            status, body = request(port, "POST", "/v1/suggest", {"text": f"good morning {i}"}, timeout=timeout,
                                   source=client_address(i % clients) if clients else None)
            failed += status != 200 or len(body.get("suggestions", [])) != 5
        except OSError:
            failed += 1
        latencies.append(time.perf_counter() - t0)
    return sorted(latencies), failed


def p99(latencies: list[float]) -> float:
    return latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
