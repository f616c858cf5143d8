"""Does an emoji the user already typed change the suggestions? Scores the served model on validation texts as
they are (training texts carry no emojis: they were cut out to become the labels) and with one emoji added at
the end, as someone who typed "so happy today 😊" and wants more.

    python -m benchmarks.emoji_in_input --model backend/models/default --dataset artifacts/dataset --limit 3000

The added emoji is drawn at random (seeded) from the model's own labels, never the text's gold label, so it gives
no hint. Writes nothing; prints macro-F1, accuracy and top-5 accuracy for both inputs and how often the top five
changed.
"""

from __future__ import annotations

import argparse
import json
import random

import numpy as np

from backend.predictor import TransformerPredictor
from training.build_dataset import load_validation
from training.metrics import scores


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="backend/models/default")
    p.add_argument("--dataset", default="artifacts/dataset")
    p.add_argument("--limit", type=int, default=3000)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    predictor = TransformerPredictor(a.model, quantize=True, compact_embeddings=True)
    labels = predictor.labels
    index = {e: i for i, e in enumerate(labels)}
    val = load_validation(a.dataset)
    rng = random.Random(a.seed)
    rows = rng.sample(range(len(val)), min(a.limit, len(val)))
    texts = [val.texts[i] for i in rows]
    gold = np.array([index[val.labels[i]] for i in rows])
    added = [t + " " + rng.choice([e for e in labels if e != labels[g]]) for t, g in zip(texts, gold, strict=True)]
    result = {}
    tops = {}
    for name, inputs in (("as is", texts), ("one emoji added", added)):
        probs = predictor.probabilities(inputs).numpy()
        result[name] = {k: round(v, 2) for k, v in scores(gold, np.log(probs + 1e-12)).items() if k != "n"}
        tops[name] = np.argsort(-probs, axis=1)[:, :5]
    changed = np.mean([set(x) != set(y) for x, y in zip(tops["as is"], tops["one emoji added"], strict=True)])
    result["top five changed (%)"] = round(100 * float(changed), 1)
    result["n"] = len(rows)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
