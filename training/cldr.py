"""Unicode CLDR's emoji annotations: each emoji's short name in about 100 languages.

Read from the JSON packages CLDR publishes on npm (``cldr-annotations-full``; flags and other derived emojis in
``cldr-annotations-derived-full``), straight from their tarballs. Unicode License v3: free to use and
redistribute with its notice. ``training.emoji_names`` takes the names for the API (CLDR's keywords as training
text were measured and not kept: docs/multilingual.md).
"""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from pathlib import Path

CLDR_VERSION = "48.2.0"
CLDR_PACKAGES = ("cldr-annotations-full", "cldr-annotations-derived-full")
DEFAULT_CACHE_DIR = Path(".cache/cldr")
# package/annotations/<locale>/annotations.json, package/annotationsDerived/<locale>/annotations.json
_MEMBER_RE = re.compile(r"^package/annotations(?:Derived)?/([^/]+)/annotations\.json$")
# a locale without a region: a language, optionally with a script (zh-Hant, sr-Latn)
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?$")


def tarball_paths(cache_dir: Path = DEFAULT_CACHE_DIR) -> list[Path]:
    return [Path(cache_dir) / f"{package}-{CLDR_VERSION}.tgz" for package in CLDR_PACKAGES]


def fetch(cache_dir: Path = DEFAULT_CACHE_DIR) -> list[Path]:
    """The packages' tarballs in ``cache_dir``, fetched with ``npm pack`` (the npm registry) when missing."""
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    for package, path in zip(CLDR_PACKAGES, tarball_paths(cache_dir), strict=True):
        if not path.exists():
            subprocess.run(["npm", "pack", f"{package}@{CLDR_VERSION}", "--pack-destination", str(cache_dir)],
                           check=True, stdout=subprocess.DEVNULL)
    return tarball_paths(cache_dir)


def is_language(locale: str) -> bool:
    """A language or a language in a script (``de``, ``zh-Hant``), not a regional variant (``pt-PT``)."""
    return bool(_LOCALE_RE.match(locale)) and locale != "und"


def read_names(paths: list[Path]) -> dict[str, dict[str, str]]:
    """{locale: {emoji without U+FE0F: CLDR's short name}} from the packages' tarballs, read without unpacking."""
    out: dict[str, dict[str, str]] = {}
    for path in paths:
        with tarfile.open(path) as tar:
            for member in tar:
                match = _MEMBER_RE.match(member.name)
                if not match:
                    continue
                data = json.load(tar.extractfile(member))  # type: ignore[arg-type]
                block = next(iter(data.values()))  # "annotations" or "annotationsDerived"
                entries = next((v for k, v in block.items() if k.startswith("annotations")), {})
                table = out.setdefault(match.group(1), {})
                for emoji, entry in entries.items():
                    if entry.get("tts"):
                        table[emoji.replace("\ufe0f", "")] = entry["tts"][0]
    return out
