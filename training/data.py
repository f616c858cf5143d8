"""Labelled tweet sources in the TweetEval layout, read from a local folder or the Hugging Face Hub."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from backend.modeling.labels import canonical_emoji

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@dataclass
class Split:
    texts: list[str]
    labels: list[str]  # canonical emoji strings

    def __len__(self) -> int:
        return len(self.texts)

    def head_rows_per_label(self, n: int) -> list[int]:
        """The rows of about ``n`` examples, the first ones of each label in turn (every label kept)."""
        by_label: dict[str, list[int]] = {}
        for i, e in enumerate(self.labels):
            by_label.setdefault(e, []).append(i)
        per = max(1, -(-n // len(by_label)))
        return sorted(i for idx in by_label.values() for i in idx[:per])

    def rows(self, keep: list[int]) -> Split:
        return Split([self.texts[i] for i in keep], [self.labels[i] for i in keep])

    def head_per_label(self, n: int) -> Split:
        """About ``n`` examples, the first ones of each label in turn (every label kept): for smoke runs."""
        return self.rows(self.head_rows_per_label(n))


def read_mapping(path: Path) -> dict[int, str]:
    mapping = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            parts = line.split("\t")
            mapping[int(parts[0])] = parts[1]
    return mapping


# xlm-t's sentiment-labelled tweets (eight languages): benchmarks.multilingual reads the first rows of each
# language.
XLMT_CHECK_ROWS = 600


def read_lines(path: Path) -> list[str]:
    # Split on "\n" only: tweets may contain other Unicode line separators.
    return path.read_text(encoding="utf-8").rstrip("\n").split("\n")


def read_tweeteval_layout(folder: Path, prefix: str, mapping_file: str = "mapping.txt") -> Split:
    """``{prefix}_text.txt`` + ``{prefix}_labels.txt`` with emoji ids resolved through ``mapping_file``."""
    mapping = read_mapping(folder / mapping_file)
    texts = read_lines(folder / f"{prefix}_text.txt")
    ids = [int(x) for x in read_lines(folder / f"{prefix}_labels.txt")]
    if len(texts) != len(ids):
        raise ValueError(f"{folder}/{prefix}: {len(texts)} texts but {len(ids)} labels")
    return Split(texts, [canonical_emoji(mapping[i]) for i in ids])


def tweeteval_emoji(split: str, data_dir: Path | None = DEFAULT_DATA_DIR) -> Split:
    """TweetEval emoji (train / val / test). Local folder first; the Hub's ``tweet_eval`` otherwise."""
    folder = Path(data_dir or "") / "tweeteval" / "emoji"
    if data_dir is not None and folder.is_dir():
        return read_tweeteval_layout(folder, split)
    from datasets import load_dataset  # optional dependency, needs network

    ds = load_dataset("cardiffnlp/tweet_eval", "emoji", split={"val": "validation"}.get(split, split))
    names = ds.features["label"].names  # e.g. "❤" ... in the Hub release
    return Split(list(ds["text"]), [canonical_emoji(names[i]) for i in ds["label"]])
