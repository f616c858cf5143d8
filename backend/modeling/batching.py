"""Turning token id lists into padded tensors, in chunks of similar length: shared by training and serving.

A batch is as slow as its longest text; tweets run from 5 to 64 tokens, so sorting a request's texts by length
and running them in chunks does the same work on far fewer padding tokens.
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


def length_sorted_chunks(ids: list[list[int]], size: int) -> list[list[int]]:
    """Row indices, shortest texts first, cut into chunks of at most ``size``; every index exactly once."""
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    return [order[s : s + size] for s in range(0, len(order), size)]
