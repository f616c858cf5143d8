"""Retrain a saved classifier's linear head on its frozen encoder's features (decoupled classifier re-training).

    python -m training.retrain_head --model backend/models/default --dataset artifacts/dataset \
        --output_dir runs/head --source_mix tweeteval=3 --epochs 10

The encoder runs once over every training and validation row (its pooled features are cached in
``--features``; about 25 minutes on 2 cores for the built dataset); the head then trains for many epochs in
seconds each, with the loss of ``training.train`` (class weights, row weights, ``--source_mix``,
``--balanced_sources``) and optionally learning without forgetting towards the model's own head
(``--distill_alpha``; ``--distill_skip`` rows learn from their labels alone). It answers how far the head alone
goes on the features a run learnt (Kang et al., 2020), in minutes instead of a fine-tune's hours, and writes a
model folder with only the head changed, ready for ``training.export``, ``training.calibrate`` and
``training.evaluate``. The starting model's decision biases are kept; calibrate again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from backend.modeling.batching import length_sorted_chunks, pad_batch
from backend.modeling.classifier import WEIGHTS_FILE, load_classifier
from training.metrics import scores
from training.train import (
    balanced_offsets,
    class_weights_and_log_prior,
    distillation_loss,
    distilled_loss,
    encode,
    git_commit,
    log_to,
    parse_mix,
    started_from,
)

log = logging.getLogger("retrain_head")


@dataclass
class RetrainHeadArgs:
    model: str = field(metadata={"help": "a saved classifier folder: its encoder stays as it is"})
    output_dir: str = field(metadata={"help": "where the model with the retrained head goes"})
    dataset: str = field(default="artifacts/dataset", metadata={"help": "a built dataset (training.build_dataset)"})
    features: str = field(default="", metadata={
        "help": "cache of the pooled features (.npz; default OUTPUT_DIR-features.npz, beside the model folder), "
                "reused when it was made by the same weights on the same number of rows"})
    epochs: float = 10.0
    batch_size: int = 2048
    lr: float = 1e-3
    class_weight_power: float = 0.5
    source_mix: str = field(default="", metadata={"help": "as training.train: 'tweeteval=3,xed=0.5' (others: 1)"})
    balanced_sources: str = field(default="", metadata={"help": "as training.train"})
    balanced_loss_weight: float = field(default=0.0, metadata={"help": "as training.train"})
    distill_alpha: float = field(default=0.0, metadata={"help": "weight of the KL to the starting head (0: off)"})
    distill_temperature: float = 2.0
    distill_skip: str = field(default="", metadata={"help": "source families that learn from their labels alone"})
    pairs_weight: float = field(default=0.0, metadata={
        "help": "weight of the cross-lingual loss on the dataset's parallel pairs, as training.train (0: off)"})
    pairs_batch_size: int = field(default=512, metadata={"help": "parallel pairs per step"})
    seed: int = 42
    threads: int = 0


def weights_digest(folder: Path) -> str:
    return hashlib.sha256((folder / WEIGHTS_FILE).read_bytes()).hexdigest()


@torch.no_grad()
def pooled_features(model, ids: list[list[int]], pad_id: int, batch_size: int = 128) -> np.ndarray:
    """The pooled encoder output (what the head reads) of every row, in row order."""
    out = np.zeros((len(ids), model.config.hidden_size), dtype=np.float32)
    for part in length_sorted_chunks(ids, batch_size):
        x, m = pad_batch([ids[i] for i in part], pad_id)
        out[part] = model.pooled(x, m).float().numpy()
    return out


def cached_features(model, tokenizer, texts: dict[str, list[str]], cache: Path, digest: str) -> dict[str, np.ndarray]:
    """The pooled features of each named list of texts, from ``cache`` where it holds that name with as many rows
    and was made by the same weights (``digest``), else computed; the cache is then rewritten with every name."""
    stored = dict(np.load(cache)) if cache.exists() else {}
    if str(stored.get("digest", "")) != digest:
        stored = {}
    todo = [name for name, t in texts.items() if name not in stored or len(stored[name]) != len(t)]
    if todo:
        t0 = time.time()
        for name in todo:
            ids = encode(tokenizer, texts[name], model.meta.max_length)
            stored[name] = pooled_features(model, ids, tokenizer.pad_token_id).astype(np.float16)
        stored["digest"] = np.array(digest)
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, **stored)
        log.info("features of %d texts in %.0f s, cached in %s", sum(len(texts[n]) for n in todo), time.time() - t0,
                 cache)
    return {name: np.asarray(stored[name], dtype=np.float32) for name in texts}


class StartingHead:
    """The head a run starts from, as ``training.train.distilled_loss``'s teacher: a frozen copy of it, applied to
    the cached features of the rows drawn."""

    def __init__(self, head: torch.nn.Linear, features: torch.Tensor):
        self.head = torch.nn.Linear(head.in_features, head.out_features)
        self.head.load_state_dict(head.state_dict())
        self.features = features
        self.columns = torch.arange(head.out_features)

    @torch.no_grad()
    def logits(self, rows: list[int]) -> torch.Tensor:
        return self.head(self.features[rows])


def fit_head(x: np.ndarray, y: np.ndarray, row_weights: np.ndarray, families: list[str], weight: torch.Tensor,
             bias: torch.Tensor, args: RetrainHeadArgs,
             pairs: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The head (weight, bias) trained on features ``x`` from the given start; rows are drawn in proportion to
    their ``--source_mix`` factor, the loss is ``training.train``'s, with its cross-lingual term on ``pairs``
    (the features of the English sides and of their translations) when ``--pairs_weight`` is set."""
    rng = np.random.default_rng(args.seed)
    torch.manual_seed(args.seed)
    n_labels = weight.shape[0]
    class_w, log_prior = class_weights_and_log_prior(y, n_labels, args.class_weight_power, row_weights)
    balanced = [f.strip() for f in args.balanced_sources.split(",") if f.strip()]
    profile, offsets = balanced_offsets(y, families, balanced, log_prior)
    if balanced and args.balanced_loss_weight > 0:
        row_weights = np.where(profile >= 0, args.balanced_loss_weight, row_weights)
    mix = parse_mix(args.source_mix)
    unknown = set(mix) - set(families)
    if unknown:
        raise ValueError(f"--source_mix names families the data lacks: {sorted(unknown)}")
    draw = np.array([mix.get(f, 1.0) for f in families])
    skip = {f.strip() for f in args.distill_skip.split(",") if f.strip()}
    distilled = torch.tensor([args.distill_alpha > 0 and f not in skip for f in families])
    x_t, y_t = torch.from_numpy(np.asarray(x, dtype=np.float32)), torch.from_numpy(np.asarray(y, dtype=np.int64))
    w_t, cw_t = torch.tensor(row_weights, dtype=torch.float32), torch.tensor(class_w, dtype=torch.float32)
    profile_t, offsets_t = torch.from_numpy(profile), torch.tensor(offsets, dtype=torch.float32)
    head = torch.nn.Linear(weight.shape[1], n_labels)
    with torch.no_grad():
        head.weight.copy_(weight)
        head.bias.copy_(bias)
    teacher = StartingHead(head, x_t)
    optim = torch.optim.Adam(head.parameters(), lr=args.lr)
    steps = max(1, int(args.epochs * len(y) / args.batch_size))
    sched = torch.optim.lr_scheduler.LambdaLR(optim, lambda s: 1.0 - s / steps)
    for _ in range(steps):
        rows = torch.from_numpy(rng.choice(len(y), args.batch_size, p=draw / draw.sum()))
        logits = head(x_t[rows])
        k = profile_t[rows]
        scored = logits + torch.where((k >= 0)[:, None], offsets_t[k.clamp(min=0)], 0.0) if balanced else logits
        ce = torch.nn.functional.cross_entropy(scored, y_t[rows], weight=cw_t, reduction="none")
        assigned = torch.where(distilled[rows], 0, -1)
        loss = distilled_loss(ce, cw_t[y_t[rows]], w_t[rows], logits, [teacher], rows.tolist(), assigned,
                              args.distill_alpha, args.distill_temperature)
        if pairs is not None and args.pairs_weight > 0:
            p = torch.from_numpy(rng.choice(len(pairs[0]), args.pairs_batch_size))
            with torch.no_grad():
                english = head(torch.from_numpy(pairs[0][p]))
            translated = head(torch.from_numpy(pairs[1][p]))
            loss = loss + args.pairs_weight * distillation_loss(translated, english, 1.0)
        optim.zero_grad()
        loss.backward()
        optim.step()
        sched.step()
    return head.weight.detach(), head.bias.detach()


def per_family(x: np.ndarray, y: np.ndarray, families: list[str], weight: torch.Tensor, bias: torch.Tensor,
               logit_bias: np.ndarray) -> dict[str, dict]:
    """Validation top-1 / top-5 per source family, through the model's decision biases."""
    logits = torch.log_softmax(torch.from_numpy(x) @ weight.T + bias, -1).numpy() + logit_bias
    fams = np.array(families)
    return {f: {k: round(v, 2) for k, v in scores(y[fams == f], logits[fams == f]).items() if k != "macro_f1"}
            for f in sorted(set(families))}


def main(args: RetrainHeadArgs) -> Path:
    from training.build_dataset import load_examples, load_pairs, source_family

    out = Path(args.output_dir)
    log_to(log, out / "retrain_head.log")
    if args.threads:
        torch.set_num_threads(args.threads)
    folder = Path(args.model)
    model, tokenizer = load_classifier(folder)
    ds = load_examples(args.dataset)
    labels = list(ds["train"].features["label"].names)
    if labels != model.labels:
        raise ValueError(f"{folder} and {args.dataset} have different labels; retrain a model on its own dataset")
    texts = {s: ds[s]["text"] for s in ("train", "validation")}
    if args.pairs_weight > 0:
        pairs = load_pairs(args.dataset)
        texts.update({f"pairs_{s}_{side}": pairs[s][column] for s in ("train", "validation")
                      for side, column in (("en", "english"), ("tr", "translation"))})
    x = cached_features(model, tokenizer, texts, Path(args.features or out.with_name(out.name + "-features.npz")),
                        weights_digest(folder))
    families = {s: [source_family(v) for v in ds[s]["source"]] for s in ("train", "validation")}
    y = {s: np.asarray(ds[s]["label"]) for s in ("train", "validation")}
    w0, b0 = model.head.weight.detach().float(), model.head.bias.detach().float()
    t0 = time.time()
    w1, b1 = fit_head(x["train"], y["train"], np.asarray(ds["train"]["weight"], dtype=np.float64),
                      families["train"], w0, b0, args,
                      (x["pairs_train_en"], x["pairs_train_tr"]) if args.pairs_weight > 0 else None)
    log.info("head trained in %.0f s", time.time() - t0)
    logit_bias = np.asarray(model.meta.extra.get("logit_bias") or np.zeros(len(labels)))
    report = {s: per_family(x["validation"], y["validation"], families["validation"], w, b, logit_bias)
              for s, (w, b) in (("before", (w0, b0)), ("after", (w1, b1)))}
    for fam in report["after"]:
        log.info("validation %s: top-5 %.1f -> %.1f", fam, report["before"][fam]["top5_accuracy"],
                 report["after"][fam]["top5_accuracy"])
    if args.pairs_weight > 0:
        for s, (w, b) in (("before", (w0, b0)), ("after", (w1, b1))):
            en, tr = ((torch.from_numpy(x[f"pairs_validation_{side}"]) @ w.T + b).numpy() + logit_bias
                      for side in ("en", "tr"))
            report[s]["pairs_top1_agreement"] = round(100 * float((en.argmax(1) == tr.argmax(1)).mean()), 2)
        log.info("validation pairs: top-1 agreement %.1f -> %.1f", report["before"]["pairs_top1_agreement"],
                 report["after"]["pairs_top1_agreement"])

    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(folder / "config.json", out / "config.json")
    state = load_file(str(folder / WEIGHTS_FILE))
    state["head.weight"] = w1.to(state["head.weight"].dtype).contiguous()
    state["head.bias"] = b1.to(state["head.bias"].dtype).contiguous()
    save_file(state, str(out / WEIGHTS_FILE), metadata={"format": "pt"})
    (out / "train_history.json").write_text(json.dumps(
        {"head_retrained": {**asdict(args), "git_commit": git_commit()}, "validation": report,
         "started_from": started_from(str(folder))}, indent=2, ensure_ascii=False))
    log.info("wrote %s (only the head changed; calibrate it again)", out)
    return out


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (parsed,) = HfArgumentParser(RetrainHeadArgs).parse_args_into_dataclasses(args=sys.argv[1:])
    main(parsed)
