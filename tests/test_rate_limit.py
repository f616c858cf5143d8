"""The rate limit holds across the workers of one server (backend.guard.SharedRateLimiter): processes that
share the file share each client's bucket; gunicorn with two workers lets a client through at the configured
rate, not twice it."""

import multiprocessing
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.traffic import free_port, request, wait_healthy

from backend.guard import RateLimiter, SharedRateLimiter

ROOT = Path(__file__).resolve().parent.parent


def allowed(path: str, n: int, queue) -> None:
    limiter = SharedRateLimiter(30, path)
    queue.put(sum(limiter.check("203.0.113.9", now=1000.0) == 0 for _ in range(n)))


def test_processes_sharing_the_file_share_the_bucket(tmp_path):
    path = str(tmp_path / "rate.sqlite3")
    queue = multiprocessing.get_context("spawn").Queue()
    workers = [multiprocessing.get_context("spawn").Process(target=allowed, args=(path, 25, queue)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert queue.get(timeout=5) + queue.get(timeout=5) == 30  # the bucket holds one minute's worth: 30


def first_check(path: str, barrier, queue) -> None:
    barrier.wait()
    try:
        queue.put(SharedRateLimiter(30, path).check("203.0.113.9", now=1000.0))
    except Exception as e:  # noqa: BLE001 - reported to the test
        queue.put(repr(e))


def test_workers_opening_a_fresh_file_at_once_all_answer(tmp_path):
    """gunicorn's workers meet the server's new, empty file at their first requests: none may fail there (a
    "database is locked" was a 500 for about 1 first request in 40)."""
    ctx = multiprocessing.get_context("fork")
    answers = []
    for attempt in range(60):
        path = str(tmp_path / f"rate{attempt}.sqlite3")
        Path(path).touch()  # as gunicorn.conf.py makes it
        barrier, queue = ctx.Barrier(6), ctx.Queue()
        workers = [ctx.Process(target=first_check, args=(path, barrier, queue)) for _ in range(6)]
        for w in workers:
            w.start()
        answers += [queue.get(timeout=30) for _ in workers]
        for w in workers:
            w.join(timeout=30)
    assert answers == [0.0] * 360


def test_shared_limiter_agrees_with_the_in_process_one(tmp_path):
    shared, local = SharedRateLimiter(6, str(tmp_path / "rate.sqlite3"), max_clients=3), RateLimiter(6, max_clients=3)
    times = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 5.0, 9.0, 20.0, 20.1]
    clients = ["a", "a", "b", "a", "a", "a", "a", "a", "c", "d", "a"]
    assert [shared.check(c, t) for c, t in zip(clients, times, strict=True)] == [
        local.check(c, t) for c, t in zip(clients, times, strict=True)]


@pytest.mark.slow
@pytest.mark.model
def test_gunicorn_workers_share_the_limit():
    port = free_port()
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "2", "EMOJI_RATE_LIMIT": "20",
           "EMOJI_RATE_LIMIT_LOCALHOST": "1", "EMOJI_TORCH_THREADS": "1"}
    env.pop("EMOJI_RATE_LIMIT_FILE", None)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "backend/gunicorn.conf.py"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_healthy(port, seconds=120, process=server)  # its one successful /v1/health takes a token too
        with ThreadPoolExecutor(20) as pool:  # at once, so the bucket's refill (1 every 3 s) barely counts
            statuses = list(pool.map(lambda i: request(port, "GET", "/v1/labels", timeout=30)[0], range(60)))
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    assert 15 <= statuses.count(200) <= 21  # 20 a minute, less the health check's, plus a refill at most
    assert statuses.count(429) == 60 - statuses.count(200)
