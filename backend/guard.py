"""Request guards run before every /v1 call: optional API key and a per-client rate limit."""

from __future__ import annotations

import hmac
import math
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

    def check(self, client: str, now: float | None = None) -> float:
        """0 when the request may go ahead, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                if len(self._buckets) >= self.max_clients and client not in self._buckets:
                    self._buckets.clear()  # bounded memory: forget everyone rather than grow without end
                self._buckets[client] = (tokens - 1.0, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / self.rate


def install_guards(app: Flask, settings: Settings) -> None:
    limiter = RateLimiter(settings.rate_limit) if settings.rate_limit > 0 else None
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
