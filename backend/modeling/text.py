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


def normalize_text(text: str) -> str:
    """TweetEval conventions: user mentions become ``@user``, links ``http``; whitespace collapsed."""
    text = URL_RE.sub("http", text)
    text = MENTION_RE.sub("@user", text)
    text = STRAY_RE.sub(" ", text)
    return SPACE_RE.sub(" ", text).strip()


def model_input(text: str) -> str:
    """The exact string the encoder sees for a user's text."""
    return TEXT_PREFIX + normalize_text(text)
