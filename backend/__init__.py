"""Emoji suggestion backend: a Flask application factory serving the fine-tuned multilingual classifier."""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request
from flask_cors import CORS

from .config import Settings
from .predictor import Predictor

log = logging.getLogger("backend.access")

EXTENSION_ORIGINS = [r"^chrome-extension://[a-p]{32}$", r"^moz-extension://[0-9a-f-]{36}$"]
DEMO_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"


def create_app(settings: Settings | None = None, predictor: Predictor | None = None) -> Flask:
    """Build the app. Without a predictor the model in ``settings.model_dir`` is loaded (once, here)."""
    from . import api, demo, openapi
    from .errors import register_error_handlers
    from .guard import install_guards

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False  # emojis as UTF-8, not \\ud83d escapes
    if predictor is None:  # the exported graphs without torch when the folder has them (backend.predictor)
        from .predictor import load_predictor

        predictor = load_predictor(settings)
    app.extensions["emoji_predictor"] = predictor
    if settings.trusted_proxies:  # behind N proxies: the client address is the one the Nth proxy saw
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies,
                                x_host=0, x_port=0, x_prefix=0)

    CORS(app, resources={r"/v1/*": {"origins": EXTENSION_ORIGINS + settings.cors_origins}},
         allow_headers=["Content-Type", "Authorization"], expose_headers=["Retry-After"], max_age=600)
    install_guards(app, settings)
    register_error_handlers(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(demo.bp)
    app.register_blueprint(openapi.bp)

    @app.before_request
    def _start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def _headers_and_log(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        if resp.mimetype == "text/html":
            resp.headers.setdefault("Content-Security-Policy", DEMO_CSP)
            resp.headers.setdefault("X-Frame-Options", "DENY")
        # Access log without user text: method, path, status, size and time only.
        ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log.info("%s %s %s %dB %.1fms", request.method, request.path, resp.status_code,
                 request.content_length or 0, ms)
        return resp

    return app
