"""Masked-LM domain adaptation and starting a fine-tune from saved weights (training.adapt_mlm, --init_from)."""

import json

import pytest
import torch

from training.adapt_mlm import mask_tokens
from training.data import DEFAULT_DATA_DIR

SPECIAL = torch.tensor([0, 1, 2, 3, 99])  # bos, pad, eos, unk, mask in this toy vocabulary


def toy_batch(rows: int = 200, length: int = 30) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    x = torch.randint(5, 99, (rows, length), generator=gen)
    lengths = torch.randint(3, length + 1, (rows,), generator=gen)
    m = (torch.arange(length)[None, :] < lengths[:, None]).long()
    x[:, 0] = 0
    x[torch.arange(rows), lengths - 1] = 2
    x[m == 0] = 1
    return x, m


def test_masking_targets_only_ordinary_tokens_and_keeps_their_ids():
    x, m = toy_batch()
    xm, labels = mask_tokens(x, m, SPECIAL, 100, 99, 0.15, torch.Generator().manual_seed(1))
    target = labels != -100
    assert not torch.isin(x[target], SPECIAL).any()  # never <s>, </s> or padding
    assert torch.equal(labels[target], x[target])  # the label is the original token
    assert torch.equal(xm[~target], x[~target])  # nothing else changes
    assert target.any(1).all()  # every text has something to predict, the shortest too
    ordinary = m.bool() & ~torch.isin(x, SPECIAL)
    share = target.sum() / ordinary.sum()
    assert 0.12 < share < 0.2
    masked = (xm[target] == 99).float().mean()
    assert 0.7 < masked < 0.9  # about 80% <mask>, the rest random or unchanged


def test_masking_is_reproducible_from_its_generator():
    x, m = toy_batch()
    a = mask_tokens(x, m, SPECIAL, 100, 99, 0.15, torch.Generator().manual_seed(3))
    b = mask_tokens(x, m, SPECIAL, 100, 99, 0.15, torch.Generator().manual_seed(3))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


@pytest.mark.model
def test_adapted_encoder_starts_a_fine_tune_and_a_classifier_continues_one(tmp_path):
    from safetensors.torch import load_file

    from backend.modeling.classifier import WORD_EMBEDDINGS, new_classifier
    from backend.modeling.labels import TWEETEVAL_EMOJIS
    from training.adapt_mlm import AdaptArgs
    from training.adapt_mlm import main as adapt
    from training.train import init_weights_from

    if not (DEFAULT_DATA_DIR / "tweeteval" / "emoji").is_dir():
        pytest.skip("../shared/data/tweeteval/emoji is not here")
    adapt(AdaptArgs(output_dir=str(tmp_path / "mlm"), steps=3, head_only_steps=1, batch_size=4, max_train=64,
                    max_val=16, log_every=1, threads=2))
    folder = tmp_path / "mlm" / "encoder"
    saved = load_file(str(folder / "model.safetensors"))
    assert WORD_EMBEDDINGS not in saved and all(k.startswith("encoder.") for k in saved)
    history = json.loads((folder / "adapt_history.json").read_text())
    assert [h["step"] for h in history["history"]] == [1, 3] and history["git_commit"]

    labels = list(TWEETEVAL_EMOJIS)
    model, _ = new_classifier(labels)
    base_layer = model.encoder.encoder.layer[0].output.dense.weight.clone()
    head = model.head.weight.clone()
    assert init_weights_from(model, folder) == len(saved)
    adapted = model.encoder.encoder.layer[0].output.dense.weight
    assert torch.equal(adapted, saved["encoder.encoder.layer.0.output.dense.weight"])
    assert not torch.equal(adapted, base_layer)  # two encoder steps changed it
    assert torch.equal(model.head.weight, head)  # no head in an adapted encoder

    # a saved classifier brings the head row of every label it shares, wherever that label sits now
    trained, _ = new_classifier(labels)
    torch.nn.init.normal_(trained.head.weight)
    trained.save(tmp_path / "clf")
    saved_rows = trained.head.weight.half().float()
    fresh, _ = new_classifier(labels)
    init_weights_from(fresh, tmp_path / "clf")
    torch.testing.assert_close(fresh.head.weight, saved_rows)
    reordered, _ = new_classifier(labels[::-1])
    init_weights_from(reordered, tmp_path / "clf")
    torch.testing.assert_close(reordered.head.weight, saved_rows.flip(0))
    grown, _ = new_classifier(labels + ["😡"])  # a grown vocabulary: old rows kept, the new one left as it was
    new_row = grown.head.weight[-1].clone()
    init_weights_from(grown, tmp_path / "clf")
    torch.testing.assert_close(grown.head.weight[:-1], saved_rows)
    assert torch.equal(grown.head.weight[-1], new_row)


def test_a_run_records_the_history_of_the_model_it_started_from(tmp_path):
    from training.train import started_from

    assert started_from("") is None
    parent = tmp_path / "parent"
    parent.mkdir()
    (parent / "train_history.json").write_text(json.dumps({"args": {"epochs": 3.0}, "best": {"step": 9}}))
    lineage = started_from(str(parent))
    assert lineage["path"] == str(parent) and lineage["args"]["epochs"] == 3.0 and lineage["best"]["step"] == 9
