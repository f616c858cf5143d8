"""Emoji names in the client's language: the API's ``lang`` field and Accept-Language, and the names file."""

import json

import pytest

from backend.config import DEFAULT_MODEL_DIR
from backend.modeling.labels import NAMES_FILE, canonical_emoji, emoji_name, name_language, translated_names
from backend.testing import FAKE_LABELS


def names(suggestions):
    return {canonical_emoji(s["emoji"]): s["name"] for s in suggestions}


def test_every_label_of_the_default_has_a_name_in_every_language():
    labels = json.loads((DEFAULT_MODEL_DIR / "config.json").read_text(encoding="utf-8"))["id2label"].values()
    assert {"de", "es", "fr", "ja", "ru", "zh", "ar", "tr", "pt", "it", "id"} <= set(translated_names())
    for language, table in translated_names().items():
        missing = [label for label in labels if canonical_emoji(label) not in table]
        assert missing == [], language
        assert all(name.strip() and ":" not in name and "_" not in name for name in table.values()), language


def test_the_names_file_is_what_the_generator_writes():
    pytest.importorskip("emoji")
    from training.emoji_names import cldr_names, vocabulary

    assert json.loads(NAMES_FILE.read_text(encoding="utf-8")) == cldr_names(vocabulary())


@pytest.mark.parametrize(("tag", "language"), [
    ("de", "de"), ("de-AT", "de"), ("pt-BR", "pt"), ("zh_CN", "zh"), ("ZH-hans", "zh"), ("en-US", "en"),
    ("hi", "en"), ("", "en"), (None, "en"), ("x-klingon", "en"),
])
def test_a_language_tag_names_its_language_or_english(tag, language):
    assert name_language(tag) == language


def test_names_fall_back_to_english():
    assert emoji_name("🎄", "de") == translated_names()["de"]["🎄"] != emoji_name("🎄")
    assert emoji_name("🎄", "xx") == emoji_name("🎄") == "Christmas tree"
    assert emoji_name("\U0001fae8", "de") == emoji_name("\U0001fae8")  # a label no language has: Unicode's name


def test_suggest_names_emojis_in_the_asked_language(client):
    english = client.post("/v1/suggest", json={"text": "hello there", "k": len(FAKE_LABELS)}).get_json()
    german = client.post("/v1/suggest", json={"text": "hello there", "k": len(FAKE_LABELS), "lang": "de-DE"}).get_json()
    assert [s["emoji"] for s in german["suggestions"]] == [s["emoji"] for s in english["suggestions"]]
    assert [s["score"] for s in german["suggestions"]] == [s["score"] for s in english["suggestions"]]
    assert names(german["suggestions"]) == {label: translated_names()["de"][label] for label in FAKE_LABELS}
    assert names(english["suggestions"]) == {label: emoji_name(label) for label in FAKE_LABELS}


def test_accept_language_names_the_emojis_when_the_body_does_not(client):
    headers = {"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"}
    answer = client.post("/v1/suggest", json={"text": "hello", "k": 3}, headers=headers).get_json()
    assert all(s["name"] == translated_names()["ja"][canonical_emoji(s["emoji"])] for s in answer["suggestions"])
    answer = client.post("/v1/suggest", json={"text": "hello", "k": 3, "lang": "fr"}, headers=headers).get_json()
    assert all(s["name"] == translated_names()["fr"][canonical_emoji(s["emoji"])] for s in answer["suggestions"])
    batch = client.post("/v1/suggest/batch", json={"texts": ["a", "bb"], "k": 2}, headers=headers).get_json()
    for result in batch["results"]:
        assert all(s["name"] == translated_names()["ja"][canonical_emoji(s["emoji"])] for s in result["suggestions"])


def test_labels_in_a_language(client):
    emojis = client.get("/v1/labels?lang=ru").get_json()["emojis"]
    assert [e["name"] for e in emojis] == [translated_names()["ru"][label] for label in FAKE_LABELS]
    emojis = client.get("/v1/labels", headers={"Accept-Language": "es"}).get_json()["emojis"]
    assert [e["name"] for e in emojis] == [translated_names()["es"][label] for label in FAKE_LABELS]


@pytest.mark.parametrize("lang", [5, ["de"], {"x": 1}, "d" * 36, True])
def test_a_bad_lang_is_a_400(client, lang):
    resp = client.post("/v1/suggest", json={"text": "hello", "lang": lang})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_type"
    resp = client.post("/v1/suggest/batch", json={"texts": ["hello"], "lang": lang})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_type"


def test_a_too_long_lang_query_is_a_400(client):
    resp = client.get("/v1/labels?lang=" + "d" * 36)
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_type"
