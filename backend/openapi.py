"""GET /openapi.json: the API's contract, used by clients and by the fuzz tests."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("openapi", __name__)

ERROR_CODES = ["bad_request", "invalid_json", "invalid_content_type", "invalid_encoding", "invalid_type",
               "missing_field", "empty_text", "text_too_long", "k_out_of_range", "batch_too_large", "body_too_large",
               "not_found", "method_not_allowed", "unauthorized", "rate_limited", "http_error", "internal_error"]


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def document(max_chars: int, max_batch: int, n_labels: int) -> dict:
    k = {"type": "integer", "minimum": 1, "maximum": n_labels, "default": 5}
    text = {"type": "string", "minLength": 1, "maxLength": max_chars}
    lang = {"type": "string", "maxLength": 35, "example": "de",
            "description": "language of the emoji names (BCP 47, e.g. de, pt-BR); default: Accept-Language, "
                           "else English; a language without names gets English"}
    errors = {"400": _error("invalid input"), "401": _error("API key required"), "413": _error("body too large"),
              "415": _error("not JSON"), "429": _error("rate limited")}
    suggestions = {"type": "array", "items": {"$ref": "#/components/schemas/Suggestion"}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Emoji suggest", "version": "1.0.0",
                 "description": "Top-k emoji suggestions for a text, from a multilingual transformer."},
        "paths": {
            "/v1/suggest": {"post": {
                "summary": "Suggest emojis for one text",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["text"], "properties": {"text": text, "k": k, "lang": lang}}}}},
                "responses": {"200": {"description": "ranked suggestions", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["suggestions"],
                               "properties": {"suggestions": suggestions}}}}}, **errors}}},
            "/v1/suggest/batch": {"post": {
                "summary": "Suggest emojis for several texts, in input order",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["texts"], "properties": {
                        "texts": {"type": "array", "items": text, "minItems": 1, "maxItems": max_batch}, "k": k,
                        "lang": lang}}}}},
                "responses": {"200": {"description": "one result per text", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["results"], "properties": {"results": {
                        "type": "array", "items": {"type": "object", "required": ["suggestions"],
                                                   "properties": {"suggestions": suggestions}}}}}}}}, **errors}}},
            "/v1/labels": {"get": {"summary": "The emojis the model can suggest", "parameters": [
                {"name": "lang", "in": "query", "required": False, "schema": lang}], "responses": {"200": {
                "description": "label set", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["emojis"], "properties": {"emojis": {"type": "array", "items": {
                        "type": "object", "required": ["emoji", "name"],
                        "properties": {"emoji": {"type": "string"}, "name": {"type": "string"}}}}}}}}}}}},
            "/v1/health": {"get": {"summary": "Liveness and model information", "responses": {"200": {
                "description": "ok", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["status", "model"],
                    "properties": {"status": {"type": "string", "enum": ["ok"]}, "model": {"type": "object"}}}}}}}}},
        },
        "components": {"schemas": {
            "Suggestion": {"type": "object", "required": ["emoji", "name", "score"], "properties": {
                "emoji": {"type": "string"}, "name": {"type": "string"},
                "score": {"type": "number", "minimum": 0, "maximum": 1}}},
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string", "enum": ERROR_CODES}, "message": {"type": "string"}}}}},
        }},
    }


@bp.get("/openapi.json")
def openapi_json():
    s = current_app.config["SETTINGS"]
    n = len(current_app.extensions["emoji_predictor"].labels)
    return jsonify(document(s.max_text_chars, s.max_batch, n))
