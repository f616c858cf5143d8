"""Write ``backend/modeling/emoji_names.json``: the names of the suggested emojis in other languages than English.

The names are Unicode CLDR's short names as the ``emoji`` package carries them (a development dependency, so that
serving needs neither it nor its 2 MB of data): for each language it knows, each label of the embedded default
model and every built-in label set. The API answers with them when a client asks for a language
(``backend.modeling.labels.emoji_name``). Run again when the vocabulary grows::

    python -m training.emoji_names
"""

from __future__ import annotations

import json
from pathlib import Path

from backend.config import DEFAULT_MODEL_DIR
from backend.modeling.labels import EMOTION_FAMILIES, NAMES_FILE, WIDE_EMOJIS, canonical_emoji


def vocabulary(model_dir: Path = Path(DEFAULT_MODEL_DIR)) -> list[str]:
    """The labels to name: the default model's, the wide set and the emotion families', canonical, sorted."""
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    labels = set(config["id2label"].values()) | set(WIDE_EMOJIS) | set().union(*EMOTION_FAMILIES.values())
    return sorted({canonical_emoji(label) for label in labels})


def cldr_names(labels: list[str]) -> dict[str, dict[str, str]]:
    """{language: {emoji: name}} for every language of the ``emoji`` package but English."""
    import emoji
    from emoji.unicode_codes import EMOJI_DATA, LANGUAGES

    languages = sorted(set(LANGUAGES) - {"en"})
    emoji.config.load_language(languages)
    names: dict[str, dict[str, str]] = {}
    for language in languages:
        names[language] = {}
        for label in labels:
            data = EMOJI_DATA.get(label) or EMOJI_DATA.get(label + "\ufe0f") or {}
            code = data.get(language)
            if code:
                names[language][label] = code.strip(":").replace("_", " ")
    return names


def main() -> None:
    names = cldr_names(vocabulary())
    NAMES_FILE.write_text(json.dumps(names, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{NAMES_FILE}: {len(names)} languages, {sum(map(len, names.values()))} names")


if __name__ == "__main__":
    main()
