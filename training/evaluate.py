"""Score a model on the TweetEval emoji test set (the benchmark's protocol) and write a report.

    python -m training.evaluate --model backend/models/default [--split test] [--int8 false] [--dataset DIR]

Predictions go through the serving code path (``backend.predictor.TransformerPredictor``), so the numbers
describe what users get. For a model with more labels than TweetEval's 20, predictions are restricted to
those 20, as the benchmark scores them. With ``--dataset`` (a built wide dataset), the report adds the model's
scores on that dataset's validation rows, over all its labels, overall and per language (Spanish included).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from backend.modeling.labels import TWEETEVAL_EMOJIS, canonical_emoji, display_emoji
from backend.predictor import TransformerPredictor
from training.data import DEFAULT_DATA_DIR, tweeteval_emoji
from training.metrics import confusion, per_class_f1, scores, scores_on_present

PUBLISHED = {  # TweetEval emoji test macro-F1, as published (Barbieri et al. 2020; Loureiro et al. 2022)
    "FastText": 25.8, "BLSTM": 24.7, "SVM": 29.3, "RoBERTa-base": 30.9, "RoBERTa-retrained": 31.4,
    "BERTweet": 33.4, "TimeLMs-2021": 34.0,
}


@dataclass
class EvalArgs:
    model: str = field(default="backend/models/default")
    data_dir: str = field(default=str(DEFAULT_DATA_DIR))
    split: str = field(default="test", metadata={"help": "test (benchmark) or val"})
    int8: bool = field(default=True, metadata={"help": "dynamic int8 Linear layers, as served by default"})
    engine: str = field(default="onnxruntime", metadata={"help": "onnxruntime (as served by default) or torch"})
    compact: bool = field(default=True, metadata={"help": "4-bit word-embedding lookup, as serving uses"})
    limit: int = field(default=0, metadata={"help": "score only the first N examples (smoke runs)"})
    batch_size: int = 64
    output: str = field(default="", metadata={"help": "report folder (default: MODEL/eval-SPLIT, -fp32 added "
                                                      "without int8)"})
    threads: int = 0
    dataset: str = field(default="", metadata={"help": "a built dataset: also score its validation by language "
                                                       "and by source"})
    feelings: bool = field(default=True, metadata={"help": "add BRIGHTER dev family hit@3 per language and per "
                                                          "emotion, and E-c es/ar dev (training.emotion_eval)"})


def probability_fn(predictor: TransformerPredictor, batch_size: int, progress: bool = False):
    """texts -> served probabilities as a NumPy array, in length-sorted batches (progress printed every 100)."""

    def probs(texts: list[str]) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), len(predictor.labels)), dtype=np.float32)
        t0 = time.time()
        for s in range(0, len(order), batch_size):
            part = order[s : s + batch_size]
            out[part] = np.asarray(predictor.probabilities([texts[i] for i in part]))
            if progress and (s // batch_size) % 100 == 0:
                done = s + len(part)
                print(f"  {done}/{len(texts)} texts, {done / (time.time() - t0):.0f}/s", flush=True)
        return out

    return probs


def predict_log_probs(predictor: TransformerPredictor, texts: list[str], batch_size: int) -> np.ndarray:
    return np.log(probability_fn(predictor, batch_size, progress=True)(texts) + 1e-12)


def feelings_report(predictor: TransformerPredictor, args: EvalArgs, out: Path) -> tuple[dict, list[str]]:
    """training.emotion_eval's scores, its report lines and plots (written to ``out``)."""
    from training import emotion_eval

    probs = probability_fn(predictor, args.batch_size)
    data_dir = Path(args.data_dir)
    result = {"brighter": emotion_eval.brighter_report(probs, predictor.labels, data_dir),
              "ec": emotion_eval.ec_report(probs, predictor.labels, data_dir)}
    if args.dataset:
        result["sources"] = emotion_eval.source_report(probs, predictor.labels, Path(args.dataset), data_dir)
        result["pairs"] = emotion_eval.pairs_report(probs, predictor.labels, Path(args.dataset))
    images = emotion_eval.plots(out, result["brighter"])
    return result, emotion_eval.markdown(result) + [""] + [f"![{img}]({img})" for img in images]


def validation_by_language(predictor: TransformerPredictor, dataset: str, batch_size: int) -> dict[str, dict]:
    """Scores over all the model's labels on a built dataset's validation rows: all of them, then each language
    (macro-F1 there averages the labels that occur in that language's rows). Each text is scored once."""
    from training.build_dataset import load_validation, load_validation_by_language

    index = {canonical_emoji(e): i for i, e in enumerate(predictor.labels)}
    validation = load_validation(dataset)
    unknown = sorted(set(validation.labels) - set(index))
    if unknown:
        raise SystemExit(f"the model cannot predict {unknown} of {dataset}'s validation rows")
    logp = predict_log_probs(predictor, validation.texts, batch_size)
    row_of = dict(zip(validation.texts, logp, strict=True))
    out = {}
    for name, split in {"all": validation, **load_validation_by_language(dataset)}.items():
        gold = np.array([index[e] for e in split.labels])
        rows = np.stack([row_of[t] for t in split.texts])
        out[name] = {k: round(v, 2) if isinstance(v, float) else v for k, v in
                     (scores(gold, rows) if name == "all" else scores_on_present(gold, rows)).items()}
    return out


def plots(folder: Path, labels: list[str], f1: np.ndarray, cm: np.ndarray) -> list[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    names = [f"{i}" for i in range(len(labels))]
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.bar(names, 100 * f1)
    ax.set_ylabel("F1 (%)")
    ax.set_xlabel("label id (see the table in report.md)")
    ax.set_title("Per-class F1")
    fig.tight_layout()
    fig.savefig(folder / "per_class_f1.png", dpi=100)
    plt.close(fig)
    norm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(8, 7))
    im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(names)), names, fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title("Confusion matrix (row-normalised)")
    fig.colorbar(im)
    fig.tight_layout()
    fig.savefig(folder / "confusion_matrix.png", dpi=100)
    plt.close(fig)
    return ["per_class_f1.png", "confusion_matrix.png"]


def main(args: EvalArgs) -> dict:
    predictor = TransformerPredictor(args.model, threads=args.threads, quantize=args.int8,
                                     compact_embeddings=args.compact, engine=args.engine)
    split = tweeteval_emoji(args.split, Path(args.data_dir))
    texts, gold_emojis = split.texts, split.labels
    if args.limit:
        texts, gold_emojis = texts[: args.limit], gold_emojis[: args.limit]
    labels = [canonical_emoji(e) for e in predictor.labels]
    index = {e: i for i, e in enumerate(labels)}
    missing = [e for e in TWEETEVAL_EMOJIS if e not in index]
    if missing:
        raise SystemExit(f"the model cannot predict {missing}: it cannot be scored on TweetEval")
    classes = np.array([index[e] for e in TWEETEVAL_EMOJIS])
    gold = np.array([index[e] for e in gold_emojis])
    t0 = time.time()
    logp = predict_log_probs(predictor, texts, args.batch_size)
    seconds = time.time() - t0
    result = scores(gold, logp, classes)
    # the model's own top-5 over all its labels, as users see it
    result["top5_accuracy_all_labels"] = scores(gold, logp)["top5_accuracy"]
    result.update(split=f"tweeteval-emoji/{args.split}", int8=args.int8, engine=predictor.engine,
                  texts_per_s=round(len(texts) / seconds, 1))

    restricted = np.full_like(logp, -np.inf)
    restricted[:, classes] = logp[:, classes]
    pred = restricted.argmax(1)
    f1 = per_class_f1(gold, pred, len(labels))[classes]
    remap = {c: j for j, c in enumerate(classes)}
    cm = confusion(np.array([remap[g] for g in gold]), np.array([remap[p] for p in pred]), len(classes))
    out = Path(args.output or Path(args.model) / f"eval-{args.split}{'' if args.int8 else '-fp32'}")
    out.mkdir(parents=True, exist_ok=True)
    images = plots(out, list(TWEETEVAL_EMOJIS), f1, cm)
    lines = [f"# Evaluation: {args.model} on TweetEval emoji {args.split}", "",
             f"{len(texts)} tweets, int8={args.int8}, engine={predictor.engine}, {result['texts_per_s']} texts/s.", "",
             "| metric | value |", "| --- | --- |",
             f"| macro-F1 (benchmark metric) | {result['macro_f1']:.2f} |",
             f"| accuracy | {result['accuracy']:.2f} |", f"| top-5 accuracy | {result['top5_accuracy']:.2f} |", "",
             "Published macro-F1 on the same test set: "
             + ", ".join(f"{k} {v}" for k, v in PUBLISHED.items()) + ".", "",
             "| id | emoji | F1 |", "| --- | --- | --- |"]
    lines += [f"| {i} | {display_emoji(e)} | {100 * v:.1f} |" for i, (e, v) in enumerate(zip(TWEETEVAL_EMOJIS, f1,
                                                                                              strict=True))]
    if args.dataset:
        by_language = validation_by_language(predictor, args.dataset, args.batch_size)
        result["validation_by_language"] = by_language
        lines += ["", f"## Validation rows of `{args.dataset}`, all {len(labels)} labels", "",
                  "Held out from training, but used to select the checkpoint and tune the decision biases. For one "
                  "language, macro-F1 averages the labels present in its rows.", "",
                  "| rows | n | labels present | macro-F1 | accuracy | top-5 accuracy |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        lines += [f"| {name} | {m['n']} | {m.get('labels_present', len(labels))} | {m['macro_f1']:.2f} | "
                  f"{m['accuracy']:.2f} | {m['top5_accuracy']:.2f} |" for name, m in by_language.items()]
    lines += [""] + [f"![{img}]({img})" for img in images]
    if args.feelings:
        result["feelings"], feeling_lines = feelings_report(predictor, args, out)
        lines += [""] + feeling_lines
    (out / "report.md").write_text("\n".join(lines) + "\n")
    (out / "metrics.json").write_text(json.dumps({**result, "per_class_f1": {
        display_emoji(e): round(100 * float(v), 2) for e, v in zip(TWEETEVAL_EMOJIS, f1, strict=True)}}, indent=2,
        ensure_ascii=False))
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (parsed,) = HfArgumentParser(EvalArgs).parse_args_into_dataclasses(args=sys.argv[1:])
    main(parsed)
