"""The /v1 JSON API: suggestions for one text or a batch, the label set, health."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from .modeling.labels import display_emoji, emoji_name
from .predictor import Predictor
from .validation import batch_request, json_body, suggest_request

bp = Blueprint("v1", __name__, url_prefix="/v1")


def predictor() -> Predictor:
    return current_app.extensions["emoji_predictor"]


@bp.post("/suggest")
def suggest():
    settings = current_app.config["SETTINGS"]
    p = predictor()
    text, k = suggest_request(json_body(request), settings.max_text_chars, len(p.labels))
    return jsonify({"suggestions": p.suggest([text], k)[0]})


@bp.post("/suggest/batch")
def suggest_batch():
    settings = current_app.config["SETTINGS"]
    p = predictor()
    texts, k = batch_request(json_body(request), settings.max_text_chars, settings.max_batch, len(p.labels))
    return jsonify({"results": [{"suggestions": s} for s in p.suggest(texts, k)]})


@bp.get("/labels")
def labels():
    return jsonify({"emojis": [{"emoji": display_emoji(e), "name": emoji_name(e)} for e in predictor().labels]})


@bp.get("/health")
def health():
    return jsonify({"status": "ok", "model": predictor().info()})
