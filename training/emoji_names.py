"""Write ``backend/modeling/emoji_names.json``: the names of the suggested emojis in other languages than English.

The names are Unicode CLDR's short (text-to-speech) names, read from the CLDR JSON packages that npm publishes
(``training.cldr``), so that serving needs neither npm nor their 10 MB. A language is kept when CLDR names every
label of the embedded default model in it; regional variants (``pt-PT``, ``fr-CA``) are left out, script
variants (``zh-Hant``, ``sr-Latn``) kept. The API answers with these names when a client asks for a language
(``backend.modeling.labels.emoji_name``). Run again when the vocabulary grows (``make emoji-names`` fetches the
packages with ``npm pack`` first)::

    python -m training.emoji_names
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from backend.config import DEFAULT_MODEL_DIR
from backend.modeling.labels import EMOTION_FAMILIES, NAMES_FILE, WIDE_EMOJIS, canonical_emoji
from training.cldr import DEFAULT_CACHE_DIR, fetch, is_language, read_names


@dataclass
class NamesArgs:
    cache_dir: str = field(default=str(DEFAULT_CACHE_DIR), metadata={
        "help": "where the CLDR npm tarballs are (fetched there with npm pack when missing)"})


def vocabulary(model_dir: Path = Path(DEFAULT_MODEL_DIR)) -> tuple[list[str], list[str]]:
    """The labels to name (the default model's, the wide set and the emotion families', canonical, sorted) and
    those every kept language must name (the default model's)."""
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    required = {canonical_emoji(label) for label in config["id2label"].values()}
    labels = required | {canonical_emoji(e) for e in WIDE_EMOJIS} | set().union(*EMOTION_FAMILIES.values())
    return sorted(labels), sorted(required)


def cldr_names(labels: list[str], required: list[str],
               cldr: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """{language: {emoji: name}} for every CLDR language but English that names all of ``required``."""
    out = {}
    for locale, table in sorted(cldr.items()):
        names = {e: table[e] for e in labels if e in table}
        if locale != "en" and is_language(locale) and all(e in names for e in required):
            out[locale] = names
    return out


def main(args: NamesArgs) -> None:
    labels, required = vocabulary()
    names = cldr_names(labels, required, read_names(fetch(Path(args.cache_dir))))
    NAMES_FILE.write_text(json.dumps(names, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{NAMES_FILE}: {len(names)} languages, {sum(map(len, names.values()))} names, "
          f"{NAMES_FILE.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (parsed,) = HfArgumentParser(NamesArgs).parse_args_into_dataclasses(args=sys.argv[1:])
    main(parsed)
