"""Fit the n-gram half of a trained model on the same training data, and choose its weight on validation.

    python -m training.train_ngrams --model runs/tweeteval/best --dataset tweeteval

Trains the hashed n-gram linear model (``backend/modeling/ngrams.py``) with the encoder's class weights and keeps
the epoch with the best validation macro-F1 (after prior correction). Then it scores the encoder as served (int8)
on validation, adds the n-gram log-probabilities with each candidate weight, and keeps the weight (and the prior
correction) with the best validation macro-F1; weight 0, the encoder alone, is a candidate, so the file is only
used when it helps. Writes ``ngrams.safetensors`` into the model folder and ``ngram_weight``, ``logit_bias`` and
the search into its config.json. The weight is gated per text by the share of its words seen at least
``gate_min_count`` times in the training rows (a bitmap saved with the model; ``backend/modeling/ngrams.py``), and
chosen with that gate. Run ``training.calibrate`` afterwards to tune per-label biases on the fused
scores. Never reads a test split.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from backend.modeling.ngrams import NGRAMS_FILE, NgramModel, features, packed, seen_words
from backend.modeling.text import model_input
from backend.predictor import TransformerPredictor
from training.data import DEFAULT_DATA_DIR
from training.evaluate import predict_log_probs
from training.metrics import scores, tune_prior_correction
from training.train import TrainArgs, class_weights_and_log_prior, load_splits, log_to, set_seed

log = logging.getLogger("train_ngrams")

WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5)


@dataclass
class NgramArgs:
    model: str = field(metadata={"help": "a trained classifier folder; the n-gram model is written into it"})
    dataset: str = field(default="tweeteval", metadata={"help": "the data the model was trained on"})
    data_dir: str = field(default=str(DEFAULT_DATA_DIR))
    buckets: int = field(default=2**17, metadata={"help": "hash rows; the file is buckets x labels x 2 bytes"})
    epochs: int = 4
    lr: float = 0.02
    batch_size: int = 256
    class_weight_power: float = 0.5
    seed: int = 42
    gate_min_count: int = field(default=2, metadata={"help": "gate the weight by the share of a text's words seen "
                                                      "this often in training (0: no gate)"})
    max_train: int = field(default=0, metadata={"help": "about N training examples (smoke runs)"})
    max_val: int = 0


def fit(args: NgramArgs, x_train: list, y_train: np.ndarray, x_val: list, y_val: np.ndarray,
        n_labels: int) -> tuple[NgramModel, np.ndarray, list[dict]]:
    """Train; returns the model at its best validation epoch, its validation log-probabilities, the history."""
    weights, log_prior = class_weights_and_log_prior(y_train, n_labels, args.class_weight_power)
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))
    model = NgramModel(args.buckets, n_labels, sparse=True)
    optims = [torch.optim.SparseAdam([model.table.weight], lr=args.lr), torch.optim.Adam([model.bias], lr=args.lr)]
    val_batch = packed(x_val)
    y = torch.tensor(y_train)
    gen = torch.Generator().manual_seed(args.seed)
    best: tuple[float, dict | None, np.ndarray | None] = (-1.0, None, None)
    history = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(x_train), generator=gen)
        total = 0.0
        for s in range(0, len(order), args.batch_size):
            rows = order[s : s + args.batch_size]
            loss = loss_fn(model(*packed([x_train[i] for i in rows])), y[rows])
            for o in optims:
                o.zero_grad()
            loss.backward()
            for o in optims:
                o.step()
            total += loss.item() * len(rows)
        model.eval()
        with torch.no_grad():
            val_lp = torch.log_softmax(model(*val_batch), -1).numpy()
        tau, f1 = tune_prior_correction(y_val, val_lp, log_prior)
        history.append({"epoch": epoch, "loss": round(total / len(order), 4), "val_macro_f1_adjusted": round(f1, 2),
                        "prior_tau": tau})
        log.info("epoch %d: %s", epoch, json.dumps(history[-1]))
        if f1 > best[0]:
            best = (f1, {k: v.clone() for k, v in model.state_dict().items()}, val_lp)
    model.load_state_dict(best[1])
    return model, best[2], history


def choose_weight(y_val: np.ndarray, encoder_lp: np.ndarray, ngram_lp: np.ndarray, log_prior: np.ndarray,
                  gate: np.ndarray) -> tuple[list[dict], dict]:
    """Validation macro-F1 of encoder + w * gate * n-grams for each candidate w (prior correction re-tuned for
    each); ``gate``: each text's share of the weight."""
    search = []
    for w in WEIGHTS:
        tau, f1 = tune_prior_correction(y_val, encoder_lp + w * gate[:, None] * ngram_lp, log_prior)
        search.append({"weight": w, "prior_tau": tau, "val_macro_f1_adjusted": round(f1, 2)})
    return search, max(search, key=lambda r: r["val_macro_f1_adjusted"])


def main(args: NgramArgs) -> dict:
    folder = Path(args.model)
    log_to(log, folder / "train_ngrams.log")
    set_seed(args.seed)
    train, val, _ = load_splits(TrainArgs(output_dir=str(folder), dataset=args.dataset, data_dir=args.data_dir))
    if args.max_train:
        train = train.head_per_label(args.max_train)
    if args.max_val:
        val = val.head_per_label(args.max_val)
    config = json.loads((folder / "config.json").read_text())
    label2id = config["label2id"]
    y_train = np.array([label2id[e] for e in train.labels])
    y_val = np.array([label2id[e] for e in val.labels])
    t0 = time.time()
    train_inputs, val_inputs = [model_input(t) for t in train.texts], [model_input(t) for t in val.texts]
    x_train = [features(t, args.buckets) for t in train_inputs]
    x_val = [features(t, args.buckets) for t in val_inputs]
    log.info("train %d, val %d, %d labels; features in %.1fs", len(train), len(val), len(label2id), time.time() - t0)
    model, ngram_lp, history = fit(args, x_train, y_train, x_val, y_val, len(label2id))
    if args.gate_min_count:
        model.seen = seen_words(train_inputs, args.gate_min_count)
    gate = model.gate(val_inputs).numpy()

    # The encoder as served, without any n-gram model the folder may already hold, and without its decision bias.
    meta = config["emoji_suggest"]
    start = np.array(meta.get("logit_bias") or [0.0] * len(label2id))
    meta.pop("ngram_weight", None)
    (folder / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
    encoder_lp = predict_log_probs(TransformerPredictor(str(folder), quantize=True, compact_embeddings=True),
                                   val.texts, 64) - start
    _, log_prior = class_weights_and_log_prior(y_train, len(label2id), args.class_weight_power)
    search, best = choose_weight(y_val, encoder_lp, ngram_lp, log_prior, gate)
    log.info("weights: %s", json.dumps(search))
    if best["weight"]:
        model.save(folder)
    else:  # the encoder alone is best: no n-gram file, not even one from an earlier run
        (folder / NGRAMS_FILE).unlink(missing_ok=True)
    meta.update(ngram_weight=best["weight"], ngram_buckets=args.buckets, ngram_gate_min_count=args.gate_min_count,
                logit_bias=[round(float(-best["prior_tau"] * v), 4) for v in log_prior],
                selected_on="validation macro-F1: n-gram weight and prior correction",
                ngrams={"history": history, "weight_search": search, "seed": args.seed, "epochs": args.epochs,
                        "lr": args.lr})
    meta.pop("calibration", None)  # a calibration of the encoder alone no longer applies
    (folder / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
    encoder_alone = scores(y_val, encoder_lp + start)["macro_f1"]
    result = {"encoder_alone_val_macro_f1": round(encoder_alone, 2), "chosen": best}
    log.info("done: %s", json.dumps(result))
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (parsed,) = HfArgumentParser(NgramArgs).parse_args_into_dataclasses(args=sys.argv[1:])
    main(parsed)
