"""GET / : a small page to try the model (type text, see five emojis, click one to copy it). It is also the
Hugging Face Space's app, so it says which model it serves and in which languages (from the model card)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, current_app, render_template

bp = Blueprint("demo", __name__)

LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
                  "pt": "Portuguese", "ru": "Russian", "ja": "Japanese", "ar": "Arabic", "hi": "Hindi",
                  "zh": "Chinese", "ko": "Korean", "tr": "Turkish", "nl": "Dutch", "pl": "Polish"}


@lru_cache(maxsize=4)
def model_card_facts(folder: str) -> tuple[str, list[str]]:
    """The model card's title and its languages by name (README.md's front matter ``language:``); empty when
    the folder has no card."""
    card = Path(folder) / "README.md"
    text = card.read_text(encoding="utf-8") if card.is_file() else ""
    title = re.search(r"^# (.+)$", text, re.MULTILINE)
    codes = re.search(r"^language:\s*\[([^\]]*)\]", text, re.MULTILINE)
    languages = [LANGUAGE_NAMES.get(c.strip(), c.strip()) for c in codes.group(1).split(",")] if codes else []
    return (title.group(1).strip() if title else ""), [x for x in languages if x and x != "multilingual"]


@bp.get("/")
def index():
    info = current_app.extensions["emoji_predictor"].info()
    title, languages = model_card_facts(str(info.get("path", "")))
    return render_template("index.html", model=title or info.get("name", "emoji-suggest"), labels=info.get("labels"),
                           languages=languages)
