"""A hashed word and character n-gram linear model: the lexical half of the emoji classifier.

It sees what the encoder's mean pooling blurs (a hashtag, a spelling, a word the subword vocabulary splits
badly) and costs well under a millisecond per text. Its log-probabilities are added to the encoder's with one
weight tuned on validation (``emoji_suggest.ngram_weight`` in config.json). It lives in ``ngrams.safetensors``
beside the encoder's weights, with the same labels.

Features of a text (:func:`features`, from the exact string the encoder sees, ``text.model_input``): lower-cased
word unigrams and bigrams and the character 2- to 5-grams of each word padded with spaces, hashed by CRC-32 into
``buckets`` rows (stable across processes and machines, unlike Python's ``hash``), counted, L2-normalised.

Its weight is gated by how much of a text it knows (:func:`word_coverage`): the share of the text's words seen
at least twice in its training rows, looked up in a hashed bitmap saved with it (``seen_words``). Its rows are
mostly English and Spanish, and in a language it never saw (Russian, Japanese, Hindi...) its scores are its
priors (😂, ❤) rather than evidence: there the gate closes and the encoder speaks alone.
"""

from __future__ import annotations

import zlib
from collections import Counter
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from .text import TEXT_PREFIX

NGRAMS_FILE = "ngrams.safetensors"
CHAR_SIZES = (2, 3, 4, 5)
SEEN_BITS = 2**20  # the seen-word bitmap: 128 KB; ~40k words seen twice in the wide data, ~4% false positives


def tokens(model_text: str) -> list[str]:
    """The words the n-grams are built from: the encoder's input (emojis already cut out) without its task
    prefix, lower-cased."""
    return model_text.removeprefix(TEXT_PREFIX).lower().split()


def features(model_text: str, buckets: int) -> tuple[list[int], list[float]]:
    """Hashed n-gram ids of one encoder input (``text.model_input``) and their L2-normalised counts."""
    words = tokens(model_text)
    grams = [f"w {w}" for w in words] + [f"b {a} {b}" for a, b in zip(words, words[1:], strict=False)]
    for w in words:
        padded = f" {w} "
        grams += [padded[i : i + n] for n in CHAR_SIZES for i in range(len(padded) - n + 1)]
    counts = Counter(zlib.crc32(g.encode("utf-8")) % buckets for g in grams)
    if not counts:
        return [0], [0.0]
    norm = sum(c * c for c in counts.values()) ** 0.5
    return list(counts), [c / norm for c in counts.values()]


def _word_bit(word: str, bits: int) -> int:
    return zlib.crc32(f"w {word}".encode()) % bits


def seen_words(model_texts: list[str], min_count: int = 2, bits: int = SEEN_BITS) -> torch.Tensor:
    """The bitmap of words that occur at least ``min_count`` times in ``model_texts`` (uint8, ``bits / 8``)."""
    counts = Counter(w for t in model_texts for w in tokens(t))
    bitmap = torch.zeros(bits // 8, dtype=torch.uint8)
    for word, c in counts.items():
        if c >= min_count:
            b = _word_bit(word, bits)
            bitmap[b // 8] |= 1 << (b % 8)
    return bitmap


def word_coverage(model_text: str, bitmap: torch.Tensor) -> float:
    """The share of a text's words set in ``bitmap`` (0 for a text without words)."""
    words = tokens(model_text)
    if not words:
        return 0.0
    bits = bitmap.numel() * 8
    return sum((int(bitmap[b // 8]) >> (b % 8)) & 1 for b in (_word_bit(w, bits) for w in words)) / len(words)


def packed(rows: list[tuple[list[int], list[float]]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """EmbeddingBag inputs (ids, offsets, per-id weights) for rows of :func:`features`."""
    ids: list[int] = []
    weights: list[float] = []
    offsets = []
    for i, w in rows:
        offsets.append(len(ids))
        ids += i
        weights += w
    return torch.tensor(ids), torch.tensor(offsets), torch.tensor(weights, dtype=torch.float32)


class NgramModel(nn.Module):
    """Logits = the weighted sum of the rows of a text's n-grams, plus a bias: a linear model on hashed n-grams."""

    def __init__(self, buckets: int, num_labels: int, sparse: bool = False):
        super().__init__()
        self.buckets = buckets
        self.table = nn.EmbeddingBag(buckets, num_labels, mode="sum", sparse=sparse)  # sparse: for training
        self.bias = nn.Parameter(torch.zeros(num_labels))
        nn.init.zeros_(self.table.weight)
        self.seen: torch.Tensor | None = None  # the seen-word bitmap; None: no gate (weight applies in full)

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        return self.table(ids, offsets, per_sample_weights=weights) + self.bias

    def logits(self, model_texts: list[str]) -> torch.Tensor:
        return self(*packed([features(t, self.buckets) for t in model_texts]))

    def gate(self, model_texts: list[str]) -> torch.Tensor:
        """Per text, the share of the fusion weight it gets: its word coverage, or 1 without a bitmap."""
        if self.seen is None:
            return torch.ones(len(model_texts))
        return torch.tensor([word_coverage(t, self.seen) for t in model_texts])

    def save(self, folder: str | Path) -> None:
        """``ngrams.safetensors`` in a model folder (fp16: the table is the bulk of it)."""
        state = {"table": self.table.weight.detach().half().contiguous(), "bias": self.bias.detach().float()}
        if self.seen is not None:
            state["seen_words"] = self.seen
        save_file(state, str(Path(folder) / NGRAMS_FILE), metadata={"format": "pt"})


def load_ngrams(folder: str | Path) -> NgramModel | None:
    """The n-gram model saved beside an encoder, or None when the folder has none."""
    path = Path(folder) / NGRAMS_FILE
    if not path.exists():
        return None
    state = load_file(str(path))
    model = NgramModel(*state["table"].shape)
    model.table.weight.data = state["table"].float()
    model.bias.data = state["bias"].float()
    model.seen = state.get("seen_words")
    return model.eval()
