"""Bounded load tests on loopback, each with something killed (SIGKILL) half-way.

    python -m benchmarks.loadtest [--clients 32 --seconds 60]           # one gunicorn, one worker killed
    python -m benchmarks.loadtest --nginx [--clients 32 --seconds 60]   # nginx and two backends, one killed

One server: 32 clients for 60 s against gunicorn as `make serve` runs it. Passes when no request fails but those
on the killed worker's connections (at most one per client: gevent workers hold several connections each) and
gunicorn has replaced the worker.
nginx (deploy/nginx/nginx.conf, benchmarks/proxy.py) in front of two backends: the clients come from their own
loopback addresses at 8 requests a second each (under nginx's per-address limit); one backend (master and
worker) is killed half-way. Passes when no request fails at all: nginx retries the other backend.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from backend.config import DEFAULT_MODEL_DIR
from benchmarks.bench import load, post, sample_texts, start_gunicorn, stop, worker_pids
from benchmarks.proxy import kill, start_backend, start_nginx

PER_CLIENT_RPS = 8.0  # under nginx's 10 a second per client address


def run(clients: int, seconds: float, port: int, model: str, kill: bool = True) -> dict:
    proc, cold = start_gunicorn(port, {"EMOJI_MODEL_DIR": model})
    try:
        time.sleep(1.0)
        load(port, 2, 3.0, sample_texts(200))  # wait until both workers answer
        before = worker_pids(proc.pid)
        result: dict = {}
        killed: list[int] = []

        def killer() -> None:
            time.sleep(seconds / 2)
            victim = worker_pids(proc.pid)[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

        t = threading.Thread(target=killer)
        if kill:
            t.start()
        result["load"] = load(port, clients, seconds, sample_texts(5000))
        if kill:
            t.join()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the replacement loads the model before it counts as back
            after = worker_pids(proc.pid)
            if len(after) == len(before) and not set(after) & set(killed):
                break
            time.sleep(0.5)
        after = worker_pids(proc.pid)
        result.update(cold_start_s=cold, workers_before=len(before), workers_after=len(after),
                      killed=killed, replaced=len(after) == len(before) and not set(after) & set(killed))
        result["after_kill"] = load(port, 4, 3.0, sample_texts(200))
        return result
    finally:
        stop(proc)


def wait_answering(port: int, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            status, _ = post(conn, "/v1/suggest", {"text": "hello there"})
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port} within {seconds} s")


def run_nginx(clients: int, seconds: float, port: int, model: str) -> dict:
    """nginx in front of two backends; backend 0 killed half-way. Every client has its own source address."""
    backend_ports = [port + 1, port + 2]
    backends = [start_backend(p, {"EMOJI_MODEL_DIR": model}) for p in backend_ports]
    statuses: Counter = Counter()
    lock = threading.Lock()
    texts = sample_texts(5000)
    with tempfile.TemporaryDirectory() as tmp:
        nginx = start_nginx(Path(tmp), port, backend_ports)
        try:
            for p in (*backend_ports, port):
                wait_answering(p)
            deadline = time.monotonic() + seconds

            def client(i: int) -> None:
                source = (f"127.0.{1 + i // 250}.{1 + i % 250}", 0)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=source)
                j, next_at = i, time.monotonic()
                while time.monotonic() < deadline:
                    try:
                        status, _ = post(conn, "/v1/suggest", {"text": texts[j % len(texts)]})
                    except (OSError, http.client.HTTPException):
                        status = 0  # nginx dropped the connection: a lost request
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=source)
                    with lock:
                        statuses[status] += 1
                    j += clients
                    next_at += 1.0 / PER_CLIENT_RPS
                    time.sleep(max(0.0, next_at - time.monotonic()))
                conn.close()

            killer = threading.Timer(seconds / 2, kill, args=(backends[0],))
            threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
            killer.start()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            killer.join()
        finally:
            for process in (nginx, *backends):
                kill(process)
    requests = sum(statuses.values())
    return {"mode": "nginx, two backends, one killed half-way", "clients": clients, "seconds": seconds,
            "requests": requests, "lost": requests - statuses[200], "statuses": dict(statuses)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--port", type=int, default=5098)
    ap.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    ap.add_argument("--nginx", action="store_true", help="through nginx in front of two backends, one killed")
    args = ap.parse_args()
    if args.nginx:
        result = run_nginx(args.clients, args.seconds, args.port, args.model)
        print(json.dumps(result, indent=2))
        raise SystemExit(0 if result["lost"] == 0 and result["requests"] > 0 else 1)
    result = run(args.clients, args.seconds, args.port, args.model)
    print(json.dumps(result, indent=2))
    # a gevent worker holds several clients' connections: each of those loses at most its request in flight
    ok = result["load"]["errors"] <= args.clients and result["replaced"] and result["after_kill"]["errors"] == 0
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
