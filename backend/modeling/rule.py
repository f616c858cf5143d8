"""The decision rule's second part: which emoji comes first.

A model folder's ``config.json`` may carry, besides ``emoji_suggest.logit_bias`` (the per-label bias behind every
score), a ``first_logit_bias``: a second bias vector that picks only the first suggestion. One bias for the whole
list has to keep a smile in a happy text's top three, and then also puts one first for many angry or sad texts; the
second bias lets the first place follow the text's feeling while places two to k keep the first bias's order
(docs/multilingual.md, "The first suggestion's own rule"). Scores stay the first bias's probabilities, so the
first suggestion's score can be lower than the second's: the order shown is the order of the list.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-12


def first_shift(extra: dict) -> np.ndarray | None:
    """``first_logit_bias - logit_bias`` of a model's ``emoji_suggest`` settings: what turns its log-probabilities
    into the first place's scores; None when the model has no separate first-place rule."""
    first = extra.get("first_logit_bias")
    if not first:
        return None
    bias = extra.get("logit_bias") or [0.0] * len(first)
    return np.asarray(first, dtype=np.float64) - np.asarray(bias, dtype=np.float64)


def first_choice(probs: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """The label each row's list starts with: the argmax of its log-probabilities plus ``shift``."""
    return np.argmax(np.log(np.asarray(probs, dtype=np.float64) + EPS) + shift, axis=-1)


def as_shown(probs: np.ndarray, shift: np.ndarray | None) -> np.ndarray:
    """``probs`` (one row per text) with each row's first choice lifted above every other label, so that sorting a
    row's values in descending order gives the list users see; unchanged without a first-place rule."""
    if shift is None:
        return probs
    out = np.array(probs, dtype=np.float32)
    out[np.arange(len(out)), first_choice(out, shift)] += 1.0
    return out
