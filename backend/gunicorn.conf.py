"""gunicorn settings for ``make serve`` and the image: workers each loading the model once (no preload: ONNX
Runtime's and torch's thread pools and fork do not mix), sized and bound from the environment. Every setting is
checked here, in the master, before any worker starts: a bad one stops the server with one line."""

import os
import tempfile

from backend.config import Settings, server_env
from backend.predictor import exported_folder

_server = server_env()
# the workers share one rate-limit file (backend/guard.py): a fresh one per server, unless the setting names one
_own_rate_file = not os.environ.get("EMOJI_RATE_LIMIT_FILE")
if _own_rate_file:
    _fd, os.environ["EMOJI_RATE_LIMIT_FILE"] = tempfile.mkstemp(prefix="emoji-rate-", suffix=".sqlite3")
    os.close(_fd)


def on_exit(server):  # the server's own rate-limit file goes with it
    if _own_rate_file:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(os.environ["EMOJI_RATE_LIMIT_FILE"] + suffix)
            except OSError:
                pass
if exported_folder(Settings.from_env()) is not None:  # checks the model can be served here (graphs, or torch)
    from backend.exported import preload

    preload()  # the tokenizer, once for all workers: each starts in about a second less

# Several workers share the cores: OpenMP threads that spin-wait after each request would steal them from the
# other workers (measured: docs/serving.md).
# Setting GOMP_SPINCOUNT (spins before sleeping) replaces this default.
if "GOMP_SPINCOUNT" not in os.environ:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

bind = f"{_server['host']}:{_server['port']}"
workers = _server["workers"]
# gevent workers: a connection waiting for a slow client's headers or body costs a greenlet, not the worker;
# sync and gthread workers were measured stalling behind trickling clients (docs/deploy.md). The model still
# runs one text at a time per worker (the predictor's lock).
worker_class = "gevent"
worker_connections = 1000  # open connections per worker; beyond them, behind a proxy (deploy/) is the answer
timeout = _server["timeout"]
graceful_timeout = 10
preload_app = False
max_requests = _server["max_requests"]
max_requests_jitter = 50
accesslog = None  # the app logs its own access lines, without user text
# no gunicornc control socket: it would go to ~/.gunicorn (one path for every server of a user, and not writable
# in the image's read-only deployments); servers are managed by signals and their supervisor
control_socket_disable = True
loglevel = _server["log_level"]
wsgi_app = "backend.wsgi:app"
