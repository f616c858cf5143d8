"""The first-place rule (backend.modeling.rule): one rule behind the served lists and the evaluation's."""

import numpy as np
import pytest

from backend.modeling.rule import as_shown, first_choice, first_shift
from backend.predictor import rank

LABELS = ["😂", "😢", "😍", "😡", "🎉"]


def test_a_model_without_a_first_place_rule_has_none():
    assert first_shift({"logit_bias": [0.5] * 5}) is None
    assert first_shift({}) is None
    shift = first_shift({"logit_bias": [1.0, 0, 0, 0, 0], "first_logit_bias": [0.0, 0.5, 0, 0, 0]})
    assert shift.tolist() == [-1.0, 0.5, 0.0, 0.0, 0.0]
    assert first_shift({"first_logit_bias": [0.0, 0.5, 0, 0, 0]}).tolist() == [0.0, 0.5, 0.0, 0.0, 0.0]


def test_the_first_place_rule_picks_the_first_and_the_scores_order_the_rest():
    probs = [0.40, 0.30, 0.15, 0.10, 0.05]
    shift = np.log([1.0, 2.0, 1.0, 1.0, 1.0])  # 😢 counts twice as much for the first place: 0.6 > 0.4
    shown = rank(probs, LABELS, 4, shift=shift)
    assert [s["emoji"] for s in shown] == ["😢", "😂", "😍", "😡"]
    assert [s["score"] for s in shown] == [0.3, 0.4, 0.15, 0.1]  # the scores are the model's, unchanged
    assert [s["emoji"] for s in rank(probs, LABELS, 1, shift=shift)] == ["😢"]
    # a first choice from outside the top k still leads, and the list keeps k distinct emojis
    far = np.log([1.0, 1.0, 1.0, 1.0, 20.0])
    assert [s["emoji"] for s in rank(probs, LABELS, 3, shift=far)] == ["🎉", "😂", "😢"]
    assert [s["emoji"] for s in rank(probs, LABELS, 3)] == ["😂", "😢", "😍"]


@pytest.mark.parametrize("seed", range(5))
def test_evaluation_sorts_the_lists_the_api_serves(seed):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(len(LABELS)), size=20)
    shift = rng.normal(0, 1, len(LABELS))
    order = np.argsort(-as_shown(probs, shift), axis=1)
    for row, p in zip(order, probs, strict=True):
        assert [LABELS[i] for i in row] == [s["emoji"] for s in rank(p.tolist(), LABELS, len(LABELS), shift=shift)]
    assert (first_choice(probs, shift) == order[:, 0]).all()
    assert as_shown(probs, None) is probs
