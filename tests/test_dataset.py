"""The wide-vocabulary dataset: emoji matching, the emotion mapping, and the build (tiny fake data + the real data)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.fake_data import FAKE_LABELS, GOEMOTIONS, make_fake_data

from backend.modeling.labels import (
    EMOTION_FAMILIES,
    MORE_FEELINGS,
    TWEETEVAL_EMOJIS,
    WIDE_EMOJIS,
    canonical_emoji,
    emoji_name,
)
from training.build_dataset import (
    FILES,
    build,
    collect_pairs,
    coverage,
    load_built,
    load_examples,
    load_pairs,
    load_validation,
    load_validation_by_language,
    load_validation_by_source,
    near_duplicate_key,
    to_dataset_dict,
    write,
)
from training.data import DEFAULT_DATA_DIR, read_lines
from training.sources import (
    AFFECT_EMOTIONS,
    BRIGHTER_EMOTIONS,
    EMOJISPACE_WEIGHT,
    EMOTION_EMOJI,
    EMOTION_PAIR_EMOJI,
    IRONY_EMOJI,
    TWEETEVAL_EMOTIONS,
    XED_EMOTIONS,
    clean_text,
    emotion_emojis,
    find_emojis,
    strip_emojis,
    text_problem,
    tweeteval_emoji,
)

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------------------------
# Emoji matching
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "emojis", "left"),
    [
        ("I ❤️ you ❤ so much", ["❤"], "I you so much"),  # with and without U+FE0F: one label
        ("Go team USA 🇺🇸🇺🇸 !!", ["🇺🇸"], "Go team USA !!"),  # a flag is a regional-indicator pair
        ("Vamos 🇪🇸🇦🇷", ["🇪🇸", "🇦🇷"], "Vamos"),
        ("family day 👨‍👩‍👧‍👦 at the park", ["👨‍👩‍👧‍👦"], "family day at the park"),  # ZWJ sequence, whole
        ("pride 🏳️‍🌈 month", ["🏳‍🌈"], "pride month"),
        ("why though 🤦🏽‍♀️🤦‍♂️", ["🤦"], "why though"),  # skin tone dropped, gender folded into the person
        ("nice one 👍🏽👍🏿👍", ["👍"], "nice one"),  # skin tones: one label
        ("call me at 7️⃣ ok", ["7⃣"], "call me at ok"),  # keycap, digit included
        ("scotland 🏴󠁧󠁢󠁳󠁣󠁴󠁿 forever", ["🏴󠁧󠁢󠁳󠁣󠁴󠁿"], "scotland forever"),  # subdivision flag (tag sequence)
        ("I can't 😂😂😭 lol", ["😂", "😭"], "I can't lol"),  # distinct, in order of appearance
        ("وصلنا😂 يا متعلمين", ["😂"], "وصلنا يا متعلمين"),
        ("It's sunny ☀️ today ☀", ["☀"], "It's sunny today"),
        ("café © 2017 Brand™ 100% 3/4 #1", [], "café © 2017 Brand™ 100% 3/4 #1"),  # not emojis
        ("stray 🇺 letter and 🏽 tone", [], "stray letter and tone"),  # debris goes, no label
    ],
)
def test_emojis_are_found_as_labels_and_cut_out(text: str, emojis: list[str], left: str):
    assert find_emojis(text) == emojis
    assert strip_emojis(text) == left
    assert all(e == canonical_emoji(e) for e in emojis)


def test_clean_text_decodes_entities_and_normalises_like_serving():
    assert clean_text("Tom &amp; Jerry 😂 @Bob https://t.co/x") == "Tom & Jerry @user http"
    assert clean_text(" love ️ you ") == "love you"  # a stray U+FE0F left where the label emoji was cut out


def test_too_short_texts_and_checkin_captions_make_no_example():
    assert text_problem(clean_text("😂😂😂")) == "too little text"
    assert text_problem(clean_text("@bob 😂 ok")) == "too little text"
    assert text_problem("@ Disneyland") == "location check-in only"
    assert text_problem("@user @ Long Beach, California") == "location check-in only"
    assert text_problem("(at @user in Las Vegas, NV)") == "location check-in only"
    assert text_problem("Where dreams come true @ Disneyland") == ""
    assert text_problem("lol yes") == ""


def test_near_duplicates_share_a_key():
    assert near_duplicate_key("RT @user: Love THIS!!! http") == near_duplicate_key("love this")
    assert near_duplicate_key("love this") != near_duplicate_key("love that")


# ---------------------------------------------------------------------------------------------------------------
# Emotions -> emojis
# ---------------------------------------------------------------------------------------------------------------


def test_every_emotion_of_every_source_maps_to_a_vocabulary_emoji():
    assert len(AFFECT_EMOTIONS) == 11 and len(TWEETEVAL_EMOTIONS) == 4
    assert set(TWEETEVAL_EMOTIONS) <= set(AFFECT_EMOTIONS) <= set(EMOTION_EMOJI)
    assert set(BRIGHTER_EMOTIONS) | set(XED_EMOTIONS) <= set(EMOTION_EMOJI)
    assert set(GOEMOTIONS) - set(EMOTION_EMOJI) == {"realization"}  # no emoji says "I just realised"
    mapped = list(EMOTION_EMOJI.values()) + [e for _, e in EMOTION_PAIR_EMOJI.values()] + [IRONY_EMOJI]
    assert all(canonical_emoji(e) == e and e in WIDE_EMOJIS for e in mapped)
    # the six basic emotions each land in their own family, so "the right feeling" is learnable
    for emotion in BRIGHTER_EMOTIONS:
        assert EMOTION_EMOJI[emotion] in EMOTION_FAMILIES[emotion], emotion


def test_every_feeling_has_at_least_two_vocabulary_emojis():
    feelings = {**{k: set(v) for k, v in EMOTION_FAMILIES.items()}, **{k: set(v) for k, v in MORE_FEELINGS.items()}}
    assert set(feelings) >= {"joy", "love", "sadness", "anger", "fear", "disgust", "surprise", "gratitude",
                             "celebration"}
    for feeling, family in feelings.items():
        assert len(family & set(WIDE_EMOJIS)) >= 2, feeling
    assert len(WIDE_EMOJIS) >= 64
    assert {"🎉", "💔", "😠", "😤", "🤣", "🤔", "😳", "👏", "👍"} <= set(WIDE_EMOJIS)


def test_several_emotions_give_several_examples_and_dyads():
    assert emotion_emojis(["disgust", "anger"]) == ["😡", "🤢", "🙄"]
    assert emotion_emojis(["sadness"]) == ["😢"]
    assert emotion_emojis([]) == []


@pytest.mark.skipif(not (DEFAULT_DATA_DIR / "tweeteval" / "emotion").is_dir(), reason="../shared/data is absent")
def test_tweeteval_emotion_mapping_file_matches():
    names = [line.split("\t")[-1] for line in read_lines(DEFAULT_DATA_DIR / "tweeteval" / "emotion" / "mapping.txt")]
    assert tuple(names) == TWEETEVAL_EMOTIONS


def test_vocabulary_is_wide_named_and_keeps_tweeteval_ids():
    assert len(WIDE_EMOJIS) >= 40 and len(set(WIDE_EMOJIS)) == len(WIDE_EMOJIS)
    assert WIDE_EMOJIS[:20] == TWEETEVAL_EMOJIS
    assert all(canonical_emoji(e) == e for e in WIDE_EMOJIS)
    assert all(emoji_name(e) and emoji_name(e) != e for e in WIDE_EMOJIS)
    assert emoji_name("🎶") == "musical notes"


# ---------------------------------------------------------------------------------------------------------------
# The build, on a tiny fake data folder in the TweetEval layout
# ---------------------------------------------------------------------------------------------------------------

@pytest.fixture
def fake_data(tmp_path: Path) -> Path:
    return make_fake_data(tmp_path / "data")


def test_fake_build_maps_splits_and_dedups(fake_data: Path, monkeypatch: pytest.MonkeyPatch):
    real_read_text, real_open = Path.read_text, Path.open

    def guard(path: Path) -> None:
        assert not ("emoji" in path.parts and path.name.startswith("test_")), f"the build read {path}"

    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: (guard(self), real_read_text(self, *a, **k))[1])
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: (guard(self), real_open(self, *a, **k))[1])
    built = build(fake_data, FAKE_LABELS, min_count=0)
    rows = {(ex.text, ex.label, ex.source) for ex in built.train}
    val = {(ex.text, ex.label, ex.source) for ex in built.validation}
    assert ("Best. Day. Ever & more", "❤", "tweeteval-emoji") in rows  # HTML entity decoded
    assert ("I am so angry right now", "😡", "tweeteval-emotion") in rows | val
    assert ("feeling blue today", "😭", "tweeteval-emotion:emojis") in rows | val  # its own emoji, cut out
    texts_of = {}
    for text, label, _ in rows | val:
        texts_of.setdefault(text, set()).add(label)
    assert texts_of["this is disgusting and infuriating"] == {"😡", "🤢", "🙄"}  # anger + disgust (+ contempt)
    assert texts_of["boo! that scared me"] == {"😱", "🤝"}
    assert texts_of["what a lovely surprise"] == {"😊", "🥰", "😮", "😍"}
    assert texts_of["irony tweet with an eye roll"] == {"🙄", "🙃"}  # irony label 1 -> 🙃
    assert texts_of["hate tweet with an eye roll"] == {"🙄"}  # hate labels are never emoji labels
    assert "plain tweet" not in texts_of and "arabic sin emoji" not in texts_of
    assert texts_of["arabic tweet yay"] == {"🎉"}
    assert not any("Disneyland" in t for t in texts_of)  # check-in caption
    assert built.stats["dropped"]["location check-in only"] == 1
    # TweetEval val stays validation and pulls its near-duplicates with it; TweetEval train stays train.
    val_texts = {t for t, _, _ in val}
    assert {"Christmas tree up", "love u", "SHARED text!!", "shared text"} <= val_texts
    assert {"Merry Christmas everyone", "love you mom", "so funny lol"} <= {t for t, _, _ in rows}
    # "love you mom!" (SemEval) is a near-duplicate of "love you mom" (TweetEval train) with the same label: one row.
    assert sum(1 for t, label, _ in rows | val if near_duplicate_key(t) == "love you mom" and label == "❤") == 1
    assert not {near_duplicate_key(t) for t, _, _ in rows} & {near_duplicate_key(t) for t in val_texts}
    assert {ex.language for ex in built.train + built.validation} >= {"en", "es", "ar", "hi"}
    assert "NEVER READ THIS" not in json.dumps([ex.text for ex in built.train + built.validation])


def test_fake_build_reads_every_multilingual_source(fake_data: Path):
    built = build(fake_data, FAKE_LABELS + ["😠", "🌹", "😎", "😳", "💔", "👏"], min_count=0)
    rows = built.train + built.validation
    by_text: dict[str, set[tuple[str, str, str]]] = {}
    for ex in rows:
        by_text.setdefault(ex.text, set()).add((ex.label, ex.source, ex.language))
    # Emojispace: placeholders become the project's own, ♥ folds into ❤, rows weigh EMOJISPACE_WEIGHT
    assert by_text["@user que rabia me da http"] == {("😠", "emojispace", "es")}
    assert by_text["te quiero 0 veces"] == {("❤", "emojispace", "es")}
    assert {ex.weight for ex in rows if ex.source == "emojispace"} == {EMOJISPACE_WEIGHT}
    assert {ex.weight for ex in rows if ex.source != "emojispace"} == {1.0}
    # BRIGHTER: each emotion marked through the one mapping; no emotion, no example; dev is validation
    assert by_text["Ich bin so wütend auf dich"] == {("😡", "brighter:emotion", "de")}
    assert {label for label, _, _ in by_text["Was für eine Überraschung"]} == {"😊", "😮"}
    assert "Nichts Besonderes heute" not in by_text
    assert any(ex.text == "Ekelhaft, einfach ekelhaft" and ex.label == "🤢" for ex in built.validation)
    # GoEmotions: gratitude -> 🙏, excitement -> 🎉 and pride -> 🙌 (out of this fake vocabulary: dropped)
    assert {label for label, _, _ in by_text["Thank you so much for this!"]} == {"🙏"}
    assert {label for label, _, _ in by_text["I just realised it is Monday"]} == {"😮"}  # realization has none
    assert any(ex.text == "I miss her every day" and ex.label == "💔" for ex in built.validation)
    # XED: Plutchik ids; the ♪ of a song is no emoji label
    assert {label for label, _, _ in by_text["Get out of my house!"]} == {"😡", "😱"}
    assert by_text["Raus aus meinem Haus!"] == {("😡", "xed:emotion", "de")}
    assert not any(ex.label == "♪" or ex.source == "xed:emojis" for ex in rows)
    # tweets that carry their emojis; their dev / validation files are validation
    assert by_text["@user çok güzel"] == {("😂", "offenseval2020-tr", "tr")}
    assert by_text["صباح الخير"] == {("🌹", "offenseval2020-ar", "ar")}
    assert any(ex.text == "مساء الخير" and ex.label == "❤" for ex in built.validation)
    assert any(ex.text == "que saudade" and ex.label == "😭" for ex in built.validation)
    assert by_text["olha quem chegou"] == {("😍", "told-br", "pt")}
    assert by_text["Schönes Wetter heute"] == {("😎", "germeval2018", "de")}
    # E-c in Spanish and Arabic: fear -> 😱, dev in validation
    assert any(ex.text == "qué miedo dev es" and ex.label == "😱" for ex in built.validation)
    assert any(ex.text == "qué miedo train ar" and ex.label == "😱" for ex in built.train)


def test_the_sources_own_dev_splits_are_the_validation_part(fake_data: Path):
    built = build(fake_data, FAKE_LABELS + ["😠", "🌹", "😎", "💔"], min_count=0, validation_percent=0)
    val = {(ex.source.split(":")[0], ex.text) for ex in built.validation}
    assert {s for s, _ in val} == {"tweeteval-emoji", "tweeteval-emotion", "semeval2018-affect", "tweeteval-irony",
                                   "tweeteval-hate", "tweeteval-offensive", "brighter", "goemotions",
                                   "offenseval2020-ar", "told-br"}
    assert not any(t.startswith("qué miedo train") for _, t in val)


def test_parallel_pairs_are_read_and_split_by_their_english_side(fake_data: Path, tmp_path: Path):
    pairs = collect_pairs(fake_data)
    assert {(p.english, p.translation, p.language) for p in pairs} == {
        ("What happened to you?", "Was ist mit dir passiert?", "de"),
        ("Business is lousy.", "Das Geschäft läuft sehr schlecht.", "de"),
        ("I miss her", "Я скучаю по ней", "ru"),
        ("I am so happy", "Aku senang sekali", "indonesian"), ("I am so happy", "Aku seneng banget", "javanese")}
    built = build(fake_data, FAKE_LABELS, min_count=0)
    write(built, tmp_path / "ds", pairs)
    loaded = load_pairs(tmp_path / "ds")
    assert set(loaded) == {"train", "validation"}
    assert len(loaded["train"]) + len(loaded["validation"]) == len(pairs)
    for p in pairs:  # one English sentence: all its translations on one side
        sides = {name for name, part in loaded.items() if p.english in part["english"]}
        assert len(sides) == 1


def test_the_dataset_is_a_datasets_object_with_its_labels(fake_data: Path, tmp_path: Path):
    built = build(fake_data, FAKE_LABELS, min_count=0)
    write(built, tmp_path / "ds")
    ds = load_examples(tmp_path / "ds")
    assert set(ds) == {"train", "validation"}
    assert ds["train"].features["label"].names == FAKE_LABELS  # the vocabulary travels with the data
    assert ds["train"].column_names == ["text", "label", "source", "language", "weight"]
    assert len(ds["train"]) == len(built.train)
    by_source = load_validation_by_source(tmp_path / "ds")
    assert sum(len(s) for s in by_source.values()) == len(built.validation) and "brighter" in by_source


def test_sources_that_may_not_be_redistributed_stay_out_of_the_published_copy(fake_data: Path):
    built = build(fake_data, FAKE_LABELS, min_count=0)
    published = to_dataset_dict(built, publishable_only=True)
    everything = to_dataset_dict(built)
    sources = set(published["train"]["source"]) | set(published["validation"]["source"])
    assert not any(s.startswith(("semeval2018-affect", "offenseval2020")) for s in sources)
    assert any(s.startswith("semeval2018-affect") for s in everything["train"]["source"])
    assert {"brighter:emotion", "emojispace"} <= set(published["train"]["source"])


def test_coverage_counts_only_texts_that_carried_their_emoji(fake_data: Path):
    full = coverage(fake_data, FAKE_LABELS + ["😠", "🌹", "😎"], validation_percent=100)
    assert full["emojispace"] == {"texts": 100.0, "emojis": 100.0} and full["germeval2018"]["emojis"] == 100.0
    assert "brighter" not in full or full["brighter"]["texts"] == 100.0  # mapped emotions are always covered
    partial = coverage(fake_data, ["❤"], validation_percent=100)
    assert partial["emojispace"] == {"texts": 50.0, "emojis": 50.0}  # 😠 missing, ♥ -> ❤ present
    # "que saudade 😭🇧🇷": a suggestion of 😭 serves the text, though 🇧🇷 is outside the vocabulary
    assert full["told"] == {"texts": 100.0, "emojis": 50.0}


def test_fake_build_fails_loudly_under_the_minimum(fake_data: Path):
    with pytest.raises(SystemExit, match=r"under 2 training examples: .*🔥 1"):
        build(fake_data, FAKE_LABELS, min_count=2)


def test_a_missing_source_says_what_to_do(fake_data: Path):
    import shutil

    shutil.rmtree(fake_data / "xlm-t" / "hindi")
    with pytest.raises(SystemExit, match=r"xlm-t/hindi/train: .* is missing\. Point --data_dir .*--hub true"):
        build(fake_data, FAKE_LABELS, min_count=0)


def test_the_benchmark_test_split_is_refused(fake_data: Path):
    with pytest.raises(ValueError, match="only train and val"):
        list(tweeteval_emoji(fake_data, "test"))


BUILD_SCRIPT = """
import sys, types
from pathlib import Path
backend = types.ModuleType("backend")  # the package without its __init__ (the Flask app, torch): a light process
backend.__path__ = [str(Path("backend").resolve())]
sys.modules["backend"] = backend
from training.build_dataset import build, write
labels = sys.argv[3].split(",")
write(build(Path(sys.argv[1]), labels, min_count=0), Path(sys.argv[2]))
"""


def test_the_build_is_deterministic_across_processes(fake_data: Path, tmp_path: Path):
    outputs = []
    for seed in ("1", "2"):  # str hashes differ between these processes: no output may depend on set order
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", BUILD_SCRIPT, str(fake_data), str(out), ",".join(FAKE_LABELS)],
                       check=True, env=env, cwd=ROOT, timeout=120)
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]
    assert {p.split("/")[0] for p in outputs[0]} == set(FILES)
    assert {"examples/dataset_dict.json", "examples/train/dataset_info.json", "pairs/dataset_dict.json"} <= set(
        outputs[0])


def test_load_built_round_trip(fake_data: Path, tmp_path: Path):
    built = build(fake_data, FAKE_LABELS, min_count=0)
    write(built, tmp_path / "ds")
    train, val, labels = load_built(tmp_path / "ds")
    assert load_validation(tmp_path / "ds") == val
    assert labels == FAKE_LABELS
    assert train.texts == [ex.text for ex in built.train] and train.labels == [ex.label for ex in built.train]
    assert val.texts == [ex.text for ex in built.validation] and val.labels == [ex.label for ex in built.validation]
    with pytest.raises(SystemExit, match="not a built dataset"):
        load_built(tmp_path / "nothing-here")


def test_validation_by_language_splits_the_validation_rows(fake_data: Path, tmp_path: Path):
    built = build(fake_data, FAKE_LABELS, min_count=0)
    write(built, tmp_path / "ds")
    by_language = load_validation_by_language(tmp_path / "ds")
    assert set(by_language) == {ex.language for ex in built.validation}
    for language, split in by_language.items():
        rows = [ex for ex in built.validation if ex.language == language]
        assert split.texts == [ex.text for ex in rows] and split.labels == [ex.label for ex in rows]


def test_evaluate_scores_validation_per_language_over_all_labels(fake_data: Path, tmp_path: Path):
    """The report's per-language table, with a predictor that is right on every row except one language's."""
    import torch

    from training.evaluate import validation_by_language

    built = build(fake_data, FAKE_LABELS, min_count=0)
    write(built, tmp_path / "ds")
    language_of = {ex.text: ex.language for ex in built.validation}
    languages = sorted(set(language_of.values()))
    assert len(languages) >= 2
    wrong_language = languages[-1]

    truths: dict[str, set[str]] = {}
    for ex in built.validation:  # a text marked with several emotions is a row per label
        truths.setdefault(ex.text, set()).add(ex.label)

    class Oracle:
        labels = FAKE_LABELS

        def probabilities(self, texts: list[str]) -> torch.Tensor:
            rows = torch.zeros(len(texts), len(self.labels))
            for i, t in enumerate(texts):
                answer = truths[t] if language_of[t] != wrong_language else {
                    next(e for e in ("❤", "😂", "🎄") if e not in truths[t])}
                for e in answer:
                    rows[i, self.labels.index(e)] = 1 / len(answer)
            return rows

    result = validation_by_language(Oracle(), str(tmp_path / "ds"), batch_size=2)
    assert set(result) == {"all", *languages}
    assert result["all"]["n"] == len(built.validation)
    assert result[wrong_language]["accuracy"] == 0.0 and result[wrong_language]["top5_accuracy"] == 0.0
    for language in languages[:-1]:
        assert result[language]["top5_accuracy"] == 100.0


# ---------------------------------------------------------------------------------------------------------------
# The build on the real data (../shared/data)
# ---------------------------------------------------------------------------------------------------------------

needs_data = pytest.mark.skipif(not (DEFAULT_DATA_DIR / "tweeteval" / "emoji").is_dir(),
                                reason=f"the real data folder {DEFAULT_DATA_DIR} is absent")


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("dataset") / "dataset"
    write(build(DEFAULT_DATA_DIR, list(WIDE_EMOJIS)), out, collect_pairs(DEFAULT_DATA_DIR))
    return out


def _rows(folder: Path, split: str) -> list[dict]:
    part = load_examples(folder)[split]
    names = part.features["label"].names
    return [{**row, "label": names[row["label"]]} for row in part]


@needs_data
@pytest.mark.training  # builds the dataset from ../shared/data
def test_real_build_has_a_wide_backed_vocabulary(real: Path):
    labels = json.loads((real / "labels.json").read_text(encoding="utf-8"))
    stats = json.loads((real / "stats.json").read_text(encoding="utf-8"))
    assert labels == list(WIDE_EMOJIS) and len(labels) >= 64
    assert set(TWEETEVAL_EMOJIS) <= set(labels)
    assert {"😭", "😢", "😡", "😠", "😤", "🙄", "😩", "😞", "💔", "🎉"} <= set(labels)  # every feeling
    counts: dict[str, int] = {}
    for row in _rows(real, "train"):
        counts[row["label"]] = counts.get(row["label"], 0) + 1
    assert min(counts[e] for e in labels) >= 150 and set(counts) == set(labels)
    assert stats["min_train_count"] == min(counts.values())
    assert {"en", "es", "ar", "pt", "tr", "de", "ru", "sw", "am"} <= set(stats["per_language"]["train"])
    assert stats["pairs"]["total"] > 10_000 and len(stats["pairs"]["per_language"]) >= 40
    card = (real / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\n") and "never used" in card and "| fear | 😱 |" in card
    assert "not in the published copy" in card


@needs_data
@pytest.mark.training  # builds the dataset from ../shared/data
def test_real_build_keeps_validation_apart_and_the_test_set_out(real: Path):
    train, val = _rows(real, "train"), _rows(real, "validation")
    assert 0.05 < len(val) / (len(train) + len(val)) < 0.15
    assert not {near_duplicate_key(r["text"]) for r in train} & {near_duplicate_key(r["text"]) for r in val}
    assert len({(r["text"], r["label"]) for r in train}) == len(train)  # deduplicated within a label
    assert sum(len(s) for s in load_validation_by_language(real).values()) == len(val)
    # TweetEval's own val split and BRIGHTER's dev split are all validation.
    own_val = {clean_text(t) for t in read_lines(DEFAULT_DATA_DIR / "tweeteval" / "emoji" / "val_text.txt")}
    assert not {r["text"] for r in train} & own_val
    brighter_train = {r["text"] for r in train if r["source"].startswith("brighter")}
    brighter_val = {r["text"] for r in val if r["source"].startswith("brighter")}
    assert brighter_val and not brighter_train & brighter_val
    # No test tweet anywhere, except generic captions: the ones TweetEval's own train / val already share with its
    # test ("San Francisco @ Golden Gate Bridge"), or a word or two before an Instagram location ("Chicago @ The
    # Adler Planetarium", from another user's post). The test set is read here, by the test, never by the build.
    emoji_dir = DEFAULT_DATA_DIR / "tweeteval" / "emoji"
    test = {clean_text(t) for t in read_lines(emoji_dir / "test_text.txt")}
    leaked = [r for r in train + val if r["text"] in test]
    generic = [r for r in leaked if r["source"] == "tweeteval-emoji" or LOCATION_CAPTION_RE.fullmatch(r["text"])]
    assert generic == leaked, [r for r in leaked if r not in generic][:5]
    assert len(leaked) < 60


LOCATION_CAPTION_RE = re.compile(r"(?:@user\s+)*(?:[^\s@]+\s+){0,2}@ [A-Z0-9][^@]*")
