"""A hashed word and character n-gram linear model: the lexical half of the emoji classifier.

It sees what the encoder's mean pooling blurs (a hashtag, a spelling, a word the subword vocabulary splits
badly) and costs well under a millisecond per text. Its log-probabilities are added to the encoder's with one
weight tuned on validation (``emoji_suggest.ngram_weight`` in config.json). It lives in ``ngrams.safetensors``
beside the encoder's weights, with the same labels.

Features of a text (:func:`features`, from the exact string the encoder sees, ``text.model_input``): lower-cased
word unigrams and bigrams and the character 2- to 5-grams of each word padded with spaces, hashed by CRC-32 into
``buckets`` rows (stable across processes and machines, unlike Python's ``hash``), counted, L2-normalised.
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

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        return self.table(ids, offsets, per_sample_weights=weights) + self.bias

    def logits(self, model_texts: list[str]) -> torch.Tensor:
        return self(*packed([features(t, self.buckets) for t in model_texts]))

    def save(self, folder: str | Path) -> None:
        """``ngrams.safetensors`` in a model folder (fp16: the table is the bulk of it)."""
        save_file({"table": self.table.weight.detach().half().contiguous(), "bias": self.bias.detach().float()},
                  str(Path(folder) / NGRAMS_FILE), metadata={"format": "pt"})


def load_ngrams(folder: str | Path) -> NgramModel | None:
    """The n-gram model saved beside an encoder, or None when the folder has none."""
    path = Path(folder) / NGRAMS_FILE
    if not path.exists():
        return None
    state = load_file(str(path))
    model = NgramModel(*state["table"].shape)
    model.table.weight.data = state["table"].float()
    model.bias.data = state["bias"].float()
    return model.eval()
