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
                  "zh": "Chinese", "ko": "Korean", "tr": "Turkish", "nl": "Dutch", "pl": "Polish", "uk": "Ukrainian",
                  "ro": "Romanian", "sv": "Swedish", "af": "Afrikaans", "am": "Amharic", "ha": "Hausa", "ig": "Igbo",
                  "rw": "Kinyarwanda", "mr": "Marathi", "om": "Oromo", "so": "Somali", "su": "Sundanese",
                  "sw": "Swahili", "tt": "Tatar", "ti": "Tigrinya", "yo": "Yoruba", "id": "Indonesian"}


@lru_cache(maxsize=4)
def model_card_facts(folder: str) -> tuple[str, list[str]]:
    """The model card's title and its languages by name (README.md's front matter ``language:``); empty when
    the folder has no card."""
    card = Path(folder) / "README.md"
    if not card.is_file():
        return "", []
    from huggingface_hub import ModelCard  # the card's own parser: flow or block YAML alike

    parsed = ModelCard.load(card)
    title = re.search(r"^# (.+)$", parsed.text, re.MULTILINE)
    codes = parsed.data.language or []
    codes = [codes] if isinstance(codes, str) else codes
    languages = [LANGUAGE_NAMES.get(str(c).strip(), str(c).strip()) for c in codes]
    return (title.group(1).strip() if title else ""), [x for x in languages if x and x != "multilingual"]


@bp.get("/")
def index():
    info = current_app.extensions["emoji_predictor"].info()
    title, languages = model_card_facts(str(info.get("path", "")))
    return render_template("index.html", model=title or info.get("name", "emoji-suggest"), labels=info.get("labels"),
                           languages=languages)
