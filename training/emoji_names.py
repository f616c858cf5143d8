"""Write ``backend/modeling/emoji_names.json``: the names of the suggested emojis in other languages than English.

The names are Unicode CLDR's short (text-to-speech) names, read from the CLDR JSON packages that npm publishes
(``cldr-annotations-full`` and, for flags, ``cldr-annotations-derived-full``), so that serving needs neither npm
nor their 10 MB. A language is kept when CLDR names every label of the embedded default model in it; its
regional variants (``pt-PT``, ``fr-CA``) are left out, script variants (``zh-Hant``, ``sr-Latn``) kept. The API
answers with these names when a client asks for a language (``backend.modeling.labels.emoji_name``). Run again
when the vocabulary grows (``make emoji-names`` fetches the packages with ``npm pack`` first)::

    python -m training.emoji_names --cache_dir .cache/cldr
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from backend.config import DEFAULT_MODEL_DIR
from backend.modeling.labels import EMOTION_FAMILIES, NAMES_FILE, WIDE_EMOJIS, canonical_emoji

CLDR_VERSION = "48.2.0"
CLDR_PACKAGES = ("cldr-annotations-full", "cldr-annotations-derived-full")
# package/annotations/<locale>/annotations.json, package/annotationsDerived/<locale>/annotations.json
_MEMBER_RE = re.compile(r"^package/annotations(?:Derived)?/([^/]+)/annotations\.json$")
# a locale without a region: a language, optionally with a script (zh-Hant, sr-Latn)
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?$")


@dataclass
class NamesArgs:
    cache_dir: str = field(default=".cache/cldr", metadata={"help": "where the CLDR npm tarballs are (fetched "
                                                                    "there with npm pack when missing)"})


def vocabulary(model_dir: Path = Path(DEFAULT_MODEL_DIR)) -> tuple[list[str], list[str]]:
    """The labels to name (the default model's, the wide set and the emotion families', canonical, sorted) and
    those every kept language must name (the default model's)."""
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    required = {canonical_emoji(label) for label in config["id2label"].values()}
    labels = required | {canonical_emoji(e) for e in WIDE_EMOJIS} | set().union(*EMOTION_FAMILIES.values())
    return sorted(labels), sorted(required)


def tarballs(cache_dir: Path) -> list[Path]:
    """The CLDR packages' tarballs in ``cache_dir``, fetched with ``npm pack`` when missing."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for package in CLDR_PACKAGES:
        path = cache_dir / f"{package}-{CLDR_VERSION}.tgz"
        if not path.exists():
            subprocess.run(["npm", "pack", f"{package}@{CLDR_VERSION}", "--pack-destination", str(cache_dir)],
                           check=True, stdout=subprocess.DEVNULL)
        paths.append(path)
    return paths


def read_tts(paths: list[Path]) -> dict[str, dict[str, str]]:
    """{locale: {emoji: CLDR short name}} from the packages' tarballs, read without unpacking them."""
    names: dict[str, dict[str, str]] = {}
    for path in paths:
        with tarfile.open(path) as tar:
            for member in tar:
                match = _MEMBER_RE.match(member.name)
                if not match:
                    continue
                data = json.load(tar.extractfile(member))  # type: ignore[arg-type]
                block = next(iter(data.values()))  # "annotations" or "annotationsDerived"
                entries = next((v for k, v in block.items() if k.startswith("annotations")), {})
                table = names.setdefault(match.group(1), {})
                for emoji, entry in entries.items():
                    if entry.get("tts"):
                        table[emoji.replace("\ufe0f", "")] = entry["tts"][0]
    return names


def cldr_names(labels: list[str], required: list[str], tts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """{language: {emoji: name}} for every CLDR language but English that names all of ``required``."""
    out = {}
    for locale, table in sorted(tts.items()):
        if locale == "en" or not _LOCALE_RE.match(locale) or any(e not in table for e in required):
            continue
        out[locale] = {e: table[e] for e in labels if e in table}
    return out


def main(args: NamesArgs) -> None:
    labels, required = vocabulary()
    names = cldr_names(labels, required, read_tts(tarballs(Path(args.cache_dir))))
    NAMES_FILE.write_text(json.dumps(names, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{NAMES_FILE}: {len(names)} languages, {sum(map(len, names.values()))} names, "
          f"{NAMES_FILE.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (parsed,) = HfArgumentParser(NamesArgs).parse_args_into_dataclasses(args=sys.argv[1:])
    main(parsed)
