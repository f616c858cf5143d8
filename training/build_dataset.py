"""Build the wide-vocabulary, multilingual emoji dataset from the sources in ``training/sources.py``.

    python -m training.build_dataset --data_dir ../shared/data --output_dir artifacts/dataset

Writes ``train.jsonl`` and ``validation.jsonl`` (one ``{"text", "label", "source", "language"}`` object a line),
``validation_by_language/<language>.jsonl`` (the same validation rows, one file per language), ``labels.json`` (the
vocabulary in id order), ``stats.json`` and a dataset card ``README.md``. Never reads ``tweeteval/emoji/test_*``.

* Texts are cleaned (HTML entities decoded, emojis cut out) and normalised as at serving time; texts left with
  fewer than 3 letters or digits, and location check-in captions with no word of the writer's ("@ Disneyland"),
  are dropped.
* Deduplication and the train / validation split both work on a near-duplicate key (lower case, words only, no
  ``@user`` / ``http`` / ``RT``): a tweet and its retweet or re-cased copy count as one text and land on one side.
* Validation is fixed: TweetEval emoji's own ``val`` split, plus a deterministic ~8% of every other text chosen by a
  hash of its key (TweetEval emoji ``train`` texts stay in train). Same data, same files, byte for byte.
* The vocabulary is ``backend.modeling.labels.WIDE_EMOJIS``; examples of other emojis are dropped (and counted). The
  build fails if any label has fewer than ``min_count`` training examples.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from backend.modeling.labels import TWEETEVAL_EMOJIS, WIDE_EMOJIS, display_emoji, emoji_name
from training.data import DEFAULT_DATA_DIR, Split
from training.sources import (
    EMOTION_EMOJI,
    EMOTION_PAIR_EMOJI,
    IRONY_EMOJI,
    XLMT_LANGUAGES,
    Example,
    Pair,
    all_sources,
    label_form,
    parallel_pairs,
    redistributable,
    text_problem,
)

log = logging.getLogger("build_dataset")
# The Hub datasets the wide dataset's sources come from (its card and the cards of models trained on it).
HUB_SOURCE_DATASETS = ("cardiffnlp/tweet_eval", "SemEvalWorkshop/sem_eval_2018_task_1",
                       "cardiffnlp/tweet_sentiment_multilingual", "google-research-datasets/go_emotions")

MIN_COUNT = 150
VALIDATION_PERCENT = 8
FILES = ("examples", "pairs", "labels.json", "stats.json", "README.md")


@dataclass
class BuildArgs:
    output_dir: str = field(default="artifacts/dataset", metadata={"help": "where the dataset folder is written"})
    data_dir: str = field(default=str(DEFAULT_DATA_DIR), metadata={"help": "local data in TweetEval layout"})
    hub: bool = field(default=False, metadata={"help": "load sources missing from data_dir from the Hugging Face "
                                                       "Hub (needs a network and `pip install datasets`)"})
    min_count: int = field(default=MIN_COUNT, metadata={"help": "fail if a label has fewer training examples"})
    validation_percent: int = field(default=VALIDATION_PERCENT,
                                    metadata={"help": "share of non-TweetEval texts held out for validation"})
    labels: str = field(default="", metadata={"help": "comma-separated emojis instead of WIDE_EMOJIS (experiments)"})


_KEY_DROP_RE = re.compile(r"@user|\bhttp\b|^rt\b")
_WORD_RE = re.compile(r"\w+")


def near_duplicate_key(text: str) -> str:
    """What two texts share when one is a re-cased, re-punctuated or retweeted copy of the other."""
    return " ".join(_WORD_RE.findall(_KEY_DROP_RE.sub(" ", text.lower())))


def in_validation(key: str, percent: int) -> bool:
    """Stable across runs, machines and Python versions (no ``hash()``: it is salted per process)."""
    return int.from_bytes(hashlib.sha1(key.encode("utf-8")).digest()[:8], "big") % 100 < percent


@dataclass
class Built:
    train: list[Example]
    validation: list[Example]
    labels: list[str]
    stats: dict


def collect(data_dir: Path, hub: bool) -> tuple[list[Example], dict[str, int]]:
    examples: list[Example] = []
    read: dict[str, int] = {}
    for name, load in all_sources(data_dir, hub):
        try:
            part = list(load())
        except FileNotFoundError as e:
            if hub:  # the SemEval-2018 Task 2 extras have no Hub copy
                log.warning("%s: not found (%s) and not on the Hub; skipped", name, e)
                continue
            raise SystemExit(f"{name}: {e} is missing. Point --data_dir at the data folder (TweetEval layout, see "
                             f"../shared/data/README.md), or pass --hub true to load it from the Hugging Face Hub."
                             ) from None
        read[name] = len(part)
        examples += part
    return examples, read


def build(data_dir: Path, labels: list[str], min_count: int = MIN_COUNT,
          validation_percent: int = VALIDATION_PERCENT, hub: bool = False) -> Built:
    examples, read = collect(Path(data_dir), hub)
    vocabulary = set(labels)

    keys: dict[str, str] = {}  # text -> near-duplicate key (texts recur: one per label of a tweet)
    for ex in examples:
        if ex.text not in keys:
            keys[ex.text] = near_duplicate_key(ex.text)
    # Which side each text goes to, decided on its key so near-duplicates never straddle the split.
    side: dict[str, bool] = {}  # key -> validation?
    for ex in examples:
        if ex.validation is not None:  # the source's own split; its dev / val wins over a copy in train
            key = keys[ex.text]
            side[key] = side.get(key, False) or ex.validation

    train: list[Example] = []
    validation: list[Example] = []
    seen: set[tuple[str, str]] = set()
    dropped: Counter[str] = Counter()
    out_of_vocabulary: Counter[str] = Counter()
    problems: dict[str, str] = {}
    for ex in examples:
        problem = problems.get(ex.text)
        if problem is None:
            problem = problems[ex.text] = text_problem(ex.text)
        if problem:
            dropped[problem] += 1
            continue
        if ex.label not in vocabulary:
            out_of_vocabulary[ex.label] += 1
            continue
        key = keys[ex.text]
        if (key, ex.label) in seen:
            dropped["duplicate text within its label"] += 1
            continue
        seen.add((key, ex.label))
        if key not in side:
            side[key] = in_validation(key, validation_percent)
        (validation if side[key] else train).append(ex)

    train_counts = Counter(ex.label for ex in train)
    too_few = {e: train_counts[e] for e in labels if train_counts[e] < min_count}
    if too_few:
        listing = ", ".join(f"{display_emoji(e)} {n}" for e, n in too_few.items())
        raise SystemExit(f"labels under {min_count} training examples: {listing}. Remove them from the vocabulary "
                         f"(backend/modeling/labels.py WIDE_EMOJIS) or add data for them.")
    stats = make_stats(train, validation, labels, read, dropped, out_of_vocabulary, min_count, validation_percent)
    return Built(train, validation, labels, stats)


MAPPED_SOURCES = ("tweeteval-emotion", "tweeteval-irony")  # labels from annotations, not from emojis in the text


def carries_its_emoji(source: str) -> bool:
    """Whether a source's labels are emojis people put in their texts (rather than mapped annotations)."""
    return not source.endswith(":emotion") and source not in MAPPED_SOURCES


def coverage(data_dir: Path, labels: list[str],
             validation_percent: int = VALIDATION_PERCENT) -> dict[str, dict[str, float]]:
    """Per source family, how often the emoji a writer actually used could have been suggested at all, on its
    emoji-bearing validation part: ``texts``, the share (%) of texts holding at least one emoji that ``labels``
    has (a text with several emojis is served by a suggestion of any of them), and ``emojis``, the share of the
    emoji occurrences themselves (one per distinct emoji of a text)."""
    examples, _ = collect(Path(data_dir), hub=False)
    vocabulary = set(labels)
    texts: dict[str, dict[str, bool]] = defaultdict(dict)
    total: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    for ex in examples:
        if not carries_its_emoji(ex.source) or text_problem(ex.text):
            continue
        side = ex.validation if ex.validation is not None else in_validation(near_duplicate_key(ex.text),
                                                                              validation_percent)
        if side:
            family = source_family(ex.source)
            total[family] += 1
            inside[family] += ex.label in vocabulary
            texts[family][ex.text] = texts[family].get(ex.text, False) or ex.label in vocabulary
    return {f: {"texts": round(100 * sum(texts[f].values()) / len(texts[f]), 2),
                "emojis": round(100 * inside[f] / total[f], 2)} for f in sorted(total)}


def _counts(rows: list[Example], attr: str) -> dict[str, int]:
    return dict(sorted(Counter(getattr(ex, attr) for ex in rows).items(), key=lambda kv: (-kv[1], kv[0])))


def make_stats(train: list[Example], validation: list[Example], labels: list[str], read: dict[str, int],
               dropped: Counter[str], out_of_vocabulary: Counter[str], min_count: int,
               validation_percent: int) -> dict:
    train_labels, val_labels = Counter(ex.label for ex in train), Counter(ex.label for ex in validation)
    candidates = {e: n for e, n in sorted(out_of_vocabulary.items(), key=lambda kv: (-kv[1], kv[0])) if n >= 20}
    weighted: Counter[str] = Counter()
    for ex in train:
        weighted[ex.label] += ex.weight
    return {
        "labels": len(labels),
        "weighted_train_counts": {e: round(weighted[e], 2) for e in labels},  # what the label prior is made of
        "train": len(train),
        "validation": len(validation),
        "min_train_count": min(train_labels[e] for e in labels),
        "min_count": min_count,
        "validation_percent": validation_percent,
        "per_label": {e: {"train": train_labels[e], "validation": val_labels[e], "name": emoji_name(e)}
                      for e in labels},
        "per_language": {"train": _counts(train, "language"), "validation": _counts(validation, "language")},
        "per_source": {"train": _counts(train, "source"), "validation": _counts(validation, "source")},
        "examples_read": read,
        "dropped": dict(sorted(dropped.items())),
        "dropped_out_of_vocabulary": sum(out_of_vocabulary.values()),
        "out_of_vocabulary_candidates": candidates,  # emojis seen 20+ times that are not labels (before the split)
    }


def _columns(rows: list[Example]) -> dict[str, list]:
    return {"text": [ex.text for ex in rows], "label": [ex.label for ex in rows],
            "source": [ex.source for ex in rows], "language": [ex.language for ex in rows],
            "weight": [ex.weight for ex in rows]}


def emoji_features(labels: list[str]):
    """The examples' schema: the label is a ``ClassLabel`` whose names are the emojis, so the vocabulary travels
    with the data (``features["label"].names``)."""
    from datasets import ClassLabel, Features, Value

    return Features({"text": Value("string"), "label": ClassLabel(names=labels), "source": Value("string"),
                     "language": Value("string"), "weight": Value("float32")})


def to_dataset_dict(built: Built, publishable_only: bool = False):
    """The examples as a ``datasets.DatasetDict`` (train, validation); with ``publishable_only`` the rows of sources
    that may not be redistributed (training.sources.NOT_REDISTRIBUTABLE) are left out."""
    from datasets import Dataset, DatasetDict

    keep = (lambda ex: redistributable(ex.source)) if publishable_only else (lambda ex: True)
    features = emoji_features(built.labels)
    return DatasetDict({name: Dataset.from_dict(_columns([ex for ex in rows if keep(ex)]), features=features)
                        for name, rows in (("train", built.train), ("validation", built.validation))})


def publishable(ds):
    """A built ``DatasetDict`` without the rows of sources that may not be redistributed (its card says which)."""
    return type(ds)({name: part.select([i for i, source in enumerate(part["source"]) if redistributable(source)])
                     for name, part in ds.items()})


def pairs_dataset_dict(pairs: list[Pair], validation_percent: int):
    """Parallel pairs (english, translation, language, source) split by a hash of the English side."""
    from datasets import Dataset, DatasetDict

    sides: dict[bool, list[Pair]] = {False: [], True: []}
    for p in pairs:
        sides[in_validation(near_duplicate_key(p.english), validation_percent)].append(p)
    return DatasetDict({name: Dataset.from_dict({k: [getattr(p, k) for p in sides[v]]
                                                 for k in ("english", "translation", "language", "source")})
                        for name, v in (("train", False), ("validation", True))})


def collect_pairs(data_dir: Path) -> list[Pair]:
    """Usable parallel pairs: both sides long enough once normalised, each English-translation pair once."""
    try:
        found = list(parallel_pairs(Path(data_dir)))
    except FileNotFoundError:
        log.warning("no parallel/ folder in %s: the dataset has no pairs", data_dir)
        return []
    seen: set[tuple[str, str]] = set()
    pairs = []
    for p in found:
        if not text_problem(p.english) and not text_problem(p.translation) and (p.english, p.translation) not in seen:
            seen.add((p.english, p.translation))
            pairs.append(p)
    return pairs


def write(built: Built, output_dir: Path, pairs: list[Pair] | None = None) -> None:
    """All files into a temporary sibling folder, then swapped in: a failed build leaves the old dataset intact.
    ``examples/`` and ``pairs/`` are ``DatasetDict.save_to_disk`` folders (Arrow), read back with
    :func:`load_examples` / :func:`load_pairs`."""
    tmp = output_dir.with_name(output_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    to_dataset_dict(built).save_to_disk(str(tmp / "examples"))
    pairs_dataset_dict(pairs or [], built.stats["validation_percent"]).save_to_disk(str(tmp / "pairs"))
    built.stats["pairs"] = {"total": len(pairs or []), "per_language": dict(Counter(p.language for p in pairs or []))}
    (tmp / "labels.json").write_text(json.dumps(built.labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (tmp / "stats.json").write_text(json.dumps(built.stats, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (tmp / "README.md").write_text(dataset_card(built), encoding="utf-8")
    shutil.rmtree(output_dir, ignore_errors=True)
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(output_dir)


def _built_labels(folder: Path) -> list[str]:
    if not (folder / "labels.json").exists():
        raise SystemExit(f"{folder}: not a built dataset (no labels.json); run `python -m training.build_dataset "
                         f"--output_dir {folder}` first")
    return json.loads((folder / "labels.json").read_text(encoding="utf-8"))


def load_examples(path: str | Path):
    """A built dataset's examples as a ``DatasetDict`` (train, validation), through the datasets API."""
    from datasets import load_from_disk

    folder = Path(path)
    _built_labels(folder)
    return load_from_disk(str(folder / "examples"))


def load_pairs(path: str | Path):
    """A built dataset's parallel pairs as a ``DatasetDict`` (train, validation)."""
    from datasets import load_from_disk

    return load_from_disk(str(Path(path) / "pairs"))


def as_split(ds) -> Split:
    """A ``Dataset`` of the built schema as a Split (texts, emoji labels)."""
    names = ds.features["label"].names
    return Split(list(ds["text"]), [names[i] for i in ds["label"]])


def load_built(path: str | Path) -> tuple[Split, Split, list[str]]:
    """(train, validation, labels) of a built dataset folder."""
    ds = load_examples(path)
    return as_split(ds["train"]), as_split(ds["validation"]), list(ds["train"].features["label"].names)


def load_validation(path: str | Path) -> Split:
    """The built dataset's fixed validation split alone (calibration and evaluation need no training rows)."""
    return as_split(load_examples(path)["validation"])


def _grouped(path: str | Path, key) -> dict[str, Split]:
    val = load_examples(path)["validation"]
    names = val.features["label"].names
    out: dict[str, Split] = {}
    for group, text, label in zip(map(key, val["source"], val["language"]), val["text"], val["label"], strict=True):
        split = out.setdefault(group, Split([], []))
        split.texts.append(text)
        split.labels.append(names[label])
    return dict(sorted(out.items()))


def load_validation_by_language(path: str | Path) -> dict[str, Split]:
    """The built dataset's validation rows per language code."""
    return _grouped(path, lambda source, language: language)


def load_validation_by_source(path: str | Path) -> dict[str, Split]:
    """The built dataset's validation rows per source family (``brighter``, ``emojispace``, ...)."""
    return _grouped(path, lambda source, language: source_family(source))


def source_family(source: str) -> str:
    """``brighter:emotion`` -> ``brighter``; ``tweeteval-irony`` -> ``tweeteval``."""
    return source.split(":")[0].split("-")[0]


# ---------------------------------------------------------------------------------------------------------------
# The dataset card
# ---------------------------------------------------------------------------------------------------------------

LANGUAGE_NAMES = {code: name.capitalize() for name, code in XLMT_LANGUAGES.items()}

SOURCES_TABLE = """\
| source | what it gives | languages | licence / terms as stated by the source |
| --- | --- | --- | --- |
| [TweetEval](https://github.com/cardiffnlp/tweeteval) emoji `train` + `val` (Barbieri et al., 2020; from \
SemEval-2018 Task 2) | the emoji cut out of each tweet (20 labels) | en | research use; tweets under \
Twitter's terms of service (TweetEval README) |
| SemEval-2018 Task 2 trial release: English tweets not in TweetEval (`us_extra`), Spanish tweets (`es_trial`) \
(Barbieri et al., 2018) | the emoji cut out of each tweet (20 labels each; 7 Spanish-only) | en, es | research \
use under the task's terms; tweets under Twitter's terms of service |
| TweetEval emotion `train` + `val` (from SemEval-2018 Task 1) | 4 emotions, mapped to emojis (below) | en | \
research use (TweetEval README) |
| [SemEval-2018 Task 1 Affect in Tweets, E-c](https://competitions.codalab.org/competitions/17751) \
`train` + `dev` (Mohammad et al., 2018) | 11 emotions (multi-label), mapped to emojis (below); the emojis the \
raw tweets carry | en | research use, as stated by the task organisers (licence on the Hub: unknown) |
| TweetEval hate / offensive / irony `train` + `val` (Basile et al., 2019; Zampieri et al., 2019; Van Hee et al., \
2018) | the emojis the tweets carry; irony labels (below) | en | research use (TweetEval README) |
| [XLM-T / UMSAB](https://github.com/cardiffnlp/xlm-t) multilingual sentiment `train` (Barbieri et al., 2022) | \
the emojis the tweets carry (sentiment labels unused) | ar, de, en, es, fr, hi, it, pt | research use; tweets \
under Twitter's terms of service (XLM-T README) |
| Emojispace (Spanish tweets, 64 emoji classes) | the emoji of each tweet; rows weigh 0.25 (balanced by design) | es | \
Apache-2.0 |
| [BRIGHTER](https://github.com/emotion-analysis-project/SemEval2025-Task11) track A `train` + `dev` (SemEval-2025 \
Task 11) | 6 emotions (multi-label), mapped to emojis (below) | 28 languages | CC BY 4.0 |
| SemEval-2018 Task 1 E-c Spanish and Arabic `train` + `dev` | 11 emotions, mapped; the tweets' own emojis | es, ar | \
NRC terms: research use, no redistribution (**not in the published copy**) |
| [GoEmotions](https://github.com/google-research/google-research/tree/master/goemotions) `train` + `dev` \
(Demszky et al., 2020) | 27 emotions, mapped to emojis (below) | en | Apache-2.0 |
| [XED](https://github.com/Helsinki-NLP/XED) (Öhman et al., 2020): English annotated + projections | Plutchik's 8 \
emotions, mapped; at most 3,000 subtitle lines a language | 40+ languages | CC BY 4.0 |
| OffensEval-2020 Turkish and Arabic | the emojis the tweets carry (offensive labels unused) | tr, ar | no licence \
stated (**not in the published copy**) |
| ToLD-Br; GermEval-2018 | the emojis the tweets carry (toxicity labels unused) | pt; de | CC BY-SA 4.0; CC BY 4.0 |
| Parallel text: XED English ↔ 41 languages, GoEmotions dev in Russian, NusaX | pairs for cross-lingual training \
(`pairs` config) | 50+ languages | CC BY 4.0; MIT; CC BY-SA 4.0 |
"""

CITATIONS = """\
```bibtex
@inproceedings{barbieri2020tweeteval,
  title = {{TweetEval}: Unified Benchmark and Comparative Evaluation for Tweet Classification},
  author = {Barbieri, Francesco and Camacho-Collados, Jose and Espinosa Anke, Luis and Neves, Leonardo},
  booktitle = {Findings of EMNLP 2020}, year = {2020}}
@inproceedings{barbieri2018semeval,
  title = {{SemEval} 2018 Task 2: Multilingual Emoji Prediction},
  author = {Barbieri, Francesco and Camacho-Collados, Jose and Ronzano, Francesco and Espinosa-Anke, Luis and
            Ballesteros, Miguel and Basile, Valerio and Patti, Viviana and Saggion, Horacio},
  booktitle = {Proceedings of SemEval-2018}, year = {2018}}
@inproceedings{mohammad2018semeval,
  title = {{SemEval}-2018 Task 1: Affect in Tweets},
  author = {Mohammad, Saif M. and Bravo-Marquez, Felipe and Salameh, Mohammad and Kiritchenko, Svetlana},
  booktitle = {Proceedings of SemEval-2018}, year = {2018}}
@inproceedings{vanhee2018semeval,
  title = {{SemEval}-2018 Task 3: Irony Detection in English Tweets},
  author = {Van Hee, Cynthia and Lefever, Els and Hoste, V{\\'e}ronique},
  booktitle = {Proceedings of SemEval-2018}, year = {2018}}
@inproceedings{basile2019semeval,
  title = {{SemEval}-2019 Task 5: Multilingual Detection of Hate Speech Against Immigrants and Women in Twitter},
  author = {Basile, Valerio and others}, booktitle = {Proceedings of SemEval-2019}, year = {2019}}
@inproceedings{zampieri2019semeval,
  title = {{SemEval}-2019 Task 6: Identifying and Categorizing Offensive Language in Social Media ({OffensEval})},
  author = {Zampieri, Marcos and others}, booktitle = {Proceedings of SemEval-2019}, year = {2019}}
@inproceedings{barbieri2022xlmt,
  title = {{XLM-T}: Multilingual Language Models in {T}witter for Sentiment Analysis and Beyond},
  author = {Barbieri, Francesco and Espinosa Anke, Luis and Camacho-Collados, Jose},
  booktitle = {Proceedings of LREC 2022}, year = {2022}}
@inproceedings{muhammad2025brighter,
  title = {{BRIGHTER}: {BRIdging} the Gap in Human-Annotated Textual Emotion Recognition Datasets for 28 Languages},
  author = {Muhammad, Shamsuddeen Hassan and others}, booktitle = {Proceedings of ACL 2025}, year = {2025}}
@inproceedings{demszky2020goemotions,
  title = {{GoEmotions}: A Dataset of Fine-Grained Emotions},
  author = {Demszky, Dorottya and Movshovitz-Attias, Dana and Ko, Jeongwoo and Cowen, Alan and Nemade, Gaurav and
            Ravi, Sujith}, booktitle = {Proceedings of ACL 2020}, year = {2020}}
@inproceedings{ohman2020xed,
  title = {{XED}: A Multilingual Dataset for Sentiment Analysis and Emotion Detection},
  author = {{\\"O}hman, Emily and P{\\`a}mies, Marc and Kajava, Kaisla and Tiedemann, J{\\"o}rg},
  booktitle = {Proceedings of COLING 2020}, year = {2020}}
@inproceedings{felbo2017deepmoji,
  title = {Using millions of emoji occurrences to learn any-domain representations for detecting sentiment,
           emotion and sarcasm},
  author = {Felbo, Bjarke and Mislove, Alan and S{\\o}gaard, Anders and Rahwan, Iyad and Lehmann, Sune},
  booktitle = {Proceedings of EMNLP 2017}, year = {2017}}
```
"""


def _table(counts: dict[str, int], other: dict[str, int], names: dict[str, str] | None = None) -> list[str]:
    rows = ["| | train | validation |", "| --- | ---: | ---: |"]
    for k in sorted(set(counts) | set(other), key=lambda k: (-counts.get(k, 0), k)):
        rows.append(f"| {(names or {}).get(k, k)} | {counts.get(k, 0):,} | {other.get(k, 0):,} |")
    return rows


def dataset_card(built: Built) -> str:
    s = built.stats
    languages = sorted(set(s["per_language"]["train"]) | set(s["per_language"]["validation"]))
    language_names = {**LANGUAGE_NAMES, **{k: f"{LANGUAGE_NAMES.get(k, k)} (`{k}`)" for k in languages}}
    tweeteval = set(TWEETEVAL_EMOJIS)
    emotion_rows = [f"| {emotion} | {display_emoji(e)} | {emoji_name(e)} |" for emotion, e in EMOTION_EMOJI.items()]
    emotion_rows += [f"| {a} + {b} ({name}, Plutchik dyad) | {display_emoji(e)} | {emoji_name(e)} |"
                     for (a, b), (name, e) in EMOTION_PAIR_EMOJI.items()]
    irony = IRONY_EMOJI
    emotion_rows.append(f"| irony (TweetEval irony label 1) | {display_emoji(irony)} | {emoji_name(irony)} |")
    lines = [
        "---",
        "pretty_name: emoji-suggest wide emoji vocabulary (multilingual tweets)",
        f"language: [{', '.join(languages)}]",
        "multilinguality: multilingual",
        "license: other",
        "license_name: research-only-source-terms",
        "license_details: Each part keeps the terms of the source it comes from (research use; tweets under "
        "Twitter's terms of service). See the Sources section.",
        "task_categories: [text-classification]",
        "task_ids: [multi-class-classification]",
        "tags: [emoji, emoji-prediction, twitter, tweeteval, semeval-2018, emotion, brighter, goemotions, xed]",
        f"source_datasets: [{', '.join(HUB_SOURCE_DATASETS)}]",
        "size_categories: [100K<n<1M]" if s["train"] + s["validation"] >= 100_000 else "size_categories: [10K<n<100K]",
        "configs:",
        "- config_name: default",
        "  data_files:",
        "  - {split: train, path: data/train-*}",
        "  - {split: validation, path: data/validation-*}",
        "- config_name: pairs",
        "  data_files:",
        "  - {split: train, path: pairs/train-*}",
        "  - {split: validation, path: pairs/validation-*}",
        "---",
        "",
        "# emoji-suggest: a wide, multilingual emoji vocabulary",
        "",
        f"{s['train']:,} training and {s['validation']:,} validation examples of short texts (tweets) labelled with "
        f"the emoji that fits them, over {s['labels']} emojis, in {len(languages)} languages. Built by "
        "`python -m training.build_dataset` of the emoji-suggest project from public research data; each row: "
        "`text`, `label` (the emoji, no variation selector or skin tone), `source`, `language`.",
        "",
        "Every label has at least "
        f"{s['min_count']} training examples (the smallest has {s['min_train_count']:,}); the first 20 labels are "
        "TweetEval emoji's, in its id order.",
        "",
        "## Sources",
        "",
        SOURCES_TABLE,
        "Three ways a tweet becomes examples:",
        "",
        "1. **Emoji-labelled tweets** (TweetEval emoji, SemEval-2018 Task 2): the label is the emoji the original "
        "authors removed from the tweet.",
        "2. **Emotion-labelled tweets** (TweetEval emotion, SemEval-2018 E-c): each emotion marked gives one example "
        "with that emotion's emoji (table below); an E-c tweet marked with both emotions of a Plutchik dyad also "
        "gives the dyad's emoji; ironic TweetEval irony tweets give 🙃.",
        "3. **Tweets that still carry emojis** (TweetEval hate / offensive / irony, SemEval-2018 E-c, XLM-T), used "
        "as DeepMoji (Felbo et al., 2017) did: the emojis are cut out of the text and each distinct one is a label. "
        "Flags, keycaps, ZWJ sequences are matched whole; variation selectors and skin tones are dropped, gendered "
        "person emojis fold into the person (🤦‍♀️ → 🤦).",
        "",
        "Texts: HTML entities decoded, user mentions replaced by `@user`, links by `http`, whitespace collapsed. "
        "Texts left with fewer than 3 letters or digits are dropped, and so are location check-in captions with no "
        "word of the writer's (`@ Disneyland`, `(at @user in Las Vegas, NV)`). "
        "Hate and offensive labels are never used as emoji labels.",
        "",
        "## Emotion → emoji mapping",
        "",
        "One mapping serves every emotion-labelled source (E-c, TweetEval emotion, BRIGHTER, XED, GoEmotions). "
        "One primary emoji per emotion: the one people most commonly attach to that feeling. 😂 is laughter, not "
        "joy, so joy maps to 😊; sadness maps to 😢 (😭 comes from tweets that carry it, where it is as often "
        "laughter as grief); fear to 😱, the fear / shock emoji of tweets; optimism (E-c: hopefulness, confidence "
        "in the future) to 🙏, hoping and praying; love (affection) to 🥰, leaving ❤ to the tweets that carry it; "
        "the dyads give feelings E-c has no label for (contempt, remorse, despair) their usual faces.",
        "",
        "| emotion | emoji | name |",
        "| --- | --- | --- |",
        *emotion_rows,
        "",
        "## Splits",
        "",
        "`validation` is fixed: every source's own dev / val split where it has one (TweetEval, E-c, BRIGHTER, "
        "GoEmotions, OffensEval Arabic, ToLD-Br), and for the others (SemEval-2018 trial, Emojispace, XED, "
        f"OffensEval Turkish, GermEval, XLM-T) about {s['validation_percent']}% of their texts, chosen by a SHA-1 hash "
        "of a near-duplicate key (lower case, words only, no `@user` / `http` / `RT`), so a tweet and its copies are "
        "all on one side. Rows are deduplicated on the same key within a label. Every row has a `weight` (Emojispace "
        "0.25, the rest 1) that the loss and the label prior use. The `pairs` config holds parallel sentences "
        "(`english`, `translation`, `language`, `source`), split by a hash of the English side.",
        "",
        "**Published copy.** Sources whose terms forbid redistribution or state none (SemEval-2018 E-c in all three "
        "languages, OffensEval-2020) train the model but are left out of the copy on the Hub; the counts on this card "
        "are the full build's.",
        "",
        "**Test sets are never used.** `tweeteval/emoji/test` (the TweetEval benchmark test set) is not read by the "
        "build; no other source's test split is used either. Models trained on this dataset are NOT comparable with "
        "published TweetEval emoji results (that protocol trains on TweetEval emoji `train` alone).",
        "",
        "## Labels",
        "",
        " ".join(display_emoji(e) for e in built.labels),
        "",
        "| id | emoji | name | train | validation | in TweetEval |",
        "| ---: | --- | --- | ---: | ---: | --- |",
        *[f"| {i} | {display_emoji(e)} | {s['per_label'][e]['name']} | {s['per_label'][e]['train']:,} | "
          f"{s['per_label'][e]['validation']:,} | {'yes' if e in tweeteval else ''} |"
          for i, e in enumerate(built.labels)],
        "",
        "## Languages",
        "",
        *_table(s["per_language"]["train"], s["per_language"]["validation"], language_names),
        "",
        "English still holds the most rows; BRIGHTER brings 28 languages (many African and Asian ones) and XED 40+, "
        "but with emotion labels mapped to emojis, not emojis people chose; per-language validation numbers of "
        "small languages rest on few examples.",
        "",
        "## Sources, counted",
        "",
        *_table(s["per_source"]["train"], s["per_source"]["validation"]),
        "",
        "## Limitations",
        "",
        "Labels are emojis people put in public tweets (mostly 2015-2018, mostly English, many US) or emojis mapped "
        "from annotated emotions: they mirror those posts and that mapping, not what any one writer means. "
        "Emotion-mapped labels share their texts (a tweet marked anger and disgust yields 😡, 🤢 and 🙄), so those "
        "labels overlap by construction. Tweets may be offensive (the hate / offensive sources); only their emojis "
        "are used.",
        "",
        "## Citations",
        "",
        CITATIONS,
    ]
    return "\n".join(lines) + "\n"


def main(args: BuildArgs) -> Built:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    t0 = time.time()
    labels = [label_form(e) for e in args.labels.split(",") if e.strip()] if args.labels else list(WIDE_EMOJIS)
    built = build(Path(args.data_dir), labels, args.min_count, args.validation_percent, args.hub)
    write(built, Path(args.output_dir), collect_pairs(Path(args.data_dir)))
    s = built.stats
    log.info("%s: %d labels (min %d train examples), train %d, validation %d, in %.1fs", args.output_dir,
             s["labels"], s["min_train_count"], s["train"], s["validation"], time.time() - t0)
    return built


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (parsed,) = HfArgumentParser(BuildArgs).parse_args_into_dataclasses(args=sys.argv[1:])
    main(parsed)
