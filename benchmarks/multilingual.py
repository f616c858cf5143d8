"""Do a model's suggestions follow what a tweet feels in every language, and how far does a candidate stray from
the first model given? A quick check for a candidate model against the default.

    python -m benchmarks.multilingual --model backend/models/default --model runs/student/best

Tweets: xlm-t's sentiment-labelled train tweets (`../shared/data/xlm-t`, eight languages), the first
``--per_language`` of each (600 by default); labels 0 negative, 2 positive. Per language and model:
- sentiment gap: the mean number of negative-feeling emojis (``NEGATIVE_EMOJIS``) among the top five for negative
  tweets, minus that for positive tweets. 0 means the suggestions ignore the sentiment; higher is better.
- agreement: the share of tweets whose top suggestion is the first model's.
Every model runs as served (ONNX Runtime, int8). xlm-t's train tweets that carried an emoji are also rows of the
wide training set (emoji cut out), so this compares models trained on the same rows; it is not a held-out score.
Writes benchmarks/multilingual.{json,md}; model selection never reads it.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from backend.modeling.labels import NEGATIVE_EMOJIS, canonical_emoji
from training.data import DEFAULT_DATA_DIR, XLMT_CHECK_ROWS, read_lines

ROOT = Path(__file__).resolve().parent.parent

LANGUAGES = ("english", "french", "german", "italian", "portuguese", "spanish", "arabic", "hindi")
NEGATIVE, POSITIVE = 0, 2
_NEGATIVE = {canonical_emoji(e) for e in NEGATIVE_EMOJIS}


def xlmt(data_dir: Path, language: str, n: int) -> tuple[list[str], np.ndarray]:
    folder = data_dir / "xlm-t" / language
    texts = read_lines(folder / "train_text.txt")[:n]
    return texts, np.array([int(x) for x in read_lines(folder / "train_labels.txt")[:n]])


def sentiment_gap(top5: list[list[str]], sentiment: np.ndarray) -> float:
    negative = np.array([sum(canonical_emoji(e) in _NEGATIVE for e in row) for row in top5])
    return float(negative[sentiment == NEGATIVE].mean() - negative[sentiment == POSITIVE].mean())


def compare(models: list[str], data_dir: Path, per_language: int) -> dict:
    from backend.predictor import TransformerPredictor

    data = {lang: xlmt(data_dir, lang, per_language) for lang in LANGUAGES}
    top5: dict[str, dict[str, list[list[str]]]] = {}
    for folder in models:
        p = TransformerPredictor(folder, quantize=True, compact_embeddings=True)
        top5[folder] = {lang: [[s["emoji"] for s in row] for row in p.suggest(texts, 5)]
                        for lang, (texts, _) in data.items()}
    first = models[0]
    return {lang: {folder: {"sentiment_gap": round(sentiment_gap(top5[folder][lang], data[lang][1]), 3),
                            "agreement": round(float(np.mean([a[0] == b[0] for a, b in
                                                              zip(top5[folder][lang], top5[first][lang],
                                                                  strict=True)])), 3)}
                   for folder in models}
            for lang in LANGUAGES}


def markdown(result: dict, models: list[str]) -> str:
    lines = ["| language | " + " | ".join(f"`{m}`" for m in models) + " |", "| --- |" + " --- |" * len(models)]
    for lang, row in result.items():
        lines.append(f"| {lang} | " + " | ".join(f"{row[m]['sentiment_gap']:.2f} ({row[m]['agreement']:.0%})"
                                                 for m in models) + " |")
    return "\n".join(lines) + "\n\nSentiment gap (agreement with the first model's top suggestion).\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="append", required=True, help="a model folder (repeat to compare)")
    ap.add_argument("--data_dir", default=str(DEFAULT_DATA_DIR))
    ap.add_argument("--per_language", type=int, default=XLMT_CHECK_ROWS)
    ap.add_argument("--out", default=str(ROOT / "benchmarks"))
    args = ap.parse_args()
    result = compare(args.model, Path(args.data_dir), args.per_language)
    out = Path(args.out)
    (out / "multilingual.json").write_text(json.dumps(
        {"date": time.strftime("%Y-%m-%d %H:%M"), "per_language": args.per_language, "models": args.model,
         "languages": result}, indent=2, ensure_ascii=False) + "\n")
    (out / "multilingual.md").write_text(markdown(result, args.model))
    print(markdown(result, args.model))


if __name__ == "__main__":
    main()
