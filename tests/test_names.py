"""Emoji names in the client's language: the API's ``lang`` field and Accept-Language, and the names file."""

import json
from pathlib import Path

import pytest

from backend.config import DEFAULT_MODEL_DIR
from backend.modeling.labels import NAMES_FILE, canonical_emoji, emoji_name, name_language, translated_names
from backend.testing import FAKE_LABELS


def names(suggestions):
    return {canonical_emoji(s["emoji"]): s["name"] for s in suggestions}


def test_every_label_of_the_default_has_a_name_in_every_language():
    labels = json.loads((DEFAULT_MODEL_DIR / "config.json").read_text(encoding="utf-8"))["id2label"].values()
    # every language the extension's interface speaks, and BRIGHTER's that CLDR names
    assert {"ar", "de", "es", "fr", "hi", "id", "it", "ja", "pt", "ru", "tr", "uk", "zh", "zh-Hant", "am", "sw",
            "ha", "yo", "so", "ti", "mr", "af", "ro", "sv"} <= set(translated_names())
    for language, table in translated_names().items():
        missing = [label for label in labels if canonical_emoji(label) not in table]
        assert missing == [], language
        assert all(name.strip() and "_" not in name for name in table.values()), language
    assert translated_names()["de"]["😂"] == "Gesicht mit Freudentränen"  # CLDR's own case, not lower-cased


def test_the_generator_reads_cldrs_packages(cldr_packages):
    from training.cldr import read_names
    from training.emoji_names import cldr_names

    def entry(name):
        return {"default": ["keyword"], "tts": [name]}

    paths = cldr_packages({
        "de": {"\u2764\ufe0f": entry("rotes Herz"), "😂": entry("Gesicht mit Freudentränen")},
        "de-CH": {"😂": entry("regional")}, "zh-Hant": {"\u2764": entry("紅心"), "😂": entry("喜極而泣")},
        "xx": {"😂": entry("only one")},
    }, {
        "de": {"🇺🇸": entry("Flagge: Vereinigte Staaten"), "👍🏻": entry("Daumen hoch: helle Hautfarbe")},
        "zh-Hant": {"🇺🇸": entry("旗子: 美國")}})
    tts = read_names(paths)
    assert tts["de"]["❤"] == "rotes Herz" and tts["de"]["🇺🇸"] == "Flagge: Vereinigte Staaten"
    assert "👍" not in tts["de"]  # a skin-tone variant does not name the plain emoji
    names = cldr_names(["❤", "😂", "🇺🇸", "🎉"], ["❤", "😂", "🇺🇸"], tts)
    # regional variants and languages that miss a required label are left out; optional labels may be missing
    assert names == {"de": {"❤": "rotes Herz", "😂": "Gesicht mit Freudentränen", "🇺🇸": "Flagge: Vereinigte Staaten"},
                     "zh-Hant": {"❤": "紅心", "😂": "喜極而泣", "🇺🇸": "旗子: 美國"}}


def test_the_names_file_is_what_the_generator_writes():
    from training.cldr import read_names, tarball_paths
    from training.emoji_names import cldr_names, vocabulary

    paths = tarball_paths(Path(__file__).resolve().parents[1] / ".cache" / "cldr")
    if not all(p.exists() for p in paths):
        pytest.skip("CLDR packages not fetched (make emoji-names fetches them)")
    assert json.loads(NAMES_FILE.read_text(encoding="utf-8")) == cldr_names(*vocabulary(), read_names(paths))


@pytest.mark.parametrize(("tag", "language"), [
    ("de", "de"), ("de-AT", "de"), ("pt-BR", "pt"), ("zh_CN", "zh"), ("ZH-hans", "zh"), ("en-US", "en"),
    ("hi", "hi"), ("uk-UA", "uk"), ("zh-TW", "zh-Hant"), ("zh-Hant-HK", "zh-Hant"), ("zh-hk", "zh-Hant"),
    ("sr-Latn-RS", "sr-Latn"), ("sr", "sr"), ("nb-NO", "no"), ("tl", "fil"), ("", "en"), (None, "en"),
    ("x-klingon", "en"), ("-", "en"),
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


@pytest.mark.parametrize(("header", "language"), [
    ("tlh, zh-TW;q=0.8, en;q=0.5", "zh-Hant"),  # the first language with names, in the header's order
    ("en-GB, de;q=0.8", "en"),  # English asked first stays English
    ("x-klingon, *;q=0.1", "en"),
])
def test_accept_language_takes_the_best_language_with_names(client, header, language):
    answer = client.post("/v1/suggest", json={"text": "hello", "k": 3}, headers={"Accept-Language": header})
    assert all(s["name"] == emoji_name(s["emoji"], language) for s in answer.get_json()["suggestions"])
    assert language == "en" or emoji_name(FAKE_LABELS[0], language) != emoji_name(FAKE_LABELS[0])


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
