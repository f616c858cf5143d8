"""Does a model suggest the right feeling, in every language? Scores behind ``make evaluate``'s multilingual part.

* **BRIGHTER dev family hit@3**: texts labelled with exactly one of the six basic emotions; a hit when the top 3
  suggestions hold an emoji of that emotion's family (``backend.modeling.labels.EMOTION_FAMILIES``). Reported per
  language (the mean over languages is the headline) and per emotion (pooled over languages).
* **SemEval-2018 E-c dev, Spanish and Arabic**: the same hit@3 on tweets with exactly one of the family emotions
  (love included).
* **Every source's validation part** of a built dataset: top-1, top-5, macro-F1 over the labels present, and
  coverage (how often an emoji-bearing validation text holds an emoji of the model's vocabulary, and how often
  each emoji occurrence is one).

Only dev / validation data is read: ``../shared/data`` holds no test split of these sources.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from backend.modeling.labels import EMOTION_FAMILIES, canonical_emoji
from training.metrics import scores_on_present
from training.sources import BRIGHTER_EMOTIONS, BRIGHTER_LANGUAGES, read_affect_ec, read_brighter

ProbabilityFn = Callable[[list[str]], np.ndarray]  # texts -> (n, labels) probabilities, as served
EC_EMOTIONS = ("anger", "disgust", "fear", "joy", "love", "sadness", "surprise")


def single_emotion_rows(texts: Sequence[str], emotions: Sequence[Sequence[str]],
                        keep: Sequence[str]) -> tuple[list[str], list[str]]:
    """The texts marked with exactly one emotion of ``keep`` (and none other of them), with that emotion."""
    out_texts, out_emotions = [], []
    for text, marked in zip(texts, emotions, strict=True):
        chosen = [e for e in marked if e in keep]
        if len(chosen) == 1 and len([e for e in marked if e in EMOTION_FAMILIES]) == 1:
            out_texts.append(text)
            out_emotions.append(chosen[0])
    return out_texts, out_emotions


def brighter_dev(data_dir: Path) -> dict[str, tuple[list[str], list[str]]]:
    """BRIGHTER dev per language code (BRIGHTER's own codes): single-emotion texts and their emotion."""
    out = {}
    for code in BRIGHTER_LANGUAGES:
        path = Path(data_dir) / "brighter" / f"{code}_dev.csv"
        if path.exists():
            out[code] = single_emotion_rows(*read_brighter(path), BRIGHTER_EMOTIONS)
    return out


def ec_dev(data_dir: Path, language: str) -> tuple[list[str], list[str]]:
    path = Path(data_dir) / "semeval2018-affect" / f"{language}_ec_dev.tsv"
    return single_emotion_rows(*read_affect_ec(path), EC_EMOTIONS)


def top_k(probs: np.ndarray, labels: Sequence[str], k: int) -> list[list[str]]:
    order = np.argsort(-probs, axis=1)[:, :k]
    canon = [canonical_emoji(e) for e in labels]
    return [[canon[i] for i in row] for row in order]


def family_hits(top: list[list[str]], emotions: Sequence[str]) -> np.ndarray:
    """1.0 where a text's top suggestions hold an emoji of its emotion's family, else 0.0."""
    return np.array([float(any(e in EMOTION_FAMILIES[emo] for e in row)) for row, emo in zip(top, emotions,
                                                                                            strict=True)])


def hit_table(probs: np.ndarray, labels: Sequence[str], emotions: Sequence[str], k: int = 3) -> dict[str, float]:
    """hit@k overall and per emotion, in percent."""
    hits = family_hits(top_k(probs, labels, k), emotions)
    out = {"all": round(100 * float(hits.mean()), 2) if len(hits) else 0.0, "n": len(hits)}
    for emotion in sorted(set(emotions)):
        mask = np.array([e == emotion for e in emotions])
        out[emotion] = round(100 * float(hits[mask].mean()), 2)
    return out


def first_suggestion(firsts: Sequence[str], emotions: Sequence[str]) -> dict[str, float]:
    """What the first suggestion alone says: how often it is of the text's emotion family, per emotion, and how
    often a joy emoji comes first for a text with another emotion (the model "suggests joy for everything")."""
    hits = family_hits([[e] for e in firsts], emotions)
    emotions = np.asarray(emotions)
    joy = np.array([e in EMOTION_FAMILIES["joy"] for e in firsts])
    return {"per_emotion": {e: round(100 * float(hits[emotions == e].mean()), 2)
                            for e in BRIGHTER_EMOTIONS if (emotions == e).any()},
            "joy_first_when_not_joy": round(100 * float(joy[emotions != "joy"].mean()), 2)}


def brighter_report(probs_fn: ProbabilityFn, labels: Sequence[str], data_dir: Path, k: int = 3) -> dict:
    """Family hit@k on BRIGHTER dev: per language, their mean, and per emotion pooled over languages; and the same
    for the first suggestion alone (``first``: hit@1, :func:`first_suggestion`)."""
    per_language, pooled_hits, pooled_emotions, firsts, hit1_by_language = {}, [], [], [], []
    for code, (texts, emotions) in brighter_dev(data_dir).items():
        if not texts:
            continue
        probs = probs_fn(texts)
        per_language[code] = hit_table(probs, labels, emotions, k)
        top = top_k(probs, labels, k)
        pooled_hits.append(family_hits(top, emotions))
        pooled_emotions += emotions
        top1 = [row[0] for row in top]
        firsts += top1
        hit1_by_language.append(100 * float(family_hits([[e] for e in top1], emotions).mean()))
    hits = np.concatenate(pooled_hits)
    per_emotion = {e: round(100 * float(hits[[x == e for x in pooled_emotions]].mean()), 2)
                   for e in BRIGHTER_EMOTIONS if e in pooled_emotions}
    first = {"mean_over_languages": round(float(np.mean(hit1_by_language)), 2),
             **first_suggestion(firsts, pooled_emotions)}
    return {"k": k, "mean_over_languages": round(float(np.mean([v["all"] for v in per_language.values()])), 2),
            "per_emotion": per_emotion, "per_language": per_language, "first": first}


def ec_report(probs_fn: ProbabilityFn, labels: Sequence[str], data_dir: Path, k: int = 3) -> dict:
    out = {}
    for language in ("es", "ar"):
        texts, emotions = ec_dev(data_dir, language)
        out[language] = hit_table(probs_fn(texts), labels, emotions, k)
    return out


def source_report(probs_fn: ProbabilityFn, labels: Sequence[str], dataset: Path, data_dir: Path) -> dict:
    """Each source family's validation rows of a built dataset: top-1 / top-5 over all the model's labels (a row
    whose emoji the model cannot suggest counts as a miss), macro-F1 over the labels present, and the coverage
    of the emoji-bearing validation texts by the model's vocabulary."""
    from training.build_dataset import coverage, load_validation_by_source

    index = {canonical_emoji(e): i for i, e in enumerate(labels)}
    cover = coverage(data_dir, list(index))
    out = {}
    for family, split in load_validation_by_source(dataset).items():
        known = [i for i, e in enumerate(split.labels) if e in index]
        if not known:
            continue
        probs = probs_fn([split.texts[i] for i in known])
        gold = np.array([index[split.labels[i]] for i in known])
        m = scores_on_present(gold, np.log(probs + 1e-12))
        share = len(known) / len(split)  # a gold emoji outside the vocabulary is a miss, as users see it
        out[family] = {"n": len(split), "top1": round(m["accuracy"] * share, 2),
                       "top5": round(m["top5_accuracy"] * share, 2), "macro_f1": round(m["macro_f1"], 2),
                       "coverage": cover.get(family, {}).get("texts"),
                       "coverage_emojis": cover.get(family, {}).get("emojis")}
    return out


def pairs_report(probs_fn: ProbabilityFn, labels: Sequence[str], dataset: Path) -> dict:
    """Cross-lingual agreement on the dataset's held-out parallel pairs, per language: how often the top-1
    suggestion for the translation is the English original's, and how many of the top 5 they share (%)."""
    from training.build_dataset import load_pairs

    pairs = load_pairs(dataset)["validation"]
    english, translation = probs_fn(list(pairs["english"])), probs_fn(list(pairs["translation"]))
    top_en, top_tr = top_k(english, labels, 5), top_k(translation, labels, 5)
    out: dict[str, dict] = {}
    for language in sorted(set(pairs["language"])):
        rows = [i for i, lang in enumerate(pairs["language"]) if lang == language]
        out[language] = {"n": len(rows),
                         "top1_agreement": round(100 * float(np.mean([top_en[i][0] == top_tr[i][0] for i in rows])), 2),
                         "top5_overlap": round(100 * float(np.mean([len(set(top_en[i]) & set(top_tr[i])) / 5
                                                                    for i in rows])), 2)}
    out["all"] = {"n": len(pairs),
                  "top1_agreement": round(float(np.mean([v["top1_agreement"] for v in out.values()])), 2),
                  "top5_overlap": round(float(np.mean([v["top5_overlap"] for v in out.values()])), 2)}
    return out


def plots(folder: Path, brighter: dict) -> list[str]:
    """A per-language bar chart and per-emotion bars of BRIGHTER dev hit@3, as PNGs in ``folder``."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    langs = sorted(brighter["per_language"], key=lambda c: -brighter["per_language"][c]["all"])
    fig, ax = plt.subplots(figsize=(11, 3.6))
    ax.bar(langs, [brighter["per_language"][c]["all"] for c in langs], color="#4c72b0")
    ax.axhline(brighter["mean_over_languages"], color="#c44e52", ls="--",
               label=f"mean {brighter['mean_over_languages']:.1f}")
    ax.set_ylabel(f"family hit@{brighter['k']} (%)")
    ax.set_ylim(0, 100)
    ax.set_title("BRIGHTER dev: the right feeling in the top suggestions, per language")
    ax.tick_params(axis="x", rotation=60)
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(folder / "brighter_per_language.png", dpi=100)
    plt.close(fig)
    emotions = list(brighter["per_emotion"])
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.bar(emotions, [brighter["per_emotion"][e] for e in emotions], color="#55a868")
    ax.set_ylabel(f"family hit@{brighter['k']} (%)")
    ax.set_ylim(0, 100)
    ax.set_title("BRIGHTER dev, per emotion (all languages)")
    fig.tight_layout()
    fig.savefig(folder / "brighter_per_emotion.png", dpi=100)
    plt.close(fig)
    return ["brighter_per_language.png", "brighter_per_emotion.png"]


def markdown(result: dict) -> list[str]:
    """The multilingual part of an evaluation report."""
    b = result["brighter"]
    emotions = list(b["per_emotion"])
    lines = ["## Feelings in 28 languages (BRIGHTER dev)", "",
             f"Family hit@{b['k']}: a text labelled with exactly one emotion counts as a hit when the top "
             f"{b['k']} suggestions hold an emoji of that emotion's family. Mean over languages: "
             f"**{b['mean_over_languages']:.1f}**.", "",
             "| emotion | " + " | ".join(emotions) + " |", "| --- |" + " ---: |" * len(emotions),
             "| hit@3 | " + " | ".join(f"{b['per_emotion'][e]:.1f}" for e in emotions) + " |"]
    first = b.get("first")  # reports made before it was measured lack it
    if first:
        lines += ["| hit@1 (the first suggestion) | "
                  + " | ".join(f"{first['per_emotion'][e]:.1f}" for e in emotions) + " |", "",
                  f"The first suggestion alone is of the text's family for **{first['mean_over_languages']:.1f}** "
                  f"(mean over languages); a joy emoji comes first for {first['joy_first_when_not_joy']:.1f}% of "
                  "the texts with another emotion."]
    lines += ["",
             "| language | n | hit@3 | " + " | ".join(emotions) + " |",
             "| --- | ---: | ---: |" + " ---: |" * len(emotions)]
    for code, row in b["per_language"].items():
        lines.append(f"| {code} | {row['n']} | {row['all']:.1f} | "
                     + " | ".join(f"{row[e]:.1f}" if e in row else "" for e in emotions) + " |")
    lines += ["", "## SemEval-2018 E-c dev (single-emotion tweets)", "", "| language | n | hit@3 |",
              "| --- | ---: | ---: |"]
    lines += [f"| {lang} | {row['n']} | {row['all']:.1f} |" for lang, row in result["ec"].items()]
    if result.get("sources"):
        lines += ["", "## Each source's validation part", "",
                  "Coverage: the share of the source's emoji-bearing validation texts that hold an emoji of the "
                  "vocabulary (and of their emoji occurrences, one per distinct emoji of a text).", "",
                  "| source | n | top-1 | top-5 | macro-F1 (labels present) | coverage: texts | emojis |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for name, row in result["sources"].items():
            cov = " | ".join("" if row.get(k) is None else f"{row[k]:.1f}" for k in ("coverage", "coverage_emojis"))
            lines.append(f"| {name} | {row['n']} | {row['top1']:.1f} | {row['top5']:.1f} | {row['macro_f1']:.1f} | "
                         f"{cov} |")
    if result.get("pairs"):
        lines += ["", "## The same sentence in English and another language (held-out parallel pairs)", "",
                  "How often the top suggestion for a translation is the English original's, and how many of the top "
                  "5 they share (mean over languages in the first row).", "",
                  "| language | n | top-1 agreement | top-5 overlap |", "| --- | ---: | ---: | ---: |"]
        pairs = result["pairs"]
        for language in ["all", *[k for k in pairs if k != "all"]]:
            row = pairs[language]
            lines.append(f"| {language} | {row['n']} | {row['top1_agreement']:.1f} | {row['top5_overlap']:.1f} |")
    return lines
