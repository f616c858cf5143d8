"""Make a smaller, faster start for a distilled student: a trained classifier's first N layers, each with its
feed-forward block cut to the F neurons that matter most on real training texts.

    python -m training.prune --model backend/models/default --dataset artifacts/dataset \
        --num_layers 5 --ffn_size 768 --output_dir runs/init5x768
    # then distil it back:  training.train --init_from runs/init5x768 --num_layers 5 --teacher backend/models/default

A neuron's importance is the mean magnitude of its activation over the real (non-padding) tokens of a sample
of training texts, times the norm of its column in the output projection: how much it adds to the residual
stream, the first-order criterion of structured pruning (e.g. Michel et al. 2019 for heads). The feed-forward
blocks are two thirds of a layer's arithmetic, and on this machine a 5-layer, 768-wide encoder measured about
1.45x the batch throughput of the 6-layer, 1536-wide one. The decision biases of the source model do not carry
over (its logits change); the run that trains the pruned model tunes its own.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import torch
from torch import nn

from backend.modeling.batching import length_sorted_chunks, pad_batch
from backend.modeling.classifier import EmojiClassifier, load_classifier


def bert_layers(model: EmojiClassifier) -> nn.ModuleList:
    return model.encoder.encoder.layer


@torch.no_grad()
def ffn_importance(model: EmojiClassifier, ids: list[list[int]], pad_id: int,
                   batch_size: int = 64) -> list[torch.Tensor]:
    """Per layer, one score per feed-forward neuron: mean |activation| over real tokens x ||output column||."""
    model.eval()
    layers = bert_layers(model)
    sums = [torch.zeros(layer.intermediate.dense.out_features) for layer in layers]
    mask_now: list[torch.Tensor] = []

    def hook(i: int):
        def add(_module, _inputs, output: torch.Tensor) -> None:  # output: gelu(dense(x)), (batch, seq, F)
            m = mask_now[0].unsqueeze(-1).to(output.dtype)
            sums[i] += (output.abs() * m).sum((0, 1)).float().cpu()
        return add

    handles = [layer.intermediate.register_forward_hook(hook(i)) for i, layer in enumerate(layers)]
    device = next(model.parameters()).device
    tokens = 0
    try:
        for part in length_sorted_chunks(ids, batch_size):
            x, m = pad_batch([ids[i] for i in part], pad_id)
            mask_now[:] = [m.to(device)]
            model.encoder(input_ids=x.to(device), attention_mask=mask_now[0])
            tokens += int(m.sum())
    finally:
        for h in handles:
            h.remove()
    return [s / max(tokens, 1) * layer.output.dense.weight.float().norm(dim=0).cpu()
            for s, layer in zip(sums, layers, strict=True)]


def keep_first_layers(model: EmojiClassifier, n: int) -> None:
    layers = bert_layers(model)
    if not 0 < n <= len(layers):
        raise ValueError(f"num_layers must be 1..{len(layers)}")
    model.encoder.encoder.layer = nn.ModuleList(list(layers)[:n])
    model.config.num_hidden_layers = n


def _rows(linear: nn.Linear, keep: torch.Tensor, dim: int) -> nn.Linear:
    """A copy of ``linear`` with only the ``keep`` outputs (dim 0) or inputs (dim 1)."""
    w = linear.weight.index_select(dim, keep)
    out = nn.Linear(w.shape[1], w.shape[0], bias=linear.bias is not None)
    out.weight = nn.Parameter(w.clone())
    if linear.bias is not None:
        out.bias = nn.Parameter((linear.bias.index_select(0, keep) if dim == 0 else linear.bias).clone())
    return out.to(linear.weight.device)


def prune_ffn(model: EmojiClassifier, importance: list[torch.Tensor], ffn_size: int) -> None:
    """Keep each layer's ``ffn_size`` most important feed-forward neurons (in their original order)."""
    for layer, score in zip(bert_layers(model), importance, strict=True):
        if not 0 < ffn_size <= score.numel():
            raise ValueError(f"ffn_size must be 1..{score.numel()}")
        keep = torch.topk(score, ffn_size).indices.sort().values.to(layer.intermediate.dense.weight.device)
        layer.intermediate.dense = _rows(layer.intermediate.dense, keep, 0)
        layer.output.dense = _rows(layer.output.dense, keep, 1)
    model.config.intermediate_size = ffn_size


def main() -> None:
    from training.train import TrainArgs, encode, load_splits

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="a trained classifier folder")
    p.add_argument("--dataset", required=True, help="its training data: tweeteval or a built dataset folder")
    p.add_argument("--data_dir", default=TrainArgs.data_dir)
    p.add_argument("--num_layers", type=int, default=0, help="keep the first N layers (0: all)")
    p.add_argument("--ffn_size", type=int, required=True, help="feed-forward neurons kept per layer")
    p.add_argument("--sample", type=int, default=4000, help="training texts the importance is measured on")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--output_dir", required=True)
    a = p.parse_args()

    model, tokenizer = load_classifier(a.model)
    if torch.cuda.is_available():
        model.cuda()
    train, _, labels = load_splits(TrainArgs(output_dir="", dataset=a.dataset, data_dir=a.data_dir))
    if labels != model.labels:
        raise SystemExit(f"{a.model}: its labels are not the dataset's")
    texts = random.Random(a.seed).sample(train.texts, min(a.sample, len(train.texts)))
    if a.num_layers:
        keep_first_layers(model, a.num_layers)
    importance = ffn_importance(model, encode(tokenizer, texts, model.meta.max_length), tokenizer.pad_token_id)
    prune_ffn(model, importance, a.ffn_size)
    model.meta.extra = {"pruned_from": {"model": a.model, "num_layers": model.config.num_hidden_layers,
                                        "ffn_size": a.ffn_size, "importance_texts": len(texts), "seed": a.seed}}
    model.save(a.output_dir)
    print(json.dumps(model.meta.extra), "->", Path(a.output_dir))


if __name__ == "__main__":
    main()
