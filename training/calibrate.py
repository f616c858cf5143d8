"""Tune the serving decision rule on validation: one additive bias per label, maximising macro-F1.

    python -m training.calibrate --model runs/tweeteval/best

Starts from the prior correction chosen during training (``logit_bias`` in config.json), improves it by
coordinate ascent on the TweetEval validation split, reports a two-fold estimate (tune on one half, score the
other) so the gain is not just fitted noise, and writes the new ``logit_bias`` into config.json only if that
held-out estimate improves. Never touches a test split. A model trained on a built wide dataset is calibrated
on that dataset's validation rows (``--dataset``), over all its labels.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from backend.modeling.labels import canonical_emoji
from backend.predictor import TransformerPredictor
from training.data import DEFAULT_DATA_DIR, tweeteval_emoji
from training.evaluate import predict_log_probs
from training.metrics import scores, tune_class_biases


@dataclass
class CalibrateArgs:
    model: str = field(default="runs/tweeteval/best")
    data_dir: str = field(default=str(DEFAULT_DATA_DIR))
    int8: bool = field(default=True, metadata={"help": "calibrate the model as it is served"})
    seed: int = 0
    dataset: str = field(default="", metadata={"help": "a built dataset: tune on its validation rows instead"})


def main(args: CalibrateArgs) -> dict:
    folder = Path(args.model)
    config = json.loads((folder / "config.json").read_text())
    start = np.array(config["emoji_suggest"].get("logit_bias") or [0.0] * len(config["id2label"]))
    predictor = TransformerPredictor(args.model, quantize=args.int8, compact_embeddings=True)
    if args.dataset:
        from training.build_dataset import load_validation

        val = load_validation(args.dataset)
    else:
        val = tweeteval_emoji("val", Path(args.data_dir))
    index = {canonical_emoji(e): i for i, e in enumerate(predictor.labels)}
    gold = np.array([index[e] for e in val.labels])
    raw = predict_log_probs(predictor, val.texts, 64) - start  # argmax-equivalent to the raw logits

    halves = np.random.default_rng(args.seed).permutation(len(gold)) % 2
    held_out = {"prior_correction": [], "per_label": []}
    for h in (0, 1):
        fit, test = halves == h, halves != h
        bias = tune_class_biases(gold[fit], raw[fit], start)
        held_out["prior_correction"].append(scores(gold[test], raw[test] + start)["macro_f1"])
        held_out["per_label"].append(scores(gold[test], raw[test] + bias)["macro_f1"])
    estimate = {k: round(float(np.mean(v)), 2) for k, v in held_out.items()}
    result = {"two_fold_macro_f1": estimate, "kept": estimate["per_label"] > estimate["prior_correction"]}
    if result["kept"]:
        bias = tune_class_biases(gold, raw, start)
        config["emoji_suggest"]["logit_bias"] = [round(float(b), 4) for b in bias]
        on = f"validation rows of {args.dataset}" if args.dataset else "TweetEval val"
        config["emoji_suggest"]["selected_on"] = (f"{on} macro-F1: prior correction, then one bias per label "
                                                  "(coordinate ascent)")
        config["emoji_suggest"]["calibration"] = result
        (folder / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
        result["val_macro_f1"] = round(scores(gold, raw + bias)["macro_f1"], 2)
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (parsed,) = HfArgumentParser(CalibrateArgs).parse_args_into_dataclasses(args=sys.argv[1:])
    main(parsed)
