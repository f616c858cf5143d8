"""Slow clients against the server as `make serve` and the image run it (gunicorn, gevent workers, no proxy):
64 connections that trickle their headers a line every half second must not keep other requests waiting.
With sync workers two such connections stalled everyone for the whole header timeout."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support.traffic import free_port, p99, probe, trickling_clients, wait_healthy

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.model]


@pytest.fixture(scope="module")
def server_port():
    port = free_port()
    env = {**os.environ, "PORT": str(port), "EMOJI_TORCH_THREADS": "1"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "backend/gunicorn.conf.py"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_healthy(port, seconds=120, process=server)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def test_64_trickling_clients_do_not_stall_the_server(server_port):
    with trickling_clients(server_port, n=64):
        latencies, failed = probe(server_port, n=50)
    assert failed == 0 and p99(latencies) < 1.0, f"p99 {p99(latencies):.3f} s, {failed} failed"


def test_the_server_still_answers_after_they_leave(server_port):
    latencies, failed = probe(server_port, n=10)
    assert failed == 0
