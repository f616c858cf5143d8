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
import json
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
# Hearts typed as text symbols (♥ U+2665 heart suit, ♡ U+2661 white heart suit) are the red heart: one label.
HEART_FORMS: dict[str, str] = {"\u2665": "❤", "\u2661": "❤"}
_PLACEHOLDER_RE = re.compile(r"@user|\bhttp\b")
MIN_TEXT_CHARS = 3  # letters / digits a tweet must keep once its emojis (and @user / http) are gone


def label_form(emoji: str) -> str:
    """The label an emoji counts as: :func:`canonical_emoji` (no variation selectors, no skin tones), gendered
    person emojis folded into the person; ``""`` for debris that is no emoji on its own."""
    key = _GENDER_SUFFIX_RE.sub("", canonical_emoji(emoji)).strip("\u200d")
    key = HEART_FORMS.get(key, key)
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

# One emoji per emotion label, the one people most often put on that feeling (see the dataset card). Every
# emotion-labelled source goes through this one mapping: SemEval-2018 E-c (11 emotions), TweetEval emotion,
# BRIGHTER (6), XED (Plutchik's 8) and GoEmotions (27). Other emojis of a feeling (😠 😤 🤬 for anger, ...) come from
# the texts that carry them (Emojispace, tweets).
EMOTION_EMOJI: dict[str, str] = {
    "anger": "😡",  # enraged face: the common anger emoji
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
    # GoEmotions' finer feelings (Demszky et al., 2020); "realization" and "neutral" have no emoji of their own
    "admiration": "👏",  # clapping hands
    "amusement": "🤣",  # rolling on the floor laughing
    "annoyance": "😒",  # unamused face
    "approval": "👍",  # thumbs up
    "caring": "🤗",  # hugging face
    "confusion": "🤔",  # thinking face
    "curiosity": "🤔",
    "desire": "😍",  # smiling face with heart-eyes
    "disappointment": "😞",
    "disapproval": "👎",  # thumbs down
    "embarrassment": "😳",  # flushed face
    "excitement": "🎉",  # party popper: celebration
    "gratitude": "🙏",  # folded hands: "thank you"
    "grief": "💔",  # broken heart
    "nervousness": "😬",  # grimacing face
    "pride": "🙌",  # raising hands: "we did it", celebrating a success
    "relief": "😌",  # relieved face
    "remorse": "😔",  # pensive face
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
    # the source's own split: True (its dev / val split) or False (its train split, when it has a dev split);
    # None: the build splits it by a hash of the text (sources with one file)
    validation: bool | None = None
    weight: float = 1.0  # loss weight; Emojispace, balanced by design, weighs less (EMOJISPACE_WEIGHT)


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


def _emoji_examples(texts: list[str], source: str, language: str,
                    validation: bool | None = None) -> Iterator[Example]:
    """DeepMoji-style: the emojis a tweet carries become its labels, cut out of its text. Texts left too short are
    dropped by the build (:func:`text_problem`), which counts them."""
    for raw in texts:
        labels = find_emojis(raw)
        if not labels:
            continue
        text = clean_text(raw)
        for label in labels:
            yield Example(text, label, source, language, validation)


def _labelled_examples(texts: list[str], emojis: list[str], source: str, language: str,
                       validation: bool | None = None) -> Iterator[Example]:
    for raw, emoji in zip(texts, emojis, strict=True):
        yield Example(clean_text(raw), label_form(emoji), source, language, validation)


def _emotion_examples(texts: list[str], emotions: list[list[str]], source: str, language: str,
                      validation: bool | None = None) -> Iterator[Example]:
    """One example per emotion marked on a text, through EMOTION_EMOJI (and the dyads), then the emojis the text
    itself carries (DeepMoji-style)."""
    for raw, marked in zip(texts, emotions, strict=True):
        emojis = emotion_emojis(marked)
        yield from _labelled_examples([raw] * len(emojis), emojis, f"{source}:emotion", language, validation)
    yield from _emoji_examples(texts, f"{source}:emojis", language, validation)


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
    yield from _labelled_examples(texts, emojis, "tweeteval-emotion", "en", split == "val")
    yield from _emoji_examples(texts, "tweeteval-emotion:emojis", "en", split == "val")


def emotion_emojis(marked: list[str]) -> list[str]:
    """The emojis a set of emotions yields: one per emotion (EMOTION_EMOJI), one per dyad present
    (EMOTION_PAIR_EMOJI), distinct, in a fixed order."""
    present = set(marked)
    emojis = [emoji for e, emoji in EMOTION_EMOJI.items() if e in present]
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


def semeval2018_affect(data_dir: Path, split: str, hub: bool = False, language: str = "en") -> Iterator[Example]:
    """SemEval-2018 Affect E-c (11 emotions, multi-label; English, Spanish, Arabic): one example per emotion marked,
    through EMOTION_EMOJI; the raw tweets' own emojis as labels too. ``dev`` is the fixed validation part."""
    path = data_dir / "semeval2018-affect" / f"{language}_ec_{split}.tsv"
    if path.exists():
        texts, emotions = read_affect_ec(path)
    elif hub:
        config = {"en": "english", "es": "spanish", "ar": "arabic"}[language]
        ds = _hub("SemEvalWorkshop/sem_eval_2018_task_1", f"subtask5.{config}", _hub_split(split))
        texts = list(ds["Tweet"])
        emotions = [[e for e in AFFECT_EMOTIONS if row[e]] for row in ds]
    else:
        raise FileNotFoundError(path)
    yield from _emotion_examples(texts, emotions, "semeval2018-affect", language, split == "dev")


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
        yield from _labelled_examples(ironic, [IRONY_EMOJI] * len(ironic), "tweeteval-irony", "en", split == "val")
    yield from _emoji_examples(texts, f"tweeteval-{task}:emojis", "en", split == "val")


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


# ---------------------------------------------------------------------------------------------------------------
# The multilingual sources (../shared/data/README.md lists each one's format and licence)
# ---------------------------------------------------------------------------------------------------------------

# Emojispace is balanced by design (about 700 tweets per class), unlike real use: its rows weigh this much in the
# loss and in the label prior the model learns, so 62 evenly spread classes do not flatten that prior.
EMOJISPACE_WEIGHT = 0.25
# Emojispace's placeholders -> the project's own (backend.modeling.text); ``_emo`` marks where an emoji stood.
_EMOJISPACE_RE = re.compile(r"\b_(usr|url|nums|emo)\b")
_EMOJISPACE_FORMS = {"usr": "@user", "url": "http", "nums": "0", "emo": " "}

# BRIGHTER's language codes -> the codes the dataset uses (ISO 639-1 where there is one).
BRIGHTER_LANGUAGES: dict[str, str] = {
    "afr": "af", "amh": "am", "arq": "arq", "ary": "ary", "chn": "zh", "deu": "de", "eng": "en", "esp": "es",
    "hau": "ha", "hin": "hi", "ibo": "ig", "kin": "rw", "mar": "mr", "orm": "om", "pcm": "pcm", "ptbr": "pt-BR",
    "ptmz": "pt-MZ", "ron": "ro", "rus": "ru", "som": "so", "sun": "su", "swa": "sw", "swe": "sv", "tat": "tt",
    "tir": "ti", "ukr": "uk", "vmw": "vmw", "yor": "yo",
}
BRIGHTER_EMOTIONS: tuple[str, ...] = ("anger", "disgust", "fear", "joy", "sadness", "surprise")
XED_EMOTIONS: tuple[str, ...] = ("anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust")
XED_MAX_ROWS = 3000  # subtitle lines per XED file (every n-th row): enough per language, no language dominating
_XED_NAME_RE = re.compile(r"([a-z]+)-(?:projections2?|annotated)\.tsv")


def _csv_rows(path: Path, delimiter: str = ",", header: bool = True) -> list[list[str]]:
    csv.field_size_limit(1 << 24)
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f, delimiter=delimiter) if r]
    return rows[1:] if header else rows


def _every_nth(rows: list, n_max: int) -> list:
    """At most ``n_max`` rows spread evenly over the file (deterministic: no sampling)."""
    step = max(1, -(-len(rows) // n_max))
    return rows[::step]


def emojispace(data_dir: Path) -> Iterator[Example]:
    """Emojispace (Spanish tweets, 64 emoji classes, one per tweet), with weight EMOJISPACE_WEIGHT."""
    path = data_dir / "emojispace" / "es_train.jsonl"
    if not path.exists():
        raise FileNotFoundError(path)
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            text = _EMOJISPACE_RE.sub(lambda m: _EMOJISPACE_FORMS[m.group(1)], row["text"])
            yield Example(clean_text(text), label_form(row["emoji"]), "emojispace", "es", weight=EMOJISPACE_WEIGHT)


def read_brighter(path: Path) -> tuple[list[str], list[list[str]]]:
    """A BRIGHTER CSV (``id,text,<emotion columns>``; English has no disgust column): texts and emotions marked."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = [(r["text"], [e for e in BRIGHTER_EMOTIONS if r.get(e) == "1"]) for r in reader]
    return [t for t, _ in rows], [m for _, m in rows]


def brighter(data_dir: Path, code: str, split: str) -> Iterator[Example]:
    """BRIGHTER (SemEval-2025 Task 11 track A): perceived emotions in 28 languages; ``dev`` is the fixed
    validation part (and what training.evaluate's family hit@3 reads)."""
    path = data_dir / "brighter" / f"{code}_{split}.csv"
    if not path.exists():
        raise FileNotFoundError(path)
    texts, emotions = read_brighter(path)
    yield from _emotion_examples(texts, emotions, "brighter", BRIGHTER_LANGUAGES[code], split == "dev")


def goemotions(data_dir: Path, split: str, hub: bool = False) -> Iterator[Example]:
    """GoEmotions (English Reddit comments, 27 emotions + neutral), through EMOTION_EMOJI; ``dev`` is validation."""
    folder = data_dir / "goemotions"
    if folder.is_dir():
        names = read_lines(folder / "emotions.txt")
        rows = _csv_rows(folder / f"{split}.tsv", "\t", header=False)
        texts = [r[0] for r in rows]
        emotions = [[names[int(i)] for i in r[1].split(",")] for r in rows]
    elif hub:
        ds = _hub("google-research-datasets/go_emotions", "simplified", _hub_split(split))
        names = ds.features["labels"].feature.names
        texts, emotions = list(ds["text"]), [[names[i] for i in ids] for ids in ds["labels"]]
    else:
        raise FileNotFoundError(folder)
    emotions = [[e for e in marked if e in EMOTION_EMOJI] for marked in emotions]
    yield from _emotion_examples(texts, emotions, "goemotions", "en", split == "dev")


def xed(data_dir: Path, file: str) -> Iterator[Example]:
    """XED film subtitles with Plutchik's eight emotions (``1, 4``: anger and fear), English annotated and 40+
    languages by projection; at most XED_MAX_ROWS lines a file."""
    path = data_dir / "xed-projections" / file
    language = _XED_NAME_RE.fullmatch(file).group(1)  # type: ignore[union-attr]
    rows = _csv_rows(path, "\t", header=file.endswith("projections2.tsv"))
    texts, emotions = [], []
    for row in _every_nth([r for r in rows if len(r) >= 2], XED_MAX_ROWS):
        ids = [int(x) for x in re.findall(r"\d+", row[1]) if 1 <= int(x) <= len(XED_EMOTIONS)]
        if ids:
            texts.append(row[0])
            emotions.append([XED_EMOTIONS[i - 1] for i in ids])
    language = {"cn": "zh", "br": "pt-BR", "tw": "zh-TW"}.get(language, language)
    for raw, marked in zip(texts, emotions, strict=True):  # no emoji labels: subtitles' ♪ marks songs, not a mood
        emojis = emotion_emojis(marked)
        yield from _labelled_examples([raw] * len(emojis), emojis, "xed:emotion", language)


def carried_emojis(data_dir: Path, name: str) -> Iterator[Example]:
    """Tweets in Turkish, Arabic, Portuguese and German whose own emojis are the labels (their offensive / toxic
    labels are never used); a source's dev / validation file is its fixed validation part."""
    files = {
        "offenseval2020-tr": ("offenseval2020/tr_train.tsv", "tr", "\t", 1, None),
        "offenseval2020-ar": ("offenseval2020/ar_train.tsv", "ar", "\t", 1, False),
        "offenseval2020-ar-dev": ("offenseval2020/ar_dev.tsv", "ar", "\t", 1, True),
        "told-br": ("told-br/pt_train.csv", "pt", ",", 0, False),
        "told-br-validation": ("told-br/pt_validation.csv", "pt", ",", 0, True),
        "germeval2018": ("germeval2018/de_train.tsv", "de", "\t", 0, None),
    }
    file, language, delimiter, column, validation = files[name]
    path = data_dir / file
    if not path.exists():
        raise FileNotFoundError(path)
    rows = _csv_rows(path, delimiter, header=name != "germeval2018")
    yield from _emoji_examples([r[column] for r in rows], name.removesuffix("-dev").removesuffix("-validation"),
                               language, validation)


CARRIED_EMOJI_SOURCES = ("offenseval2020-tr", "offenseval2020-ar", "offenseval2020-ar-dev", "told-br",
                         "told-br-validation", "germeval2018")
# What may be published (training.push): sources whose terms forbid redistribution, or that state none, train the
# model but stay out of the published dataset (its card says so).
NOT_REDISTRIBUTABLE = ("semeval2018-affect", "offenseval2020")


def redistributable(source: str) -> bool:
    return not source.startswith(NOT_REDISTRIBUTABLE)


# ---------------------------------------------------------------------------------------------------------------
# Parallel text: the same sentence in English and another language (cross-lingual distillation)
# ---------------------------------------------------------------------------------------------------------------

PAIRS_PER_LANGUAGE = 1500  # per XED language pair file (every n-th line), per other source


@dataclass(frozen=True)
class Pair:
    english: str
    translation: str
    language: str
    source: str


def parallel_pairs(data_dir: Path) -> Iterator[Pair]:
    """English sentences and their translations: XED's aligned subtitles (41 languages), GoEmotions dev in Russian,
    NusaX (Indonesian and 10 local languages). Texts are normalised like every training text."""
    folder = data_dir / "parallel"
    if not folder.is_dir():
        raise FileNotFoundError(folder)
    for path in sorted((folder / "xed").glob("*.tsv")):
        rows = [r for r in _csv_rows(path, "\t", header=False) if len(r) >= 6]
        for r in _every_nth(rows, PAIRS_PER_LANGUAGE):
            yield Pair(clean_text(r[4]), clean_text(r[5]), path.stem.replace("_", "-"), "xed")
    goemotions_ru = folder / "ru-goemotions_validation.csv"
    if goemotions_ru.exists():
        for r in _every_nth(_csv_rows(goemotions_ru), PAIRS_PER_LANGUAGE):
            yield Pair(clean_text(r[1]), clean_text(r[0]), "ru", "goemotions-ru")
    for split in ("train", "valid"):
        path = folder / f"nusax_mt_{split}.csv"
        if path.exists():
            with path.open(encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    for language, text in row.items():
                        if language not in ("english", "") and text:
                            yield Pair(clean_text(row["english"]), clean_text(text), language, "nusax")


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
    ]
    for language in ("en", "es", "ar"):
        for split in ("train", "dev"):
            sources.append((f"semeval2018-affect/{language}_ec_{split}",
                            lambda lang=language, s=split: semeval2018_affect(d, s, hub, lang)))
    for task in TWEETEVAL_TASKS_WITH_EMOJIS:
        for split in ("train", "val"):
            sources.append((f"tweeteval/{task}/{split}", lambda t=task, s=split: tweeteval_task_emojis(d, t, s, hub)))
    for language in XLMT_LANGUAGES:
        sources.append((f"xlm-t/{language}/train", lambda lang=language: xlmt_emojis(d, lang, hub)))
    sources.append(("emojispace/es_train", lambda: emojispace(d)))
    codes = [c for c in BRIGHTER_LANGUAGES if (d / "brighter" / f"{c}_train.csv").exists()] or ["eng"]
    for code in codes:
        for split in ("train", "dev"):
            sources.append((f"brighter/{code}_{split}", lambda c=code, s=split: brighter(d, c, s)))
    for split in ("train", "dev"):
        sources.append((f"goemotions/{split}", lambda s=split: goemotions(d, s, hub)))
    xed_files = sorted(p.name for p in (d / "xed-projections").glob("*.tsv")) if (d / "xed-projections").is_dir() \
        else ["en-annotated.tsv"]
    for file in xed_files:
        sources.append((f"xed-projections/{file}", lambda f=file: xed(d, f)))
    for name in CARRIED_EMOJI_SOURCES:
        sources.append((name, lambda n=name: carried_emojis(d, n)))
    return sources
