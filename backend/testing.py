"""A stand-in for the model, for tests of the app and of its clients: ``create_app(settings, FakePredictor())``
serves the whole API in milliseconds, with scores that depend on the text so that answers can be told apart."""

from __future__ import annotations

from .predictor import Suggestion, rank

FAKE_LABELS = ["❤", "😂", "😭", "🎄", "🔥", "😡", "🙄"]


class FakePredictor:
    """Deterministic: a text's scores depend on its length only. Records the texts of every call."""

    labels = FAKE_LABELS

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def suggest(self, texts: list[str], k: int, language: str = "en") -> list[list[Suggestion]]:
        self.calls.append(list(texts))
        out = []
        for t in texts:
            weights = [((len(t) * (i + 3)) % 11) + 1 for i in range(len(self.labels))]
            total = sum(weights)
            out.append(rank([w / total for w in weights], self.labels, k, language))
        return out

    def info(self) -> dict:
        return {"name": "fake", "labels": len(self.labels)}
