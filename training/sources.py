"""Training sources for the wide emoji vocabulary: tweets labelled with emojis, directly or through their emotions.

Every source reads a local folder in the TweetEval layout (``../shared/data``, see its README) and, for users with a
network, falls back to the Hugging Face Hub (``pip install datasets``) when the folder is missing. Three kinds:

* emoji-labelled tweets (TweetEval emoji, SemEval-2018 Task 2 English extra and Spanish trial tweets): the label is
  the emoji the original authors cut out of the tweet;
* emotion-labelled tweets (TweetEval emotion, SemEval-2018 Affect E-c): each emotion maps to ONE emoji
  (``EMOTION_EMOJI``), one example per (tweet, emotion present); E-c tweets marked with both emotions of one of
  three Plutchik dyads also give that dyad's emoji (``EMOTION_PAIR_EMOJI``), ironic TweetEval irony tweets 🙃;
* tweets that still carry emojis (TweetEval hate / offensive / irony, SemEval-2018 Affect E-c, XLM-T), used the
  DeepMoji way: the emojis are cut out of the text and each distinct one becomes a label.

No source here reads ``tweeteval/emoji/test_*`` (the benchmark test set): :func:`tweeteval_emoji` refuses it.
"""

from __future__ import annotations

import csv
import html
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from backend.modeling.labels import canonical_emoji
from backend.modeling.text import EMOJI_RE, REGIONAL_INDICATORS, strip_emojis
from training.data import read_lines, read_mapping

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------------------------
# Emoji matching (the pattern itself lives in backend.modeling.text: serving strips emojis with it too)
# ---------------------------------------------------------------------------------------------------------------

_GENDER_SUFFIX_RE = re.compile("\u200d[\u2640\u2642]$")  # 🤦‍♀ / 🤦‍♂ -> 🤦: the label is the gesture
_PLACEHOLDER_RE = re.compile(r"@user|\bhttp\b")
MIN_TEXT_CHARS = 3  # letters / digits a tweet must keep once its emojis (and @user / http) are gone


def label_form(emoji: str) -> str:
    """The label an emoji counts as: :func:`canonical_emoji` (no variation selectors, no skin tones), gendered
    person emojis folded into the person; ``""`` for debris that is no emoji on its own."""
    key = _GENDER_SUFFIX_RE.sub("", canonical_emoji(emoji)).strip("\u200d")
    if not key or re.fullmatch(f"[{REGIONAL_INDICATORS}\u20e3\u200d]", key):
        return ""
    return key


def find_emojis(text: str) -> list[str]:
    """The emojis in ``text`` as labels (:func:`label_form`), distinct, in order of first appearance."""
    seen: dict[str, None] = {}
    for m in EMOJI_RE.finditer(text):
        key = label_form(m.group())
        if key:
            seen.setdefault(key, None)
    return list(seen)


def clean_text(text: str) -> str:
    """Raw tweet -> the text stored in the dataset: HTML entities decoded (``&amp;`` -> ``&``), emojis cut out,
    normalised as at serving time."""
    return strip_emojis(html.unescape(text))


_ENOUGH_RE = re.compile(rf"[^\W_](?:[\W_]*[^\W_]){{{MIN_TEXT_CHARS - 1}}}")


def enough_text(text: str) -> bool:
    """At least MIN_TEXT_CHARS letters or digits besides the ``@user`` / ``http`` placeholders."""
    return _ENOUGH_RE.search(_PLACEHOLDER_RE.sub(" ", text)) is not None


# Captions Instagram / Foursquare wrote for a post, with no word of the writer's: "@ Disneyland",
# "@user @ Long Beach, California", "(at @user in Las Vegas, NV)". Nobody types these; the same few places recur
# across TweetEval's train and test splits.
CHECKIN_RE = re.compile(r"(?:@user\s+)*(?:@ [^@]+|\(at [^()]*\)?)")


def text_problem(text: str) -> str:
    """Why a cleaned text makes no training example (``""``: it does)."""
    if not enough_text(text):
        return "too little text"
    if CHECKIN_RE.fullmatch(text):
        return "location check-in only"
    return ""


# ---------------------------------------------------------------------------------------------------------------
# Emotions -> emojis
# ---------------------------------------------------------------------------------------------------------------

# One primary emoji per emotion, the one people most often put on that feeling in tweets (see the dataset card):
EMOTION_EMOJI: dict[str, str] = {
    "anger": "😡",  # enraged face: the common anger emoji (😠 is rarer)
    "anticipation": "👀",  # eyes: "can't wait to see", watching something coming
    "disgust": "🤢",  # nauseated face
    "fear": "😱",  # face screaming in fear: the fear / shock emoji of tweets (😨 is rarer)
    "joy": "😊",  # smiling face with smiling eyes: happiness, not laughter (that is 😂)
    "love": "🥰",  # smiling face with hearts: affection (❤ stays with the tweets that carry it, for everything)
    "optimism": "🙏",  # folded hands: hoping, praying, "fingers crossed" (E-c: hopefulness about the future)
    "pessimism": "😞",  # disappointed face
    "sadness": "😢",  # crying face (😭 stays with the tweets that carry it: it is as often laughter as grief)
    "surprise": "😮",  # face with open mouth
    "trust": "🤝",  # handshake
}
# Plutchik's dyads (E-c's eleven emotions follow his wheel; its love, optimism and pessimism are themselves dyads)
# for feelings E-c has no label of its own for: a tweet marked with BOTH emotions also yields the dyad's emoji.
EMOTION_PAIR_EMOJI: dict[tuple[str, str], tuple[str, str]] = {
    ("anger", "disgust"): ("contempt", "🙄"),  # face with rolling eyes
    ("disgust", "sadness"): ("remorse", "😔"),  # pensive face
    ("fear", "sadness"): ("despair", "😩"),  # weary face
}
# TweetEval irony (SemEval-2018 Task 3: verbal irony, mostly sarcasm): ironic tweets yield the upside-down face.
IRONY_EMOJI = "🙃"
AFFECT_EMOTIONS: tuple[str, ...] = (
    "anger", "anticipation", "disgust", "fear", "joy", "love", "optimism", "pessimism", "sadness", "surprise", "trust",
)
TWEETEVAL_EMOTIONS: tuple[str, ...] = ("anger", "joy", "optimism", "sadness")  # tweeteval/emotion/mapping.txt order


# ---------------------------------------------------------------------------------------------------------------
# Examples and sources
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    text: str  # cleaned (clean_text), emojis cut out
    label: str  # label_form of an emoji
    source: str  # e.g. "tweeteval-emoji", "semeval2018-affect:emotion", "xlm-t:emojis"
    language: str  # ISO 639-1
    validation: bool = False  # pinned to validation by its source's own split (TweetEval emoji val)


XLMT_LANGUAGES: dict[str, str] = {
    "arabic": "ar", "english": "en", "french": "fr", "german": "de",
    "hindi": "hi", "italian": "it", "portuguese": "pt", "spanish": "es",
}
TWEETEVAL_TASKS_WITH_EMOJIS: tuple[str, ...] = ("hate", "offensive", "irony")


def _hub(name: str, config: str | None, split: str):
    """A Hub dataset split, for users with a network (``pip install datasets``)."""
    try:
        from datasets import load_dataset
    except ImportError as e:
        raise SystemExit(f"{name}: not in the data folder, and loading it from the Hub needs `pip install datasets`"
                         ) from e
    log.info("loading %s/%s [%s] from the Hugging Face Hub", name, config, split)
    return load_dataset(name, config, split=split)


def _hub_split(split: str) -> str:
    return {"val": "validation", "dev": "validation"}.get(split, split)


def _emoji_examples(texts: list[str], source: str, language: str) -> Iterator[Example]:
    """DeepMoji-style: the emojis a tweet carries become its labels, cut out of its text. Texts left too short are
    dropped by the build (:func:`text_problem`), which counts them."""
    for raw in texts:
        labels = find_emojis(raw)
        if not labels:
            continue
        text = clean_text(raw)
        for label in labels:
            yield Example(text, label, source, language)


def _labelled_examples(texts: list[str], emojis: list[str], source: str, language: str,
                       validation: bool = False) -> Iterator[Example]:
    for raw, emoji in zip(texts, emojis, strict=True):
        yield Example(clean_text(raw), label_form(emoji), source, language, validation)


def tweeteval_emoji(data_dir: Path, split: str, hub: bool = False) -> Iterator[Example]:
    """TweetEval emoji train / val (20 emojis, English). The test split is refused: it is the benchmark."""
    if split not in ("train", "val"):
        raise ValueError(f"tweeteval emoji {split!r}: only train and val may be used for training data")
    folder = data_dir / "tweeteval" / "emoji"
    if folder.is_dir():
        mapping = read_mapping(folder / "mapping.txt")
        texts = read_lines(folder / f"{split}_text.txt")
        emojis = [mapping[int(x)] for x in read_lines(folder / f"{split}_labels.txt")]
    elif hub:
        ds = _hub("cardiffnlp/tweet_eval", "emoji", _hub_split(split))
        names = ds.features["label"].names
        texts, emojis = list(ds["text"]), [names[i] for i in ds["label"]]
    else:
        raise FileNotFoundError(folder)
    yield from _labelled_examples(texts, emojis, "tweeteval-emoji", "en", validation=split == "val")


def semeval2018_emoji(data_dir: Path, language: str) -> Iterator[Example]:
    """SemEval-2018 Task 2 trial tweets: English ones not in TweetEval (``us_extra``), Spanish ones (``es_trial``).
    No Hub copy: these come from the task's trial release (see the data folder's README)."""
    folder = data_dir / "semeval2018"
    prefix, mapping_file = {"en": ("us_extra", "us_mapping.txt"), "es": ("es_trial", "es_mapping.txt")}[language]
    if not (folder / f"{prefix}_text.txt").exists():
        raise FileNotFoundError(folder / f"{prefix}_text.txt")
    mapping = read_mapping(folder / mapping_file)
    texts = read_lines(folder / f"{prefix}_text.txt")
    emojis = [mapping[int(x)] for x in read_lines(folder / f"{prefix}_labels.txt")]
    yield from _labelled_examples(texts, emojis, f"semeval2018-{language}", language)


def tweeteval_emotion(data_dir: Path, split: str, hub: bool = False) -> Iterator[Example]:
    """TweetEval emotion (anger, joy, optimism, sadness) through EMOTION_EMOJI, plus any emojis left in the text."""
    folder = data_dir / "tweeteval" / "emotion"
    if folder.is_dir():
        names = [n.split("\t")[-1] for n in read_lines(folder / "mapping.txt")]
        texts = read_lines(folder / f"{split}_text.txt")
        ids = [int(x) for x in read_lines(folder / f"{split}_labels.txt")]
    elif hub:
        ds = _hub("cardiffnlp/tweet_eval", "emotion", _hub_split(split))
        names, texts, ids = ds.features["label"].names, list(ds["text"]), list(ds["label"])
    else:
        raise FileNotFoundError(folder)
    emojis = [EMOTION_EMOJI[names[i].strip()] for i in ids]
    yield from _labelled_examples(texts, emojis, "tweeteval-emotion", "en")
    yield from _emoji_examples(texts, "tweeteval-emotion:emojis", "en")


def emotion_emojis(marked: list[str]) -> list[str]:
    """The emojis a set of emotions yields: one per emotion (EMOTION_EMOJI), one per dyad present
    (EMOTION_PAIR_EMOJI), distinct, in a fixed order."""
    present = set(marked)
    emojis = [EMOTION_EMOJI[e] for e in AFFECT_EMOTIONS if e in present]
    emojis += [emoji for pair, (_, emoji) in EMOTION_PAIR_EMOJI.items() if present.issuperset(pair)]
    return list(dict.fromkeys(emojis))


def read_affect_ec(path: Path) -> tuple[list[str], list[list[str]]]:
    """SemEval-2018 Affect E-c TSV: the tweets and, for each, the emotions marked 1."""
    texts, emotions = [], []
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows)
        columns = [header.index(e) for e in AFFECT_EMOTIONS]
        tweet = header.index("Tweet")
        for row in rows:
            if row:
                texts.append(row[tweet])
                emotions.append([e for e, c in zip(AFFECT_EMOTIONS, columns, strict=True) if row[c] == "1"])
    return texts, emotions


def semeval2018_affect(data_dir: Path, split: str, hub: bool = False) -> Iterator[Example]:
    """SemEval-2018 Affect E-c (11 emotions, multi-label): one example per emotion marked, through EMOTION_EMOJI;
    the raw tweets' own emojis as labels too."""
    path = data_dir / "semeval2018-affect" / f"en_ec_{split}.tsv"
    if path.exists():
        texts, emotions = read_affect_ec(path)
    elif hub:
        ds = _hub("SemEvalWorkshop/sem_eval_2018_task_1", "subtask5.english", _hub_split(split))
        texts = list(ds["Tweet"])
        emotions = [[e for e in AFFECT_EMOTIONS if row[e]] for row in ds]
    else:
        raise FileNotFoundError(path)
    for raw, marked in zip(texts, emotions, strict=True):
        emojis = emotion_emojis(marked)
        yield from _labelled_examples([raw] * len(emojis), emojis, "semeval2018-affect:emotion", "en")
    yield from _emoji_examples(texts, "semeval2018-affect:emojis", "en")


def tweeteval_task_emojis(data_dir: Path, task: str, split: str, hub: bool = False) -> Iterator[Example]:
    """TweetEval hate / offensive / irony tweets that still carry emojis; ironic tweets also yield IRONY_EMOJI (the
    hate and offensive labels are not used: no emoji should be suggested for being hateful)."""
    folder = data_dir / "tweeteval" / task
    if folder.is_dir():
        texts = read_lines(folder / f"{split}_text.txt")
        ids = [int(x) for x in read_lines(folder / f"{split}_labels.txt")]
    elif hub:
        ds = _hub("cardiffnlp/tweet_eval", task, _hub_split(split))
        texts, ids = list(ds["text"]), list(ds["label"])
    else:
        raise FileNotFoundError(folder)
    if task == "irony":  # label 1 = irony (mapping.txt: 0 non_irony, 1 irony)
        ironic = [t for t, i in zip(texts, ids, strict=True) if i == 1]
        yield from _labelled_examples(ironic, [IRONY_EMOJI] * len(ironic), "tweeteval-irony", "en")
    yield from _emoji_examples(texts, f"tweeteval-{task}:emojis", "en")


def xlmt_emojis(data_dir: Path, language: str, hub: bool = False) -> Iterator[Example]:
    """XLM-T / UMSAB multilingual sentiment tweets (train) that carry emojis; sentiment labels are not used."""
    folder = data_dir / "xlm-t" / language
    if folder.is_dir():
        texts = read_lines(folder / "train_text.txt")
    elif hub:
        texts = list(_hub("cardiffnlp/tweet_sentiment_multilingual", language, "train")["text"])
    else:
        raise FileNotFoundError(folder)
    yield from _emoji_examples(texts, "xlm-t:emojis", XLMT_LANGUAGES[language])


def all_sources(data_dir: Path, hub: bool = False) -> list[tuple[str, Callable[[], Iterator[Example]]]]:
    """Every training source, by name, in a fixed order (the build's output order follows it)."""
    d = Path(data_dir)
    sources: list[tuple[str, Callable[[], Iterator[Example]]]] = [
        ("tweeteval/emoji/train", lambda: tweeteval_emoji(d, "train", hub)),
        ("tweeteval/emoji/val", lambda: tweeteval_emoji(d, "val", hub)),
        ("semeval2018/us_extra", lambda: semeval2018_emoji(d, "en")),
        ("semeval2018/es_trial", lambda: semeval2018_emoji(d, "es")),
        ("tweeteval/emotion/train", lambda: tweeteval_emotion(d, "train", hub)),
        ("tweeteval/emotion/val", lambda: tweeteval_emotion(d, "val", hub)),
        ("semeval2018-affect/en_ec_train", lambda: semeval2018_affect(d, "train", hub)),
        ("semeval2018-affect/en_ec_dev", lambda: semeval2018_affect(d, "dev", hub)),
    ]
    for task in TWEETEVAL_TASKS_WITH_EMOJIS:
        for split in ("train", "val"):
            sources.append((f"tweeteval/{task}/{split}", lambda t=task, s=split: tweeteval_task_emojis(d, t, s, hub)))
    for language in XLMT_LANGUAGES:
        sources.append((f"xlm-t/{language}/train", lambda lang=language: xlmt_emojis(d, lang, hub)))
    return sources
