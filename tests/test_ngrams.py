"""The n-gram half of the classifier, its fusion with the encoder at serving time, smaller distilled students and
which layers run in int8."""

import json
import zlib

import numpy as np
import pytest
import torch

from backend.modeling.ngrams import (
    NGRAMS_FILE,
    NgramModel,
    features,
    load_ngrams,
    packed,
    seen_words,
    word_coverage,
)
from backend.modeling.text import model_input
from training.data import DEFAULT_DATA_DIR
from training.train_ngrams import NgramArgs, fit

B = 4096


def test_features_are_stable_hashes_of_lower_cased_words_and_char_grams_without_emojis():
    ids, weights = features(model_input("Hello World 😍"), B)
    expected = {zlib.crc32(g.encode()) % B for g in ("w hello", "w world", "b hello world", " h", "he", "ld ",
                                                     " hell")}
    assert expected <= set(ids)
    assert features(model_input("hello world"), B) == (ids, weights)  # case and the emoji make no difference
    assert abs(sum(w * w for w in weights) - 1.0) < 1e-9
    assert len(set(ids)) == len(ids)  # repeated n-grams are counted, not listed twice


def test_fit_learns_words_and_keeps_the_best_validation_epoch():
    rng = np.random.default_rng(0)
    words = [["sunny", "beach", "summer"], ["rain", "grey", "cold"], ["pizza", "pasta", "dinner"]]
    filler = ["today", "really", "the", "so", "we", "it"]

    def make(n):
        y = rng.integers(0, 3, n)
        texts = [" ".join(rng.choice(filler, 3).tolist() + [rng.choice(words[c])]) for c in y]
        return [features(model_input(t), B) for t in texts], y

    x_train, y_train = make(600)
    x_val, y_val = make(150)
    args = NgramArgs(model="", buckets=B, epochs=3, batch_size=32)
    model, val_lp, history = fit(args, x_train, y_train, x_val, y_val, 3)
    assert [h["epoch"] for h in history] == [1, 2, 3]
    assert (val_lp.argmax(1) == y_val).mean() > 0.95
    with torch.no_grad():
        again = torch.log_softmax(model(*packed(x_val)), -1).numpy()
    np.testing.assert_allclose(again, val_lp, atol=1e-5)  # the returned model is the one scored


def test_word_coverage_counts_the_words_seen_often_enough_in_training():
    seen = seen_words([model_input(t) for t in ("Good morning sunshine", "good MORNING all", "sunshine")])
    assert seen.dtype == torch.uint8 and seen.numel() * 8 == 2**20
    assert word_coverage(model_input("good morning"), seen) == 1.0  # each seen twice (case does not matter)
    assert word_coverage(model_input("good morning sunshine all"), seen) == 0.75  # "all" occurs once only
    assert word_coverage(model_input("Доброе утро"), seen) == 0.0
    assert word_coverage(model_input("😍"), seen) == 0.0  # no words at all
    assert word_coverage(model_input("all"), seen_words([model_input("all")], min_count=1)) == 1.0


def test_save_and_load_round_trip(tmp_path):
    model = NgramModel(B, 5)
    torch.nn.init.normal_(model.table.weight)
    model.bias.data = torch.arange(5.0)
    model.save(tmp_path)
    loaded = load_ngrams(tmp_path)
    texts = [model_input("ok then"), model_input("no way")]
    with torch.no_grad():
        torch.testing.assert_close(loaded.logits(texts), model.logits(texts), atol=2e-3, rtol=2e-3)  # fp16 table
    assert loaded.seen is None and loaded.gate(texts).tolist() == [1.0, 1.0]  # no bitmap: no gate
    model.seen = seen_words(texts + texts[:1])
    model.save(tmp_path)
    assert load_ngrams(tmp_path).gate(texts).tolist() == [1.0, 0.0]
    assert load_ngrams(tmp_path / "elsewhere") is None


@pytest.fixture(scope="module")
def two_layer_model(tmp_path_factory):
    from backend.modeling.classifier import new_classifier

    folder = tmp_path_factory.mktemp("two_layers")
    model, _ = new_classifier(["😂", "😭", "❤", "🔥"], num_layers=2)
    torch.nn.init.normal_(model.head.weight, std=0.5)
    model.meta.extra = {"logit_bias": [0.1, -0.2, 0.0, 0.3]}
    model.save(folder)
    return folder


def test_a_model_keeps_only_its_first_layers_and_serves(two_layer_model):
    from backend.predictor import TransformerPredictor

    config = json.loads((two_layer_model / "config.json").read_text())
    assert config["num_hidden_layers"] == 2
    predictor = TransformerPredictor(str(two_layer_model), engine="torch")
    assert len(predictor.model.encoder.encoder.layer) == 2 and predictor.info()["layers"] == 2
    assert len(predictor.suggest(["so sad today"], 4)[0]) == 4
    served = TransformerPredictor(str(two_layer_model))  # ONNX Runtime, the default engine
    assert served.info()["layers"] == 2
    torch.testing.assert_close(served.probabilities(["so sad today"]), predictor.probabilities(["so sad today"]),
                               atol=1e-5, rtol=1e-4)


def test_serving_adds_the_weighted_n_gram_log_probabilities(two_layer_model, tmp_path):
    import shutil

    from backend.predictor import TransformerPredictor

    folder = tmp_path / "fused"
    shutil.copytree(two_layer_model, folder)
    texts = ["so sad today", "best night ever"]
    encoder_only = TransformerPredictor(str(folder))
    assert encoder_only.ngrams is None and encoder_only.info()["ngram_weight"] == 0.0
    before = encoder_only.probabilities(texts)

    ngrams = NgramModel(B, 4)
    torch.nn.init.normal_(ngrams.table.weight, std=2.0)
    ngrams.save(folder)
    config = json.loads((folder / "config.json").read_text())
    config["emoji_suggest"]["ngram_weight"] = 0.75
    (folder / "config.json").write_text(json.dumps(config))
    fused = TransformerPredictor(str(folder))
    after = fused.probabilities(texts)
    with torch.no_grad():
        ng = torch.log_softmax(load_ngrams(folder).logits([model_input(t) for t in texts]), -1)
    expected = torch.softmax(torch.log(before) + 0.75 * ng, -1)  # the bias is inside log(before), per row
    torch.testing.assert_close(after, expected, atol=1e-4, rtol=1e-4)
    assert not torch.allclose(after, before, atol=1e-3)

    # gated: "so sad today" has 2 of its 3 words in the bitmap, "best night ever" none
    ngrams.seen = seen_words([model_input("so sad")] * 2)
    ngrams.save(folder)
    gated = TransformerPredictor(str(folder)).probabilities(texts)
    gate = torch.tensor([[2 / 3], [0.0]])
    torch.testing.assert_close(gated, torch.softmax(torch.log(before) + 0.75 * gate * ng, -1), atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(gated[1], before[1], atol=1e-5, rtol=1e-5)  # nothing known: the encoder alone


def test_train_ngrams_writes_the_model_and_its_chosen_weight(tmp_path):
    from backend.modeling.classifier import new_classifier
    from backend.modeling.labels import TWEETEVAL_EMOJIS
    from training.train_ngrams import WEIGHTS, main

    if not (DEFAULT_DATA_DIR / "tweeteval" / "emoji").is_dir():
        pytest.skip("../shared/data/tweeteval/emoji is not here")
    folder = tmp_path / "protocol"
    model, _ = new_classifier(list(TWEETEVAL_EMOJIS), num_layers=1)
    model.save(folder)
    result = main(NgramArgs(model=str(folder), buckets=B, epochs=2, max_train=400, max_val=200))
    meta = json.loads((folder / "config.json").read_text())["emoji_suggest"]
    assert meta["ngram_weight"] == result["chosen"]["weight"] and meta["ngram_buckets"] == B
    assert [r["weight"] for r in meta["ngrams"]["weight_search"]] == list(WEIGHTS)
    assert len(meta["logit_bias"]) == 20
    # an untrained encoder is close to chance, so the n-grams must be chosen and saved
    assert meta["ngram_weight"] > 0 and (folder / NGRAMS_FILE).exists()
    assert meta["ngram_gate_min_count"] == 2 and load_ngrams(folder).seen is not None
    assert "epoch 2:" in (folder / "train_ngrams.log").read_text()


def test_distillation_loss_is_zero_only_when_the_student_matches_the_teacher():
    from training.train import distillation_loss

    teacher = torch.randn(8, 5)
    assert distillation_loss(teacher.clone(), teacher, 2.0).abs() < 1e-6
    assert distillation_loss(torch.randn(8, 5), teacher, 2.0) > 0.01


def test_a_student_with_fewer_layers_is_distilled_from_a_saved_teacher(tmp_path):
    from backend.modeling.classifier import new_classifier
    from backend.modeling.labels import TWEETEVAL_EMOJIS
    from training.train import TrainArgs, main

    if not (DEFAULT_DATA_DIR / "tweeteval" / "emoji").is_dir():
        pytest.skip("../shared/data/tweeteval/emoji is not here")
    teacher, _ = new_classifier(list(TWEETEVAL_EMOJIS), num_layers=3)
    teacher.save(tmp_path / "teacher")
    out = tmp_path / "student"
    main(TrainArgs(output_dir=str(out), epochs=1, batch_size=8, max_train=40, max_val=40, eval_every=5, threads=2,
                   num_layers=1, init_from=str(tmp_path / "teacher"), teacher=str(tmp_path / "teacher")))
    assert json.loads((out / "best" / "config.json").read_text())["num_hidden_layers"] == 1
    log = (out / "train.log").read_text()
    assert "distilling from" in log and "initialised" in log
    wrong = tmp_path / "wrong_labels"
    other, _ = new_classifier(["😂", "😭"], num_layers=1)
    other.save(wrong)
    with pytest.raises(ValueError, match="labels differ"):
        main(TrainArgs(output_dir=str(tmp_path / "s2"), epochs=1, batch_size=8, max_train=40, max_val=40,
                       num_layers=1, teacher=str(wrong)))


def test_int8_leaves_the_feed_forward_output_projections_and_the_head_in_fp32(two_layer_model):
    from backend.modeling.classifier import load_classifier
    from backend.predictor import int8_layer_names, quantize_int8

    model, _ = load_classifier(two_layer_model)
    names = int8_layer_names(model)
    assert "encoder.encoder.layer.0.attention.self.query" in names
    assert "encoder.encoder.layer.1.attention.output.dense" in names
    assert "encoder.encoder.layer.1.intermediate.dense" in names
    assert "encoder.encoder.layer.0.output.dense" not in names and "head" not in names
    assert len(names) == 2 * 5 and len(int8_layer_names(model, everything=True)) == 2 * 6 + 1
    quantize_int8(model)
    layer = model.encoder.encoder.layer[0]
    assert "quantized" in type(layer.intermediate.dense).__module__
    assert type(layer.output.dense) is torch.nn.Linear and type(model.head) is torch.nn.Linear
