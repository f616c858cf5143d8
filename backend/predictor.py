"""Turn texts into ranked emoji suggestions. The API talks to any ``Predictor``; tests use a fake one."""

from __future__ import annotations

import logging
import threading
import time
import warnings
from typing import Protocol, TypedDict

import torch

from .modeling.labels import display_emoji, emoji_name
from .modeling.text import model_input

log = logging.getLogger(__name__)


class Suggestion(TypedDict):
    emoji: str
    name: str
    score: float


class Predictor(Protocol):
    labels: list[str]

    def suggest(self, texts: list[str], k: int) -> list[list[Suggestion]]: ...

    def info(self) -> dict: ...


def rank(probs: list[float], labels: list[str], k: int) -> list[Suggestion]:
    """The k best labels for one text, highest score first."""
    order = sorted(range(len(labels)), key=lambda i: -probs[i])[:k]
    return [{"emoji": display_emoji(labels[i]), "name": emoji_name(labels[i]), "score": round(float(probs[i]), 4)}
            for i in order]


class TransformerPredictor:
    """The fine-tuned encoder, in eval mode, optionally with dynamic int8 Linear layers."""

    def __init__(self, model_dir: str, threads: int = 0, quantize: bool = False):
        from .modeling.classifier import load_classifier

        t0 = time.time()
        if threads:
            torch.set_num_threads(threads)
        self.model, self.tokenizer = load_classifier(model_dir)
        if quantize:
            with warnings.catch_warnings():  # torch marks its eager int8 API deprecated; it is still the fast path
                warnings.simplefilter("ignore")
                self.model = torch.ao.quantization.quantize_dynamic(self.model, {torch.nn.Linear}, dtype=torch.qint8)
        self.labels = self.model.labels
        self.max_length = self.model.meta.max_length
        self.quantized = quantize
        self.model_dir = str(model_dir)
        self._lock = threading.Lock()  # one forward pass at a time per process
        self.load_seconds = round(time.time() - t0, 2)
        log.info("model loaded from %s in %.1fs (%d labels, int8=%s)", model_dir, self.load_seconds,
                 len(self.labels), quantize)

    @torch.inference_mode()
    def probabilities(self, texts: list[str]) -> torch.Tensor:
        enc = self.tokenizer([model_input(t) for t in texts], padding=True, truncation=True,
                             max_length=self.max_length, return_tensors="pt")
        with self._lock:
            logits = self.model(enc["input_ids"], enc["attention_mask"])
        return torch.softmax(self.model.decision_logits(logits.float()), dim=-1)

    def suggest(self, texts: list[str], k: int) -> list[list[Suggestion]]:
        probs = self.probabilities(texts).tolist()
        return [rank(p, self.labels, k) for p in probs]

    def info(self) -> dict:
        meta = self.model.meta
        return {"path": self.model_dir, "labels": len(self.labels), "base_model": meta.base_model,
                "int8": self.quantized, "max_length": self.max_length, "load_seconds": self.load_seconds,
                "name": meta.extra.get("name", "emoji-suggest")}
