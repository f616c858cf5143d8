"""Bounded load test on loopback: 32 clients for 60 s against gunicorn as `make serve` runs it, with one
worker killed (SIGKILL) half-way. Passes when no request fails except those in flight on the killed worker,
and gunicorn has replaced it.

    python -m benchmarks.loadtest [--clients 32 --seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time

from backend.config import DEFAULT_MODEL_DIR
from benchmarks.bench import load, sample_texts, start_gunicorn, stop, worker_pids


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--port", type=int, default=5098)
    ap.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    args = ap.parse_args()
    result = run(args.clients, args.seconds, args.port, args.model)
    print(json.dumps(result, indent=2))
    # a sync worker handles one request at a time: at most one request is in flight on the killed worker
    ok = result["load"]["errors"] <= 1 and result["replaced"] and result["after_kill"]["errors"] == 0
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
