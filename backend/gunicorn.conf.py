"""gunicorn settings for ``make serve``: sync workers, each loading the model once (no preload: torch
threads and fork do not mix), sized and bound from the environment."""

import os

# Several workers share the cores: OpenMP threads that spin-wait after each request would steal them from the
# other workers (measured at 8 clients: 10 requests/s with libgomp's default spinning, 42 with
# GOMP_SPINCOUNT=20000, 92 when passive; README, "Speed").
# Setting GOMP_SPINCOUNT (spins before sleeping) replaces this default.
if "GOMP_SPINCOUNT" not in os.environ:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
threads = 1
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
preload_app = False
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = 50
accesslog = None  # the app logs its own access lines, without user text
loglevel = os.environ.get("LOG_LEVEL", "info")
wsgi_app = "backend.wsgi:app"
