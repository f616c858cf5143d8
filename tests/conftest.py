import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend import create_app  # noqa: E402
from backend.config import Settings  # noqa: E402
from backend.predictor import rank  # noqa: E402

FAKE_LABELS = ["❤", "😂", "😭", "🎄", "🔥", "😡", "🙄"]


class FakePredictor:
    """Deterministic stand-in for the model: scores depend on the text, so tests can tell texts apart."""

    labels = FAKE_LABELS

    def __init__(self):
        self.calls: list[list[str]] = []

    def suggest(self, texts, k):
        self.calls.append(list(texts))
        out = []
        for t in texts:
            weights = [((len(t) * (i + 3)) % 11) + 1 for i in range(len(self.labels))]
            total = sum(weights)
            out.append(rank([w / total for w in weights], self.labels, k))
        return out

    def info(self):
        return {"name": "fake", "labels": len(self.labels)}


@pytest.fixture
def fake_predictor():
    return FakePredictor()


@pytest.fixture
def make_client(fake_predictor):
    def _make(**settings):
        app = create_app(Settings(**settings), predictor=fake_predictor)
        app.testing = True
        return app.test_client()

    return _make


@pytest.fixture
def client(make_client):
    return make_client()
