"""The /v1 JSON API: suggestions for one text or a batch, the label set, health."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from .predictor import Predictor, shown
from .validation import batch_request, json_body, requested_language, suggest_request

bp = Blueprint("v1", __name__, url_prefix="/v1")


def predictor() -> Predictor:
    return current_app.extensions["emoji_predictor"]


@bp.post("/suggest")
def suggest():
    settings = current_app.config["SETTINGS"]
    p = predictor()
    body = json_body(request)
    text, k = suggest_request(body, settings.max_text_chars, len(p.labels))
    return jsonify({"suggestions": p.suggest([text], k, requested_language(request, body.get("lang")))[0]})


@bp.post("/suggest/batch")
def suggest_batch():
    settings = current_app.config["SETTINGS"]
    p = predictor()
    body = json_body(request)
    texts, k = batch_request(body, settings.max_text_chars, settings.max_batch, len(p.labels))
    language = requested_language(request, body.get("lang"))
    return jsonify({"results": [{"suggestions": s} for s in p.suggest(texts, k, language)]})


@bp.get("/labels")
def labels():
    language = requested_language(request, request.args.get("lang"))
    return jsonify({"emojis": [{"emoji": emoji, "name": name} for e in predictor().labels
                               for emoji, name in [shown(e, language)]]})


@bp.get("/health")
def health():
    return jsonify({"status": "ok", "model": predictor().info()})
