"""Turning token id lists into padded tensors, in chunks of similar length: shared by training and serving.

A batch is as slow as its longest text; tweets run from 5 to 64 tokens, so sorting a request's texts by length
and running them in chunks does the same work on far fewer padding tokens. A chunk can also be bounded in padded
tokens, so that a batch of long posts runs fewer rows at a time and a chunk costs about the same at any length.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # serving pads in NumPy (pad_arrays) and never imports torch
    import torch


def pad_batch(ids: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(input_ids, attention_mask), right-padded to the longest row; int64 tensors (:func:`pad_arrays`)."""
    import torch

    input_ids, mask = pad_arrays(ids, pad_id)
    return torch.from_numpy(input_ids), torch.from_numpy(mask)


def pad_arrays(ids: list[list[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """(input_ids, attention_mask), right-padded to the longest row; int64. Filled in NumPy: a quarter of the
    cost of PyTorch's per-row calls, which matters for one tweet at a time."""
    width = max(len(x) for x in ids)
    input_ids = np.full((len(ids), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(ids), width), dtype=np.int64)
    for row, x in enumerate(ids):
        input_ids[row, : len(x)] = x
        mask[row, : len(x)] = 1
    return input_ids, mask


def last_tokens(ids: list[int], max_length: int, lead: int = 1) -> list[int]:
    """A tokenised text cut to at most ``max_length`` ids by dropping pieces from its start, keeping the ``lead``
    ids the tokenizer put first (``<s>``) and the end (``</s>`` included): the end of a text, nearest the caret
    where an emoji goes, is what a suggestion should read."""
    if len(ids) <= max_length:
        return ids
    return ids[:lead] + ids[len(ids) - max_length + lead :]


def length_sorted_chunks(ids: list[list[int]], size: int, max_tokens: int | None = None) -> list[list[int]]:
    """Row indices, shortest texts first, cut into chunks of at most ``size`` rows and, when ``max_tokens`` is
    given, at most that many tokens once padded (a single longer row still gets a chunk); every index once."""
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    chunks: list[list[int]] = []
    for i in order:
        # sorted, so the row being added is the chunk's longest: its width times the rows is the padded size
        if chunks and len(chunks[-1]) < size and (max_tokens is None or
                                                  (len(chunks[-1]) + 1) * len(ids[i]) <= max_tokens):
            chunks[-1].append(i)
        else:
            chunks.append([i])
    return chunks
