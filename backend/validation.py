"""Request parsing and validation for the /v1 API; every failure is an ApiError with a 4xx status."""

from __future__ import annotations

import json
from typing import Any

from flask import Request

from .errors import ApiError
from .modeling.labels import name_language


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or a precise 4xx error."""
    if request.mimetype != "application/json":
        raise ApiError(415, "invalid_content_type", "send the body as application/json")
    raw = request.get_data(cache=True)
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_encoding", "the body is not valid UTF-8") from None
    try:
        body = json.loads(decoded)
    except (json.JSONDecodeError, RecursionError):
        raise ApiError(400, "invalid_json", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_type", "the body must be a JSON object")
    return body


def text_field(value: Any, max_chars: int, field: str = "text") -> str:
    if not isinstance(value, str):
        raise ApiError(400, "invalid_type", f"'{field}' must be a string")
    if "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ApiError(400, "invalid_encoding", f"'{field}' holds characters that are not valid text")
    if not value.strip():
        raise ApiError(400, "empty_text", f"'{field}' is empty")
    if len(value) > max_chars:
        raise ApiError(400, "text_too_long", f"'{field}' is longer than {max_chars} characters")
    return value


def k_field(body: dict[str, Any], n_labels: int) -> int:
    k = body.get("k", 5)
    if isinstance(k, bool) or not isinstance(k, int):
        raise ApiError(400, "invalid_type", "'k' must be an integer")
    if not 1 <= k <= n_labels:
        raise ApiError(400, "k_out_of_range", f"'k' must be between 1 and {n_labels}")
    return k


def requested_language(request: Request, tag: Any) -> str:
    """The language to name the emojis in: ``tag`` (the body's or the query's ``lang``, a BCP 47 tag such as
    ``de`` or ``pt-BR``), else the best of the Accept-Language header's, else English; a language without names
    gets English."""
    if tag is not None and (not isinstance(tag, str) or len(tag) > 35):
        raise ApiError(400, "invalid_type", "'lang' must be a language tag such as \"de\" or \"pt-BR\"")
    if tag:
        return name_language(tag)
    for value, _quality in request.accept_languages:  # best first
        language = name_language(value)
        if language != "en" or value.lower().replace("_", "-").split("-")[0] == "en":
            return language
    return "en"


def suggest_request(body: dict[str, Any], max_chars: int, n_labels: int) -> tuple[str, int]:
    if "text" not in body:
        raise ApiError(400, "missing_field", "'text' is required")
    return text_field(body["text"], max_chars), k_field(body, n_labels)


def batch_request(body: dict[str, Any], max_chars: int, max_batch: int, n_labels: int) -> tuple[list[str], int]:
    if "texts" not in body:
        raise ApiError(400, "missing_field", "'texts' is required")
    texts = body["texts"]
    if not isinstance(texts, list):
        raise ApiError(400, "invalid_type", "'texts' must be a list of strings")
    if not texts:
        raise ApiError(400, "empty_text", "'texts' is empty")
    if len(texts) > max_batch:
        raise ApiError(400, "batch_too_large", f"at most {max_batch} texts per request")
    return [text_field(t, max_chars, f"texts[{i}]") for i, t in enumerate(texts)], k_field(body, n_labels)
