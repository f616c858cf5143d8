"""Tweet text normalisation, applied identically before training and before serving."""

from __future__ import annotations

import re

URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![\w@])@\w{1,30}")
# Variation selectors and zero-width joiners left behind when an emoji was cut out of a tweet.
STRAY_RE = re.compile("[\ufe0e\ufe0f\u200d]")
SPACE_RE = re.compile(r"\s+")

# multilingual-e5 was trained with a task prefix; classification inputs use the "query: " one.
TEXT_PREFIX = "query: "

_VS = "\ufe0e\ufe0f"
_SKIN = "\U0001f3fb-\U0001f3ff"
REGIONAL_INDICATORS = "\U0001f1e6-\U0001f1ff"  # regional indicators: two make a flag
# Pictographic code points (Unicode's Extended_Pictographic, coarsely): the BMP symbols that have emoji forms and the
# supplementary emoji blocks, less the regional indicators and skin-tone modifiers (matched on their own below).
# © ® ™ are left out on purpose: in tweets they are trademarks far more often than emojis.
_PICT = (
    "\u203c\u2049\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf\u23e9-\u23f3\u23f8-\u23fa\u24c2"
    "\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u27bf\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55"
    "\u3030\u303d\u3297\u3299\U0001f000-\U0001f1e5\U0001f200-\U0001f3fa\U0001f400-\U0001faff"
)
_ELEMENT = f"(?:[{_PICT}][{_VS}]?[{_SKIN}]?[{_VS}]?)"
EMOJI_RE = re.compile(
    "\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"  # subdivision flags (🏴 + tag letters + cancel tag)
    f"|[{REGIONAL_INDICATORS}]{{2}}"  # country flags
    f"|[0-9#*]\ufe0f?\u20e3"  # keycaps
    f"|{_ELEMENT}(?:\u200d{_ELEMENT})*"  # an emoji, with its presentation / skin tone, and ZWJ sequences of them
    f"|[{REGIONAL_INDICATORS}{_SKIN}\u20e3\u200d]"  # debris: a lone regional indicator, skin tone, keycap, joiner
)


def normalize_text(text: str) -> str:
    """TweetEval conventions: user mentions become ``@user``, links ``http``; whitespace collapsed."""
    text = URL_RE.sub("http", text)
    text = MENTION_RE.sub("@user", text)
    text = STRAY_RE.sub(" ", text)
    return SPACE_RE.sub(" ", text).strip()


def strip_emojis(text: str) -> str:
    """``text`` without its emojis, normalised (:func:`normalize_text`)."""
    return normalize_text(EMOJI_RE.sub(" ", text))


def model_input(text: str) -> str:
    """The exact string the encoder sees for a user's text. Emojis are cut out, as they were from every training
    text (they became its labels), unless the text is nothing but emojis."""
    return TEXT_PREFIX + (strip_emojis(text) or normalize_text(text))
