"""The feelings evaluation: family hit@3 on BRIGHTER dev per language and per emotion, on tiny fake files."""

from pathlib import Path

import numpy as np
import pytest

from training import emotion_eval

LABELS = ["😂", "😠", "😢", "😮", "❤", "🎄"]


def _brighter(root: Path, code: str, rows: list[str], disgust: bool = True) -> None:
    folder = root / "brighter"
    folder.mkdir(parents=True, exist_ok=True)
    header = "id,text,anger," + ("disgust," if disgust else "") + "fear,joy,sadness,surprise\n"
    (folder / f"{code}_dev.csv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")


def angry_everywhere(texts: list[str]) -> np.ndarray:
    """A model that always ranks 😠, then 🎄, then 😮 first."""
    row = np.array([0.01, 0.6, 0.01, 0.1, 0.08, 0.2])
    return np.tile(row, (len(texts), 1))


def test_hits_need_the_family_in_the_top_three_and_single_emotion_texts_only(tmp_path: Path):
    _brighter(tmp_path, "deu", ["1,wütend,1,0,0,0,0,0", "2,froh,0,0,0,1,0,0", "3,beides,1,0,0,1,0,0",
                                "4,nichts,0,0,0,0,0,0", "5,überrascht,0,0,0,0,0,1"])
    _brighter(tmp_path, "eng", ["1,so angry,1,0,0,0,0", "2,so sad,0,0,0,1,0"], disgust=False)
    report = emotion_eval.brighter_report(angry_everywhere, LABELS, tmp_path)
    deu, eng = report["per_language"]["deu"], report["per_language"]["eng"]
    assert deu["n"] == 3 and eng["n"] == 2  # two emotions or none: not scored
    assert deu["anger"] == 100.0 and deu["joy"] == 0.0 and deu["surprise"] == 100.0  # 😮 is third
    assert eng["anger"] == 100.0 and eng["sadness"] == 0.0
    assert report["mean_over_languages"] == pytest.approx((200 / 3 + 50) / 2, abs=0.01)
    assert report["per_emotion"] == {"anger": 100.0, "joy": 0.0, "sadness": 0.0, "surprise": 100.0}
    first = report["first"]  # 😠 first everywhere: right for the angry texts only
    assert first["per_emotion"] == {"anger": 100.0, "joy": 0.0, "sadness": 0.0, "surprise": 0.0}
    assert first["mean_over_languages"] == pytest.approx((100 / 3 + 50) / 2, abs=0.01)
    assert first["joy_first_when_not_joy"] == 0.0
    lines = "\n".join(emotion_eval.markdown({"brighter": report, "ec": {}}))
    assert "| deu | 3 | 66.7 |" in lines
    assert "| hit@1 (the first suggestion) | 100.0 | 0.0 | 0.0 | 0.0 |" in lines


def test_first_suggestion_counts_joy_put_first_for_other_feelings():
    firsts, emotions = ["😂", "😂", "😢", "😂"], ["joy", "sadness", "sadness", "anger"]
    first = emotion_eval.first_suggestion(firsts, emotions)
    assert first["joy_first_when_not_joy"] == pytest.approx(200 / 3, abs=0.01)  # 2 of the 3 texts without joy
    assert first["per_emotion"] == {"anger": 0.0, "joy": 100.0, "sadness": 50.0}


def test_top_k_compares_canonical_forms():
    probs = np.array([[0.1, 0.9]])
    assert emotion_eval.top_k(probs, ["😂", "❤\ufe0f"], 1) == [["❤"]]
    hits = emotion_eval.family_hits([["❤"], ["😂"]], ["love", "anger"])
    assert hits.tolist() == [1.0, 0.0]


def _feelings_objective(row, top1_weight: float = 1.0):
    """A FeelingsObjective over TweetEval's 20 emojis and five feelings' own: 20 BRIGHTER rows per emotion, each
    ``row(emotion, own emoji, index, rng)`` (logits), and a perfect TweetEval model. Returns it with the rows'
    logits, emotions and the label index."""
    from backend.modeling.labels import TWEETEVAL_EMOJIS
    from training.calibrate import FeelingsObjective

    labels = list(TWEETEVAL_EMOJIS) + ["😡", "😢", "😮", "🤢", "😱"]
    idx = {e: i for i, e in enumerate(labels)}
    rng = np.random.default_rng(0)
    rows, emotions = [], []
    for emotion, own in (("joy", "😂"), ("anger", "😡"), ("sadness", "😢"), ("surprise", "😮"), ("disgust", "🤢"),
                         ("fear", "😱")):
        for _ in range(20):
            rows.append(row(emotion, own, idx, rng))
            emotions.append(emotion)
    logits = np.stack(rows)
    te_gold = np.array([idx[e] for e in TWEETEVAL_EMOJIS] * 3)
    te_logits = np.eye(len(labels))[te_gold] * 2.0  # a perfect TweetEval model
    objective = FeelingsObjective(labels, (logits, emotions, ["xx"] * len(rows)), (te_logits, te_gold), top1_weight)
    return objective, logits, np.array(emotions), idx


def test_feelings_calibration_lifts_an_emotion_under_its_target():
    """A model that puts 😂 (joy) fourth for joyful texts: one bias on the joy family lifts joy past its target,
    and the TweetEval part keeps its own labels' macro-F1."""
    def row(emotion, own, idx, rng):
        logit = rng.normal(0, 0.1, len(idx))
        logit[[idx["🎄"], idx["📷"], idx["🔥"]]] += 3.0  # three unrelated labels on top
        logit[idx[own]] += 2.0 if emotion == "joy" else 4.0  # joy's own emoji only fourth
        return logit

    objective, logits, _, _ = _feelings_objective(row)
    everything, te_all = np.ones(len(logits), bool), np.ones(60, bool)
    start = np.zeros(logits.shape[1])
    before = objective.parts(start, everything, te_all)
    assert before["per_emotion"]["joy"] == 0.0 and before["per_emotion"]["anger"] == 100.0
    bias = objective.tune(start, everything, te_all)
    after = objective.parts(bias, everything, te_all)
    assert after["per_emotion"]["joy"] == 100.0 and min(after["per_emotion"].values()) == 100.0
    assert after["tweeteval_macro_f1"] == pytest.approx(100.0)


def test_feelings_calibration_with_a_top1_weight_puts_the_right_feeling_first():
    """Sad texts get 😂 first and 😢 second: hit@3 is already perfect, so only the hit@1 term can move the rule,
    and it lifts 😢 above 😂 for them while joyful texts keep 😂 first."""
    def row(emotion, own, idx, rng):
        logit = rng.normal(0, 0.05, len(idx))
        logit[idx[own]] += 4.0
        if emotion == "sadness":
            logit[idx["😂"]] += 3.0
            logit[idx["😢"]] -= 1.5  # 2.5: second, behind 😂
        return logit

    for weight, sad_first in ((0.0, 0.0), (1.0, 100.0)):
        objective, logits, emotions, idx = _feelings_objective(row, top1_weight=weight)
        everything, te_all = np.ones(len(logits), bool), np.ones(60, bool)
        start = np.zeros(logits.shape[1])
        before = objective.parts(start, everything, te_all)
        assert min(before["per_emotion"].values()) == 100.0 and before["brighter_hit1_mean"] < 90
        bias = objective.tune(start, everything, te_all)
        assert min(objective.parts(bias, everything, te_all)["per_emotion"].values()) == 100.0
        scored = logits + bias
        assert 100 * float((scored[emotions == "sadness"].argmax(1) == idx["😢"]).mean()) == sad_first
        assert (scored[emotions == "joy"].argmax(1) == idx["😂"]).all()


def _calibration_run(tmp_path: Path, monkeypatch, val_labels: list[int]) -> tuple[dict, list[float]]:
    """``training.calibrate --feelings`` on a fake model (scores that hash each text) and fake files: BRIGHTER dev,
    TweetEval train and val. Returns its record and the rule it wrote."""
    import hashlib
    import json

    from backend.modeling.labels import TWEETEVAL_EMOJIS
    from training import calibrate

    labels = list(TWEETEVAL_EMOJIS) + ["😡", "😢", "😮", "🤢", "😱"]

    class Model:
        def __init__(self, *args, **kwargs):
            self.labels = labels

    def probability_fn(model, batch_size):
        def probs(texts):
            rows = [np.random.default_rng(int(hashlib.sha256(t.encode()).hexdigest()[:8], 16)).dirichlet(
                np.ones(len(labels))) for t in texts]
            return np.array(rows)
        return probs

    monkeypatch.setattr(calibrate, "TransformerPredictor", Model)
    monkeypatch.setattr("training.evaluate.probability_fn", probability_fn)
    data = tmp_path / "data"
    rows = []
    for i in range(120):  # each emotion in both halves (rows alternate between them)
        flags = [int((i // 2) % 6 == k) for k in range(6)]
        rows.append(f"{i},text {i}," + ",".join(map(str, flags)))
    _brighter(data, "deu", rows)
    emoji = data / "tweeteval" / "emoji"
    emoji.mkdir(parents=True)
    (emoji / "mapping.txt").write_text("".join(f"{i}\t{e}\t_\n" for i, e in enumerate(TWEETEVAL_EMOJIS)))
    for split, n, gold in (("train", 400, [i % 20 for i in range(400)]), ("val", len(val_labels), val_labels)):
        (emoji / f"{split}_text.txt").write_text("".join(f"{split} tweet {i}\n" for i in range(n)))
        (emoji / f"{split}_labels.txt").write_text("".join(f"{g}\n" for g in gold))
    model = tmp_path / "model"
    model.mkdir()
    config = {"id2label": dict(enumerate(labels)), "emoji_suggest": {"logit_bias": [0.0] * len(labels)}}
    (model / "config.json").write_text(json.dumps(config))
    args = calibrate.CalibrateArgs(model=str(model), data_dir=str(data), feelings=True, force=True)
    record = calibrate.main(args)
    return record, json.loads((model / "config.json").read_text())["emoji_suggest"]["logit_bias"]


def test_feelings_calibration_tunes_on_tweeteval_train_and_only_scores_val(tmp_path: Path, monkeypatch):
    """The rule is tuned on TweetEval train: val's labels change its reported held-out score, never the rule."""
    one, rule_one = _calibration_run(tmp_path / "a", monkeypatch, [i % 20 for i in range(100)])
    two, rule_two = _calibration_run(tmp_path / "b", monkeypatch, [(7 * i + 3) % 20 for i in range(100)])
    assert rule_one == rule_two
    assert rule_one != [0.0] * len(rule_one)  # the tuning moved something
    assert one["in_sample"]["tweeteval_val_macro_f1"] != two["in_sample"]["tweeteval_val_macro_f1"]
    assert one["in_sample"]["tweeteval_train_macro_f1"] == two["in_sample"]["tweeteval_train_macro_f1"]
