"""Property-based fuzzing of the API (fake predictor): no input may cause a 5xx or break the contract."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.openapi import ERROR_CODES
from backend.testing import FAKE_LABELS

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10,
)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"text": json_values}, optional={"k": json_values}),
    st.fixed_dictionaries({"text": st.text(max_size=300)}, optional={"k": st.integers(-5, 30)}),
    st.fixed_dictionaries({"texts": st.lists(st.text(max_size=40), max_size=70)}, optional={"k": json_values}),
    st.fixed_dictionaries({"texts": json_values}),
)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def check_contract(resp, path, body):
    assert resp.status_code < 500, (path, body, resp.data)
    assert resp.is_json
    payload = resp.get_json()
    if resp.status_code == 200:
        if path == "/v1/suggest":
            results = [payload]
        else:
            results = payload["results"]
            assert len(results) == len(body["texts"])
        k = body.get("k", 5)
        for r in results:
            emojis = [s["emoji"] for s in r["suggestions"]]
            assert len(emojis) == len(set(emojis)) == k
            assert all(0 <= s["score"] <= 1 for s in r["suggestions"])
    else:
        assert 400 <= resp.status_code < 500
        assert payload["error"]["code"] in ERROR_CODES


@FUZZ
@given(body=bodies, path=st.sampled_from(["/v1/suggest", "/v1/suggest/batch"]))
def test_json_bodies_never_break_the_contract(client, body, path):
    check_contract(client.post(path, data=json.dumps(body), content_type="application/json"), path, body)


@FUZZ
@given(raw=st.binary(max_size=300), ctype=st.sampled_from([
    "application/json", "text/plain", "", "application/x-www-form-urlencoded", "application/json; charset=latin-1"]))
def test_raw_bytes_never_cause_a_server_error(client, raw, ctype):
    resp = client.post("/v1/suggest", data=raw, content_type=ctype)
    assert resp.status_code < 500
    assert resp.is_json


@FUZZ
@given(method=st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "POST"]),
       path=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="?#%"),
                    max_size=30))
def test_any_route_answers_json(client, method, path):
    # one leading slash: the test client would read "//x" as a host name, which no HTTP request line carries
    resp = client.open("/" + path.lstrip("/"), method=method)
    assert resp.status_code < 500
    if resp.status_code >= 400:
        assert resp.is_json


def test_k_upper_bound_is_the_label_count(client):
    ok = client.post("/v1/suggest", json={"text": "x", "k": len(FAKE_LABELS)})
    assert ok.status_code == 200


@FUZZ
@given(lang=json_values | st.text(max_size=40),
       header=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60))
def test_any_language_tag_or_header_names_the_emojis(client, lang, header):
    """``lang`` and Accept-Language name the emojis: any value gets names (English at worst) or a 400."""
    body = {"text": "hello there", "k": 3, "lang": lang}
    resp = client.post("/v1/suggest", json=body, headers={"Accept-Language": header})
    check_contract(resp, "/v1/suggest", body)
    if resp.status_code == 200:
        assert all(s["name"].strip() for s in resp.get_json()["suggestions"])
    resp = client.get("/v1/labels", query_string={"lang": lang if isinstance(lang, str) else ""},
                      headers={"Accept-Language": header})
    assert resp.status_code < 500 and resp.is_json
