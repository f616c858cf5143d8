"""Classification metrics as TweetEval scores them (macro-F1 over the classes), plus accuracy and top-k."""

from __future__ import annotations

import numpy as np


def confusion(gold: np.ndarray, pred: np.ndarray, n: int) -> np.ndarray:
    m = np.zeros((n, n), dtype=np.int64)
    np.add.at(m, (gold, pred), 1)
    return m


def per_class_f1(gold: np.ndarray, pred: np.ndarray, n: int) -> np.ndarray:
    m = confusion(gold, pred, n)
    tp = np.diag(m).astype(float)
    prec = np.divide(tp, m.sum(0), out=np.zeros(n), where=m.sum(0) > 0)
    rec = np.divide(tp, m.sum(1), out=np.zeros(n), where=m.sum(1) > 0)
    return np.divide(2 * prec * rec, prec + rec, out=np.zeros(n), where=(prec + rec) > 0)


def scores(gold: np.ndarray, logits: np.ndarray, classes: np.ndarray | None = None) -> dict[str, float]:
    """macro-F1, accuracy and top-5 accuracy in percent. ``classes`` restricts predictions (and the
    macro average) to those class ids, as the TweetEval benchmark scores only its own 20 emojis."""
    gold = np.asarray(gold)
    logits = np.asarray(logits, dtype=np.float64)
    n = logits.shape[1]
    if classes is not None:
        masked = np.full_like(logits, -np.inf)
        masked[:, classes] = logits[:, classes]
        logits = masked
    pred = logits.argmax(1)
    top5 = np.argsort(-logits, axis=1)[:, :5]
    f1 = per_class_f1(gold, pred, n)
    present = np.asarray(classes) if classes is not None else np.arange(n)
    return {
        "macro_f1": float(100 * f1[present].mean()),
        "accuracy": float(100 * (pred == gold).mean()),
        "top5_accuracy": float(100 * (top5 == gold[:, None]).any(1).mean()),
        "n": int(len(gold)),
    }


def macro_f1(gold: np.ndarray, logits: np.ndarray) -> float:
    """``scores(...)["macro_f1"]`` without the top-5 sort: the inner loop of the decision-rule tuning."""
    return float(100 * per_class_f1(gold, np.asarray(logits).argmax(1), np.asarray(logits).shape[1]).mean())


def scores_on_present(gold: np.ndarray, logits: np.ndarray) -> dict[str, float]:
    """Like ``scores`` over all labels, but macro-F1 averages only the labels that occur in ``gold``: for small
    slices (one language's validation rows) where most labels never occur and would count as F1 0."""
    result = scores(gold, logits)
    pred = np.asarray(logits).argmax(1)
    present = np.unique(gold)
    result["macro_f1"] = float(100 * per_class_f1(np.asarray(gold), pred, np.asarray(logits).shape[1])[present].mean())
    result["labels_present"] = int(len(present))
    return result


def tune_prior_correction(gold: np.ndarray, logits: np.ndarray, log_prior: np.ndarray,
                          taus: np.ndarray | None = None) -> tuple[float, float]:
    """Logit adjustment (Menon et al., 2021): subtract tau * log prior; pick tau on validation macro-F1."""
    taus = np.round(np.arange(0.0, 1.51, 0.05), 2) if taus is None else taus
    best = (0.0, -1.0)
    for tau in taus:
        f1 = macro_f1(gold, logits - tau * log_prior)
        if f1 > best[1]:
            best = (float(tau), f1)
    return best


def tune_class_biases(gold: np.ndarray, logits: np.ndarray, start: np.ndarray, rounds: int = 3,
                      grid: np.ndarray | None = None) -> np.ndarray:
    """Coordinate ascent on one additive bias per class, maximising macro-F1 on the given (validation) data."""
    grid = np.round(np.arange(-1.0, 1.01, 0.1), 2) if grid is None else grid
    bias = np.array(start, dtype=np.float64)
    best = macro_f1(gold, logits + bias)
    for _ in range(rounds):
        improved = False
        for c in range(logits.shape[1]):
            base = bias[c]
            for step in grid:
                bias[c] = base + step
                f1 = macro_f1(gold, logits + bias)
                if f1 > best + 1e-9:
                    best, base, improved = f1, bias[c], True
            bias[c] = base
        if not improved:
            break
    return bias
