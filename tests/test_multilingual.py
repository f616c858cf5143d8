"""benchmarks.multilingual: the sentiment gap counts negative-feeling emojis the right way round, and a model
compared with itself agrees everywhere."""

import numpy as np
import pytest

from benchmarks.multilingual import LANGUAGES, compare, sentiment_gap
from training.data import DEFAULT_DATA_DIR


def test_sentiment_gap_is_negative_emojis_on_negative_tweets_minus_on_positive_ones():
    top5 = [["😭", "😡", "😂", "❤", "😊"], ["😢", "😂", "❤", "😊", "😍"], ["😂", "❤", "😊", "😍", "🔥"],
            ["😔", "❤", "😊", "😍", "🔥"]]
    sentiment = np.array([0, 0, 2, 2])  # xlm-t: 0 negative, 2 positive
    assert sentiment_gap(top5, sentiment) == pytest.approx((2 + 1) / 2 - (0 + 1) / 2)
    assert sentiment_gap(top5, 2 - sentiment) == pytest.approx(-1.0)  # suggestions against the sentiment
    assert sentiment_gap(top5[2:] * 2, sentiment) == 0.0


@pytest.mark.model
def test_a_model_compared_with_itself_agrees_in_every_language():
    if not (DEFAULT_DATA_DIR / "xlm-t").is_dir():
        pytest.skip("../shared/data/xlm-t is not here")
    result = compare(["backend/models/default", "backend/models/default/"], DEFAULT_DATA_DIR, 12)
    assert set(result) == set(LANGUAGES)
    for row in result.values():
        a, b = row["backend/models/default"], row["backend/models/default/"]
        assert a == b and a["agreement"] == 1.0
