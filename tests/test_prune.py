"""training.prune: fewer layers and narrower feed-forward blocks, the neurons that matter kept; the pruned model
trains as a student (unlabelled texts learning from the teacher alone) and serves on both engines."""

import json
import sys

import numpy as np
import pytest
import torch

from backend.modeling.classifier import new_classifier
from backend.modeling.labels import TWEETEVAL_EMOJIS
from training.data import DEFAULT_DATA_DIR
from training.prune import ffn_importance, keep_first_layers, prune_ffn

TEXTS = ["I love this so much", "worst day ever, I hate mondays", "Merry Christmas everyone!",
         "Odio esto, el peor día de mi vida", "on my way to the beach", "最悪の一日だった"]


def _model_and_ids(num_layers: int = 2):
    torch.manual_seed(0)
    model, tokenizer = new_classifier(["😂", "😭", "❤", "🔥"], num_layers=num_layers)
    model.eval()
    return model, tokenizer, tokenizer(TEXTS)["input_ids"], tokenizer.pad_token_id


def _logits(model, tokenizer) -> torch.Tensor:
    enc = tokenizer(TEXTS, padding=True, return_tensors="pt")
    with torch.no_grad():
        return model(enc["input_ids"], enc["attention_mask"])


def _hidden(model, tokenizer) -> torch.Tensor:
    """The encoder's output at the real tokens (what pruning should disturb as little as it can)."""
    enc = tokenizer(TEXTS, padding=True, return_tensors="pt")
    with torch.no_grad():
        out = model.encoder(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
    return out[enc["attention_mask"].bool()]


def test_pruning_removes_the_neurons_that_add_nothing_first():
    model, tokenizer, ids, pad = _model_and_ids()
    width = model.config.intermediate_size
    idle = torch.randperm(width, generator=torch.Generator().manual_seed(1))[:500]
    for layer in model.encoder.encoder.layer:  # these neurons' output columns are zero: they change nothing
        layer.output.dense.weight.data[:, idle] = 0.0
    before = _logits(model, tokenizer)
    importance = ffn_importance(model, ids, pad)
    assert all(float(s[idle].max()) == 0.0 and float(s.max()) > 0 for s in importance)
    prune_ffn(model, importance, width - 500)
    assert model.config.intermediate_size == width - 500
    assert all(layer.output.dense.weight.shape == (384, width - 500) for layer in model.encoder.encoder.layer)
    torch.testing.assert_close(_logits(model, tokenizer), before, atol=1e-5, rtol=1e-5)


def test_pruning_by_importance_keeps_the_model_closer_than_pruning_at_random():
    model, tokenizer, ids, pad = _model_and_ids()
    before = _hidden(model, tokenizer)
    importance = ffn_importance(model, ids, pad)
    chosen = _model_and_ids()[0]
    prune_ffn(chosen, importance, 768)
    shuffled = _model_and_ids()[0]
    prune_ffn(shuffled, [torch.rand(s.shape, generator=torch.Generator().manual_seed(2)) for s in importance], 768)
    error = {name: float((_hidden(m, tokenizer) - before).norm() / before.norm())
             for name, m in (("chosen", chosen), ("shuffled", shuffled))}
    assert error["chosen"] < 0.7 * error["shuffled"]
    with pytest.raises(ValueError, match="ffn_size"):
        prune_ffn(chosen, importance, 5000)
    keep_first_layers(chosen, 1)
    assert len(chosen.encoder.encoder.layer) == 1 and chosen.config.num_hidden_layers == 1
    with pytest.raises(ValueError, match="num_layers"):
        keep_first_layers(chosen, 3)


def test_a_pruned_model_trains_as_a_student_and_serves_on_both_engines(tmp_path, monkeypatch):
    from backend.predictor import TransformerPredictor
    from training import prune
    from training.train import TrainArgs, main

    if not (DEFAULT_DATA_DIR / "tweeteval" / "emoji").is_dir():
        pytest.skip("../shared/data/tweeteval/emoji is not here")
    teacher, _ = new_classifier(list(TWEETEVAL_EMOJIS), num_layers=2)
    teacher.save(tmp_path / "teacher")
    monkeypatch.setattr(sys, "argv", ["prune", "--model", str(tmp_path / "teacher"), "--dataset", "tweeteval",
                                      "--num_layers", "1", "--ffn_size", "256", "--sample", "50",
                                      "--output_dir", str(tmp_path / "init")])
    prune.main()
    config = json.loads((tmp_path / "init" / "config.json").read_text())
    assert (config["num_hidden_layers"], config["intermediate_size"]) == (1, 256)
    assert config["emoji_suggest"]["pruned_from"]["ffn_size"] == 256

    out = tmp_path / "student"
    unlabelled = tmp_path / "unlabelled.txt"  # teacher's targets only; a batch may hold nothing else
    unlabelled.write_text("\n".join(TEXTS * 4) + "\n", encoding="utf-8")
    main(TrainArgs(output_dir=str(out), epochs=1, batch_size=8, max_train=40, max_val=40, eval_every=5, threads=2,
                   num_layers=1, init_from=str(tmp_path / "init"), teacher=str(tmp_path / "teacher"),
                   distill_texts=str(unlabelled)))
    assert f"{len(TEXTS) * 4} unlabelled texts" in (out / "train.log").read_text()
    history = json.loads((out / "best" / "train_history.json").read_text())["history"]
    assert all(np.isfinite(h["macro_f1"]) for h in history)
    with pytest.raises(ValueError, match="needs --teacher"):
        main(TrainArgs(output_dir=str(tmp_path / "s2"), max_train=40, max_val=40, distill_texts=str(unlabelled)))
    best = out / "best"
    assert json.loads((best / "config.json").read_text())["intermediate_size"] == 256
    assert json.loads((best / "train_history.json").read_text())["started_from"]["pruned_from"]["num_layers"] == 1
    probs = [TransformerPredictor(str(best), quantize=False, engine=e).probabilities(TEXTS)
             for e in ("onnxruntime", "torch")]
    assert probs[0].shape == (len(TEXTS), 20)
    torch.testing.assert_close(probs[0], probs[1], atol=1e-4, rtol=1e-4)
