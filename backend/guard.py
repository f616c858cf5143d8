"""Request guards run before every /v1 call: optional API key and a per-client rate limit.

The rate limit holds across all workers of one server: gunicorn (backend/gunicorn.conf.py) gives its workers one
SQLite file to keep the buckets in (``EMOJI_RATE_LIMIT_FILE``), so a client gets the configured rate from the
server, not that rate times the workers. Without a file (``python -m backend``, tests) the buckets live in the
process. Several servers behind a load balancer limit at the proxy instead (deploy/nginx/nginx.conf).
"""

from __future__ import annotations

import hmac
import math
import sqlite3
import threading
import time

from flask import Flask, request

from .config import Settings
from .errors import ApiError

LOCALHOST = {"127.0.0.1", "::1", "localhost"}


class RateLimiter:
    """A fixed-capacity token bucket per client address, refilled continuously (``per_minute`` a minute)."""

    def __init__(self, per_minute: int, max_clients: int = 10_000):
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, bucket: tuple[float, float] | None, now: float) -> tuple[float, float]:
        """A bucket's tokens after refilling until ``now`` and taking one if it can; and the seconds to wait
        (0 when the request may go ahead)."""
        tokens, last = bucket or (self.capacity, now)
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            return tokens - 1.0, 0.0
        return tokens, (1.0 - tokens) / self.rate

    def check(self, client: str, now: float | None = None) -> float:
        """0 when the request may go ahead, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._buckets) >= self.max_clients and client not in self._buckets:
                self._buckets.clear()  # bounded memory: forget everyone rather than grow without end
            tokens, wait = self.take(self._buckets.get(client), now)
            self._buckets[client] = (tokens, now)
            return wait


class SharedRateLimiter(RateLimiter):
    """The same buckets in a SQLite file that every worker of the server opens: one transaction per request
    (tens of microseconds). ``time.monotonic`` is the system's, so the workers agree on the clock."""

    def __init__(self, per_minute: int, path: str, max_clients: int = 10_000):
        super().__init__(per_minute, max_clients)
        self.path = path
        self._local = threading.local()  # a connection per thread (sqlite3 objects stay in their thread)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
            db.execute("PRAGMA synchronous=OFF")  # losing the counts in a crash only forgets a minute of history
            # Workers open the fresh file at once: switching it to WAL can fail at once with "database is locked"
            # (SQLite's busy timeout does not cover it), so retry; the table is made under a write lock, which
            # does wait its turn.
            for attempt in range(100):
                try:
                    db.execute("PRAGMA journal_mode=WAL")
                    break
                except sqlite3.OperationalError:
                    if attempt == 99:
                        raise
                    time.sleep(0.01)
            db.execute("BEGIN IMMEDIATE")
            db.execute("CREATE TABLE IF NOT EXISTS buckets (client TEXT PRIMARY KEY, tokens REAL, last REAL)")
            db.execute("COMMIT")
            self._local.db = db
        return db

    def check(self, client: str, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        db = self._db()
        db.execute("BEGIN IMMEDIATE")  # one worker at a time reads and writes a bucket
        try:
            row = db.execute("SELECT tokens, last FROM buckets WHERE client = ?", (client,)).fetchone()
            if row is None and db.execute("SELECT count(*) FROM buckets").fetchone()[0] >= self.max_clients:
                db.execute("DELETE FROM buckets")  # bounded, as in the process
            tokens, wait = self.take(row, now)
            db.execute("INSERT OR REPLACE INTO buckets VALUES (?, ?, ?)", (client, tokens, now))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return wait


def install_guards(app: Flask, settings: Settings) -> None:
    limiter = None
    if settings.rate_limit > 0:
        limiter = (SharedRateLimiter(settings.rate_limit, settings.rate_limit_file) if settings.rate_limit_file
                   else RateLimiter(settings.rate_limit))
    expected = settings.api_key.encode()

    @app.before_request
    def _guard():
        if not request.path.startswith("/v1/") or request.method == "OPTIONS":
            return None
        if expected:
            header = request.headers.get("Authorization", "")
            given = header[7:].encode() if header.startswith("Bearer ") else b""
            if not hmac.compare_digest(given, expected):
                raise ApiError(401, "unauthorized", "missing or wrong API key (Authorization: Bearer <key>)",
                               {"WWW-Authenticate": "Bearer"})
        if limiter is not None:
            client = request.remote_addr or "unknown"
            if client in LOCALHOST and not settings.rate_limit_localhost:
                return None
            wait = limiter.check(client)
            if wait > 0:
                raise ApiError(429, "rate_limited", "too many requests; retry later",
                               {"Retry-After": str(max(1, math.ceil(wait)))})
        return None
