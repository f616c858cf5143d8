"""The /v1 contract over good and bad inputs, with a fake predictor (the real model has its own tests)."""

import json
import logging

import pytest

from backend.testing import FAKE_LABELS


def assert_error(resp, status, code):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.is_json
    body = resp.get_json()
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def test_suggest_returns_k_distinct_ranked_emojis(client):
    resp = client.post("/v1/suggest", json={"text": "I love you so much"})
    assert resp.status_code == 200
    sugg = resp.get_json()["suggestions"]
    assert len(sugg) == 5
    assert len({s["emoji"] for s in sugg}) == 5
    scores = [s["score"] for s in sugg]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)
    assert all(s["name"] for s in sugg)


@pytest.mark.parametrize("k", [1, 3, len(FAKE_LABELS)])
def test_k_is_respected(client, k):
    resp = client.post("/v1/suggest", json={"text": "hello", "k": k})
    assert resp.status_code == 200
    assert len(resp.get_json()["suggestions"]) == k


def test_emojis_are_utf8_not_escaped(client):
    resp = client.post("/v1/suggest", json={"text": "hello", "k": len(FAKE_LABELS)})
    assert "😂".encode() in resp.data


def test_batch_keeps_input_order(client, fake_predictor):
    texts = ["a", "bbbb", "cc"]
    resp = client.post("/v1/suggest/batch", json={"texts": texts, "k": 2})
    assert resp.status_code == 200
    results = resp.get_json()["results"]
    assert len(results) == 3
    singles = [client.post("/v1/suggest", json={"text": t, "k": 2}).get_json()["suggestions"] for t in texts]
    assert [r["suggestions"] for r in results] == singles


def test_labels_and_health(client):
    emojis = client.get("/v1/labels").get_json()["emojis"]
    assert [e["emoji"].replace("\ufe0f", "") for e in emojis] == FAKE_LABELS
    assert all(e["name"] for e in emojis)
    health = client.get("/v1/health")
    assert health.status_code == 200 and health.get_json()["status"] == "ok"


@pytest.mark.parametrize("body,code", [
    ({}, "missing_field"),
    ({"text": ""}, "empty_text"),
    ({"text": "   \n"}, "empty_text"),
    ({"text": 5}, "invalid_type"),
    ({"text": None}, "invalid_type"),
    ({"text": ["a"]}, "invalid_type"),
    ({"text": "hi", "k": 0}, "k_out_of_range"),
    ({"text": "hi", "k": len(FAKE_LABELS) + 1}, "k_out_of_range"),
    ({"text": "hi", "k": -3}, "k_out_of_range"),
    ({"text": "hi", "k": "5"}, "invalid_type"),
    ({"text": "hi", "k": 2.5}, "invalid_type"),
    ({"text": "hi", "k": True}, "invalid_type"),
    ({"text": "a\x00b"}, "invalid_encoding"),
])
def test_suggest_rejects_bad_fields(client, body, code):
    assert_error(client.post("/v1/suggest", json=body), 400, code)


def test_body_must_be_an_object(client):
    for body in ("[1, 2]", '"text"', "3", "null"):
        assert_error(client.post("/v1/suggest", data=body, content_type="application/json"), 400, "invalid_type")


def test_text_length_limit_is_configurable(make_client):
    client = make_client(max_text_chars=10)
    assert client.post("/v1/suggest", json={"text": "x" * 10}).status_code == 200
    assert_error(client.post("/v1/suggest", json={"text": "x" * 11}), 400, "text_too_long")


@pytest.mark.parametrize("body,code", [
    ({}, "missing_field"),
    ({"texts": "a"}, "invalid_type"),
    ({"texts": []}, "empty_text"),
    ({"texts": ["ok", ""]}, "empty_text"),
    ({"texts": ["ok", 3]}, "invalid_type"),
    ({"texts": ["x"] * 65}, "batch_too_large"),
    ({"texts": ["ok"], "k": 0}, "k_out_of_range"),
])
def test_batch_rejects_bad_input(client, body, code):
    assert_error(client.post("/v1/suggest/batch", json=body), 400, code)


def test_broken_json_wrong_type_and_encoding(client):
    assert_error(client.post("/v1/suggest", data="{nope", content_type="application/json"), 400, "invalid_json")
    assert_error(client.post("/v1/suggest", data="", content_type="application/json"), 400, "invalid_json")
    assert_error(client.post("/v1/suggest", data='{"text": "hi"}', content_type="text/plain"), 415,
                 "invalid_content_type")
    assert_error(client.post("/v1/suggest", data='{"text": "hi"}'), 415, "invalid_content_type")
    assert_error(client.post("/v1/suggest", data=b'{"text": "\xff\xfe"}', content_type="application/json"), 400,
                 "invalid_encoding")
    # a lone surrogate escaped in JSON is valid JSON but not text
    assert_error(client.post("/v1/suggest", data='{"text": "\\ud83d"}', content_type="application/json"), 400,
                 "invalid_encoding")
    deep = "[" * 100000 + "]" * 100000
    assert client.post("/v1/suggest", data=deep, content_type="application/json").status_code in (400, 413)


def test_body_too_large(make_client):
    client = make_client(max_body_bytes=1000)
    body = json.dumps({"text": "x" * 2000})
    assert_error(client.post("/v1/suggest", data=body, content_type="application/json"), 413, "body_too_large")


def test_unknown_routes_and_methods_answer_json(client):
    assert_error(client.get("/v2/nothing"), 404, "not_found")
    resp = client.get("/v1/suggest")
    assert_error(resp, 405, "method_not_allowed")
    assert "POST" in resp.headers["Allow"]
    assert_error(client.delete("/v1/labels"), 405, "method_not_allowed")


def test_unexpected_failure_is_a_json_500_without_details(make_client, fake_predictor):
    def boom(texts, k):
        raise RuntimeError("secret internals")

    fake_predictor.suggest = boom
    resp = make_client().post("/v1/suggest", json={"text": "hi"})
    assert_error(resp, 500, "internal_error")
    assert b"secret" not in resp.data


def test_cors_allows_extensions_and_configured_origins(make_client):
    client = make_client(cors_origins=["https://example.org"])
    for origin in ["chrome-extension://abcdefghijklmnopabcdefghijklmnop", "moz-extension://0b9f6a5e-1c1d-4c1e-9a8e-3f1f2f3f4f5f",
                   "https://example.org"]:
        resp = client.options("/v1/suggest", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                      "Access-Control-Request-Headers": "content-type"})
        assert resp.headers.get("Access-Control-Allow-Origin") == origin
    resp = client.post("/v1/suggest", json={"text": "hi"}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in resp.headers


def test_api_key_is_required_when_configured(make_client):
    client = make_client(api_key="s3cret")
    assert_error(client.post("/v1/suggest", json={"text": "hi"}), 401, "unauthorized")
    assert_error(client.post("/v1/suggest", json={"text": "hi"}, headers={"Authorization": "Bearer nope"}), 401,
                 "unauthorized")
    ok = client.post("/v1/suggest", json={"text": "hi"}, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200
    assert client.get("/").status_code == 200  # the demo page itself is public


def test_rate_limit_answers_429_with_retry_after(make_client):
    client = make_client(rate_limit=3)
    env = {"REMOTE_ADDR": "203.0.113.7"}
    codes = [client.post("/v1/suggest", json={"text": "hi"}, environ_base=env).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    resp = client.post("/v1/suggest", json={"text": "hi"}, environ_base=env)
    assert_error(resp, 429, "rate_limited")
    assert int(resp.headers["Retry-After"]) >= 1
    # localhost is exempt unless asked for
    local = [client.post("/v1/suggest", json={"text": "hi"}).status_code for _ in range(5)]
    assert local == [200] * 5


def test_demo_page_has_safe_headers(client):
    resp = client.get("/")
    assert resp.status_code == 200 and b"<textarea" in resp.data
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    with client.get("/static/demo.js") as static:  # a file response: closed, or a ResourceWarning
        assert static.status_code == 200


def test_no_request_text_in_logs(client, caplog):
    secret = "my very private message 4812"
    with caplog.at_level(logging.DEBUG):
        client.post("/v1/suggest", json={"text": secret})
        client.post("/v1/suggest", json={"text": secret, "k": 999})
        client.post("/v1/suggest/batch", json={"texts": [secret]})
        client.post("/v1/suggest", data=secret, content_type="application/json")
    assert caplog.records, "the access log should have lines"
    assert all(secret not in r.getMessage() for r in caplog.records)
    assert "4812" not in caplog.text


def test_openapi_document_describes_the_api(client):
    doc = client.get("/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/v1/suggest", "/v1/suggest/batch", "/v1/labels", "/v1/health"} <= set(doc["paths"])
    assert doc["paths"]["/v1/suggest"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "properties"]["k"]["maximum"] == len(FAKE_LABELS)
