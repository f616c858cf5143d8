"""Each serving optimisation next to what it costs in accuracy: TweetEval validation and speed, side by side.

    python -m benchmarks.variants --model backend/models/default --model runs/teacher   (about 5 minutes a model)

For every model folder, on ONNX Runtime (the served engine) and PyTorch: fp32; int8 as served (ONNX Runtime: every
projection of the layers in dynamic int8, each layer's outlier feed-forward neurons apart in fp32; PyTorch: the
feed-forward output projections left in fp32; the head fp32 on both: ``backend.predictor``); every Linear layer in
int8 (PyTorch). Each
variant is scored on the full TweetEval emoji validation split (5,000 tweets; predictions restricted to its 20
emojis, as the benchmark scores; the model's own decision rule) and timed through the serving code path: one text
at a time (p50) and batches of 64. Writes benchmarks/variants.{json,md}. Model selection never looks at these
numbers; they are a report.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from backend.modeling.labels import TWEETEVAL_EMOJIS, canonical_emoji
from benchmarks.bench import sample_texts, time_batches, time_single
from training.data import DEFAULT_DATA_DIR, tweeteval_emoji
from training.metrics import scores

HERE = Path(__file__).resolve().parent


VARIANTS = [("fp32, ONNX Runtime", "none", "onnxruntime"), ("int8 as served, ONNX Runtime", "served", "onnxruntime"),
            ("fp32, PyTorch", "none", "torch"), ("int8, PyTorch", "served", "torch"),
            ("int8, every Linear, PyTorch", "all", "torch")]  # (name, int8 layers: none / served / all, engine)


def measure(folder: str, int8: str, engine: str, texts: list[str], gold: list[str], n_single: int) -> dict:
    from backend.predictor import TransformerPredictor, quantize_int8
    from training.evaluate import predict_log_probs

    p = TransformerPredictor(folder, quantize=int8 == "served", compact_embeddings=True,
                             engine="torch" if int8 == "all" else engine)
    if int8 == "all":
        quantize_int8(p.model, everything=True)
    index = {canonical_emoji(e): i for i, e in enumerate(p.labels)}
    classes = np.array([index[canonical_emoji(e)] for e in TWEETEVAL_EMOJIS])
    t0 = time.time()
    lp = predict_log_probs(p, texts, 64)
    result = {k: round(v, 2) for k, v in scores(np.array([index[e] for e in gold]), lp, classes).items()}
    result["eval_seconds"] = round(time.time() - t0, 1)
    result["layers"] = p.model.config.num_hidden_layers
    result["single_p50_ms"] = time_single(p, sample_texts(n_single))["p50_ms"]
    result["batch64_texts_per_s"] = time_batches(p, sample_texts(512))
    return result


def markdown(rows: list[dict]) -> str:
    lines = ["| model | variant | layers | val macro-F1 | accuracy | top-5 | single p50 (ms) | batch of 64 (texts/s) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| `{r['model']}` | {r['variant']} | {r['layers']} | {r['macro_f1']} "
                     f"| {r['accuracy']} | {r['top5_accuracy']} | {r['single_p50_ms']} | {r['batch64_texts_per_s']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="append", required=True, help="a model folder (repeat to compare)")
    ap.add_argument("--data_dir", default=str(DEFAULT_DATA_DIR))
    ap.add_argument("--single", type=int, default=200, help="texts timed one at a time")
    ap.add_argument("--out", default=str(HERE))
    args = ap.parse_args()
    val = tweeteval_emoji("val", Path(args.data_dir))
    rows = []
    for folder in args.model:
        for name, int8, engine in VARIANTS:
            rows.append({"model": folder, "variant": name, **measure(folder, int8, engine, val.texts, val.labels,
                                                                      args.single)})
            print(json.dumps(rows[-1]), flush=True)
    out = Path(args.out)
    (out / "variants.json").write_text(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M"), "rows": rows},
                                                  indent=2, ensure_ascii=False) + "\n")
    (out / "variants.md").write_text(markdown(rows))
    print(markdown(rows))


if __name__ == "__main__":
    main()
