"""Retraining a saved model's head on its frozen encoder's features (training.retrain_head)."""

import json

import numpy as np
import pytest
import torch

from training.retrain_head import RetrainHeadArgs, fit_head


def toy(rows: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three labels, each a direction in a 4-d feature space."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, rows)
    x = rng.normal(0, 0.3, (rows, 4)).astype(np.float32)
    x[np.arange(rows), y] += 1.0
    return x, y


def args(**kw) -> RetrainHeadArgs:
    return RetrainHeadArgs(model="unused", output_dir="unused", epochs=30, batch_size=64, lr=0.05, **kw)


def test_the_head_learns_the_labels_from_fixed_features():
    x, y = toy()
    w, b = fit_head(x, y, np.ones(len(y)), ["a"] * len(y), torch.zeros(3, 4), torch.zeros(3), args())
    accuracy = ((torch.from_numpy(x) @ w.T + b).argmax(1).numpy() == y).mean()
    assert accuracy > 0.95


def test_full_distillation_keeps_the_head_and_skipped_families_still_learn():
    x, y = toy()
    start_w, start_b = torch.randn(3, 4), torch.randn(3)
    w, b = fit_head(x, y, np.ones(len(y)), ["a"] * len(y), start_w, start_b, args(distill_alpha=1.0))
    # the KL to the start is 0 there (Adam's steps on rounding-sized gradients only jitter around it)
    assert (w - start_w).abs().max() < 0.02 and (b - start_b).abs().max() < 0.02
    w, _ = fit_head(x, y, np.ones(len(y)), ["a"] * len(y), start_w, start_b, args(distill_alpha=1.0, distill_skip="a"))
    assert (w - start_w).abs().max() > 0.1


def test_source_mix_decides_between_families_that_disagree():
    """Two families label the same texts differently; the one drawn five times as often wins."""
    x, y = toy(400)
    xs, ys = np.concatenate([x, x]), np.concatenate([y, (y + 1) % 3])
    fams = ["a"] * len(y) + ["b"] * len(y)
    for mix, want in (("a=5", y), ("b=5", (y + 1) % 3)):
        w, b = fit_head(xs, ys, np.ones(len(ys)), fams, torch.zeros(3, 4), torch.zeros(3), args(source_mix=mix))
        assert ((torch.from_numpy(x) @ w.T + b).argmax(1).numpy() == want).mean() > 0.9
    with pytest.raises(ValueError, match="lacks"):
        fit_head(xs, ys, np.ones(len(ys)), fams, torch.zeros(3, 4), torch.zeros(3), args(source_mix="c=2"))


def test_parallel_pairs_pull_the_translations_suggestions_towards_the_english_ones():
    x, y = toy()
    rng = np.random.default_rng(1)
    english = x[:300]
    translated = (english[:, ::-1] + rng.normal(0, 0.1, english.shape)).astype(np.float32)  # a different "language"

    def agreement(w, b):
        return ((torch.from_numpy(english) @ w.T + b).argmax(1) == (torch.from_numpy(translated) @ w.T + b).argmax(1)
                ).float().mean().item()

    fams = ["a"] * len(y)
    plain = fit_head(x, y, np.ones(len(y)), fams, torch.zeros(3, 4), torch.zeros(3), args())
    paired = fit_head(x, y, np.ones(len(y)), fams, torch.zeros(3, 4), torch.zeros(3),
                      args(pairs_weight=5.0, pairs_batch_size=64), (english, translated))
    assert agreement(*paired) > agreement(*plain) + 0.3


@pytest.mark.model
@pytest.mark.training
def test_a_retrained_model_changes_only_its_head_and_reuses_its_features(tmp_path):
    from safetensors.torch import load_file
    from support.fake_data import FAKE_LABELS, make_fake_data

    from backend.modeling.classifier import load_classifier, new_classifier
    from training.build_dataset import build, write
    from training.retrain_head import main

    data = make_fake_data(tmp_path / "data")
    trained = {ex.label for ex in build(data, FAKE_LABELS, min_count=0).train}
    built = build(data, [e for e in FAKE_LABELS if e in trained], min_count=0)  # every label has a training row
    write(built, tmp_path / "dataset")
    model, _ = new_classifier(built.labels, num_layers=1)
    model.save(tmp_path / "start")
    run = RetrainHeadArgs(model=str(tmp_path / "start"), output_dir=str(tmp_path / "head"),
                          dataset=str(tmp_path / "dataset"), epochs=5, batch_size=8, threads=2)
    out = main(run)
    before, after = load_file(str(tmp_path / "start" / "model.safetensors")), load_file(str(out / "model.safetensors"))
    assert set(before) == set(after)
    assert all(torch.equal(before[k], after[k]) for k in before if not k.startswith("head."))
    assert not torch.equal(before["head.weight"], after["head.weight"])
    assert json.loads((out / "config.json").read_text())["id2label"] == {str(i): e for i, e in enumerate(built.labels)}
    history = json.loads((out / "train_history.json").read_text())
    assert history["started_from"]["path"] == str(tmp_path / "start") and history["validation"]["after"]
    assert (tmp_path / "head-features.npz").exists() and not (out / "features.npz").exists()
    reloaded, _ = load_classifier(out)
    torch.testing.assert_close(reloaded.head.weight, after["head.weight"].float())
    # a second run with other settings reads the cached features instead of running the encoder again
    main(RetrainHeadArgs(**{**run.__dict__, "lr": 1e-2}))
    assert (out / "retrain_head.log").read_text().count("features of") == 1
