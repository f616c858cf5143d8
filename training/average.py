"""Average the weights of saved classifiers that share an encoder's shape (a "model soup", Wortsman et al., 2022).

    python -m training.average --models backend/models/default runs/multi-lwf/best \
        --weights 0.5 0.5 --output runs/soup

Runs continued from one another stay close enough in weight space for their average to be a model of its own, with
a share of what each learnt. The first model gives the labels and the config (its decision biases are where
``training.calibrate`` starts); a head row is the weighted mean over the models that have that label, the weights
renormalised among them, so a model with an older, smaller vocabulary still counts on the labels it knows.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from backend.modeling.classifier import WEIGHTS_FILE


@dataclass
class AverageArgs:
    models: list[str] = field(metadata={"help": "saved classifier folders; the first gives labels and config"})
    weights: list[float] = field(metadata={"help": "one weight per model (normalised to sum 1)"})
    output: str = field(metadata={"help": "folder to write"})


def labels_of(folder: Path) -> list[str]:
    id2label = json.loads((folder / "config.json").read_text())["id2label"]
    return [id2label[str(i)] for i in range(len(id2label))]


def average_state(states: list[dict[str, torch.Tensor]], labels: list[list[str]],
                  weights: list[float]) -> dict[str, torch.Tensor]:
    """The weighted mean of ``states`` in the first one's label order (head rows by label, see the module doc)."""
    if len(states) != len(weights) or not states:
        raise ValueError("one weight per model")
    total = sum(weights)
    out = {}
    for name, first in states[0].items():
        if name.startswith("head."):
            rows = []
            for label in labels[0]:
                have = [(s[name][lab.index(label)].float(), w) for s, lab, w in zip(states, labels, weights,
                                                                                    strict=True) if label in lab]
                rows.append(sum(t * w for t, w in have) / sum(w for _, w in have))
            out[name] = torch.stack(rows).to(first.dtype)
            continue
        for s in states[1:]:
            if name not in s or s[name].shape != first.shape:
                raise ValueError(f"{name}: the models' encoders differ in shape; only related runs can be averaged")
        out[name] = (sum(s[name].float() * w for s, w in zip(states, weights, strict=True)) / total).to(first.dtype)
    return out


def main(args: AverageArgs) -> Path:
    folders = [Path(m) for m in args.models]
    states = [load_file(str(f / WEIGHTS_FILE)) for f in folders]
    state = average_state(states, [labels_of(f) for f in folders], args.weights)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(folders[0] / "config.json", out / "config.json")
    save_file(state, str(out / WEIGHTS_FILE), metadata={"format": "pt"})
    history = {"averaged": [{"path": str(f), "weight": w} for f, w in zip(folders, args.weights, strict=True)]}
    if (folders[0] / "train_history.json").exists():
        history["first"] = json.loads((folders[0] / "train_history.json").read_text())
    (out / "train_history.json").write_text(json.dumps(history, indent=2))
    print(f"wrote {out}: the average of {len(folders)} models")
    return out


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (parsed,) = HfArgumentParser(AverageArgs).parse_args_into_dataclasses(args=sys.argv[1:])
    main(parsed)
