"""Emoji labels: how emoji strings compare, their human names, and the built-in label sets."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

# U+FE0E/U+FE0F select text/emoji presentation; U+1F3FB..U+1F3FF are skin-tone modifiers.
_PRESENTATION_RE = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")

# CLDR short names for emojis whose Unicode character name reads oddly (e.g. U+2764 "HEAVY BLACK HEART").
CLDR_NAMES: dict[str, str] = {
    "❤": "red heart",
    "☀": "sun",
    "🇺🇸": "flag: United States",
    "🇪🇸": "flag: Spain",
    "😍": "smiling face with heart-eyes",
    "😁": "beaming face with smiling eyes",
    "😜": "winking face with tongue",
    "👌": "OK hand",
    "🔝": "TOP arrow",
    "💯": "hundred points",
    "😡": "enraged face",
    "😒": "unamused face",
    "🙄": "face with rolling eyes",
    "😩": "weary face",
    "😤": "face with steam from nose",
    "😱": "face screaming in fear",
    "😳": "flushed face",
    "🙏": "folded hands",
    "👏": "clapping hands",
    "💀": "skull",
    "🤷": "person shrugging",
    "🤦": "person facepalming",
    "🥺": "pleading face",
    "🥰": "smiling face with hearts",
    "🤣": "rolling on the floor laughing",
}


def canonical_emoji(emoji: str) -> str:
    """The form labels compare in: no variation selectors, no skin tones."""
    return _PRESENTATION_RE.sub("", emoji.strip())


# CLDR's names in other languages, written by ``python -m training.emoji_names``: {language: {emoji: name}}.
NAMES_FILE = Path(__file__).with_name("emoji_names.json")


@cache
def translated_names() -> dict[str, dict[str, str]]:
    return json.loads(NAMES_FILE.read_text(encoding="utf-8"))


# Tags CLDR files under another code, and regions whose Chinese is written in traditional characters.
_LANGUAGE_ALIASES = {"nb": "no", "nn": "no", "tl": "fil", "iw": "he", "in": "id", "ji": "yi", "jw": "jv"}
_HANT_REGIONS = {"tw", "hk", "mo"}


@lru_cache(maxsize=256)  # a request names one language; clients send few distinct tags
def name_language(tag: str | None) -> str:
    """The language to name emojis in for a BCP 47 tag (``de``, ``pt-BR``, ``zh_TW``, ``sr-Latn-RS``): its
    language and script where names exist in them (``zh-Hant``, ``sr-Latn``), else its language, else English."""
    parts = [p.lower() for p in (tag or "").strip().replace("_", "-").split("-") if p]
    if not parts:
        return "en"
    primary = _LANGUAGE_ALIASES.get(parts[0], parts[0])
    script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), "")
    if primary == "zh" and not script and any(p in _HANT_REGIONS for p in parts[1:]):
        script = "Hant"
    for candidate in (f"{primary}-{script}" if script else "", primary):
        if candidate in translated_names():
            return candidate
    return "en"


def emoji_name(emoji: str, language: str = "en") -> str:
    """A human-readable name: CLDR's in ``language`` where known, else CLDR's English one, else the Unicode
    character names."""
    key = canonical_emoji(emoji)
    if language != "en" and key in translated_names().get(language, {}):
        return translated_names()[language][key]
    if key in CLDR_NAMES:
        return CLDR_NAMES[key]
    return " ".join(unicodedata.name(ch, "").lower() for ch in key).strip() or key


def display_emoji(emoji: str) -> str:
    """The string to show and insert: emoji presentation forced for characters that default to text."""
    key = canonical_emoji(emoji)
    if len(key) == 1 and ord(key) < 0x1F000:
        return key + "\ufe0f"
    return key


# TweetEval emoji (SemEval-2018 Task 2, US): the benchmark's 20 labels, in its id order.
TWEETEVAL_EMOJIS: tuple[str, ...] = (
    "❤", "😍", "😂", "💕", "🔥", "😊", "😎", "✨", "💙", "😘",
    "📷", "🇺🇸", "☀", "💜", "😉", "💯", "😁", "🎄", "📸", "😜",
)

# The wide vocabulary (training/build_dataset.py; its dataset card says where each label's examples come from):
# TweetEval's 20 first, in their id order, then the emojis the other sources back with at least 150 training
# examples each. A label keeps its id when the vocabulary grows (new labels go at the end), so a model trained on
# an earlier vocabulary starts the next one with its head rows (training.train --init_from).
# The negative feelings: anger, sadness, fear, disgust, pessimism, contempt ... (benchmarks.multilingual checks
# that suggestions follow a tweet's sentiment with them).
NEGATIVE_EMOJIS: tuple[str, ...] = ("😡", "😢", "😭", "😱", "🤢", "😞", "😔", "😩", "🙄")
WIDE_EMOJIS: tuple[str, ...] = TWEETEVAL_EMOJIS + (
    "💪", "👌", "🇪🇸", "💞", "🎶", "💘",  # SemEval-2018 Spanish-only labels (🔝 has no examples)
) + NEGATIVE_EMOJIS + (
    "🙃", "😮", "👀", "🤝", "🙏", "🥰",  # irony, surprise, anticipation, trust, optimism, love
) + (
    # The multilingual vocabulary: Emojispace's classes (Spanish tweets), the GoEmotions feelings (see
    # training.sources.EMOTION_EMOJI) and the emojis real tweets in Turkish, Arabic, Portuguese and German carry.
    "😠", "😤", "😒",  # anger, annoyance
    "😰", "😬", "😳",  # fear, nervousness, embarrassment
    "😑", "😣",  # disgust
    "💔", "😥", "😓", "😪", "😫", "😕", "😐",  # sadness, grief, worry
    "🤣", "😅", "😀", "😃", "😄", "🙂", "😋", "😏", "🤭", "🙈", "🙊", "🤓", "🌚", "😈", "🤤", "😴", "😌",  # joy, play
    "💖", "😻", "🤗",  # love, caring
    "👏", "👍", "👎", "🎉", "🙌",  # admiration, approval, disapproval, celebration (excitement, pride)
    "🤔", "🤦", "🤷",  # confusion, facepalm, shrug
    "💛", "🌹", "☺",  # what Arabic, Turkish and Portuguese tweets carry most beyond the above
)

# The six basic emotions' families of emojis: a suggestion "fits" a text of that emotion when one of its top
# suggestions is in the family (training.evaluate's BRIGHTER hit@3). Canonical forms (no U+FE0F, no skin tones).
EMOTION_FAMILIES: dict[str, frozenset[str]] = {
    "joy": frozenset("😂 🤣 😁 😊 😄 😃 😆 😀 ☺ 🙂 😹 🥳 😅 😜".split()),
    "love": frozenset("❤ 😍 🥰 💕 😘 💖 💗 💞 💘 💙 💜 ♥ 💓 😻 ♡ 💛 💚 🧡 🤍 🖤 😙 😚".split()),
    "sadness": frozenset("😢 😭 😞 😔 💔 😿 ☹ 🙁 😥 😓 😪 😟 🥺 😩 😫".split()),
    "anger": frozenset("😡 😠 🤬 😤 👿 💢 🖕 😒".split()),
    "fear": frozenset("😱 😨 😰 😬 😧 😳 🙀 😟 😖".split()),
    "disgust": frozenset("🤢 🤮 😖 🙄 😒 😑 😣 😷".split()),
    "surprise": frozenset("😮 😲 😯 😳 😱 🤯 😦 😧 👀 😵".split()),
}
# Feelings beyond the six (and love) that the vocabulary must also be able to say, at least two ways each.
MORE_FEELINGS: dict[str, frozenset[str]] = {
    "gratitude": frozenset("🙏 🤗".split()),
    "celebration": frozenset("🎉 🙌 👏".split()),
}

# CLDR short names for wide-vocabulary emojis whose Unicode names read oddly.
CLDR_NAMES.update({
    "😘": "face blowing a kiss",
    "🎄": "Christmas tree",
    "🎶": "musical notes",
    "😠": "angry face",
    "🤬": "face with symbols on mouth",
    "😰": "anxious face with sweat",
    "😬": "grimacing face",
    "😑": "expressionless face",
    "😣": "persevering face",
    "💔": "broken heart",
    "😥": "sad but relieved face",
    "😓": "downcast face with sweat",
    "😪": "sleepy face",
    "😫": "tired face",
    "😕": "confused face",
    "😀": "grinning face",
    "😃": "grinning face with big eyes",
    "😄": "grinning face with smiling eyes",
    "🙂": "slightly smiling face",
    "😋": "face savoring food",
    "🤭": "face with hand over mouth",
    "🙈": "see-no-evil monkey",
    "🙊": "speak-no-evil monkey",
    "🤓": "nerd face",
    "🌚": "new moon face",
    "🤤": "drooling face",
    "😻": "smiling cat with heart-eyes",
    "👍": "thumbs up",
    "👎": "thumbs down",
    "🎉": "party popper",
    "🙌": "raising hands",
    "🤮": "face vomiting",
    "💛": "yellow heart",
    "🖤": "black heart",
    "🌹": "rose",
    "☺": "smiling face",
    "😆": "grinning squinting face",
    "😅": "grinning face with sweat",
})
