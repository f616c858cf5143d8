"""Stage the serving image as a Hugging Face Docker Space and upload it, in one commit.

    python -m training.space --space_id user/emoji-suggest                 # needs HF_TOKEN (write)
    python -m training.space --space_id user/emoji-suggest --dry_run_dir /tmp/space   # the folder, no network

The Space is this repository's Dockerfile with what it copies (requirements.txt, backend/ with the embedded
model's exported graphs, not its PyTorch weights: .dockerignore) and a README whose front matter makes it a
Docker Space on port 7860. The Hub builds the image and runs it; its app is the demo page (top 5 emojis for typed
text, the model and its languages named) and the /v1 API.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("Dockerfile", "requirements.txt", "backend")  # what the Dockerfile needs from the build context
LEFT_OUT = ("__pycache__", "*.pyc", "model.safetensors", "train_history.json")  # as .dockerignore leaves them

SPACE_README = """---
title: Emoji Suggest
emoji: 😀
colorFrom: yellow
colorTo: pink
sdk: docker
app_port: 7860
pinned: false
license: mit
short_description: The five emojis that fit a text, in ~100 languages
---

# Emoji suggest

Type a post in any language and see the five emojis that fit it best; click one to copy it. This Space runs the
emoji-suggest serving image{source}: ONNX Runtime on CPU, no PyTorch, the model inside the image.

Model: {title} ({labels} emojis).

The same server answers JSON: `POST /v1/suggest` with `{{"text": "..."}}` returns the top 5 with scores;
`POST /v1/suggest/batch`, `GET /v1/labels`, `GET /v1/health`; the OpenAPI description is at `/openapi.json`.
"""


def _ignored(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if any(fnmatch.fnmatch(n, pattern) for pattern in LEFT_OUT)}


def stage(out: str | Path, repo_url: str = "") -> Path:
    """Write the Space's folder into ``out`` (emptied first): README with the Space front matter, Dockerfile,
    requirements.txt and backend/ with the embedded model. Refuses a model without exported graphs (the image
    has no torch to build them)."""
    from backend.config import DEFAULT_MODEL_DIR
    from backend.demo import model_card_facts
    from backend.exported import exported_graphs

    if exported_graphs(DEFAULT_MODEL_DIR) is None:
        raise SystemExit(f"{DEFAULT_MODEL_DIR} has no fresh exported graphs: python -m training.export --graph "
                         f"{DEFAULT_MODEL_DIR}")
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, out / name, ignore=_ignored)
        else:
            shutil.copy2(src, out / name)
    labels = len(json.loads((DEFAULT_MODEL_DIR / "config.json").read_text(encoding="utf-8"))["id2label"])
    title, _ = model_card_facts(str(DEFAULT_MODEL_DIR))
    readme = SPACE_README.format(source=f" ({repo_url})" if repo_url else "", title=title or "emoji-suggest",
                                 labels=labels)
    (out / "README.md").write_text(readme, encoding="utf-8")
    return out


def upload(space_id: str, folder: Path, token: str | None = None) -> str:
    """Create the Docker Space if needed and upload ``folder`` as one commit (files no longer staged are
    deleted in the same commit); returns the commit URL."""
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    api.create_repo(space_id, repo_type="space", space_sdk="docker", exist_ok=True)
    commit = api.upload_folder(folder_path=str(folder), repo_id=space_id, repo_type="space",
                               commit_message="Deploy emoji-suggest", delete_patterns=["*"])
    return str(getattr(commit, "commit_url", commit))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--space_id", default="", help="user/name of the Space (not needed for a dry run)")
    parser.add_argument("--dry_run_dir", default="", help="write the Space's folder here and upload nothing")
    parser.add_argument("--repo_url", default="", help="the project's source, linked from the Space's README")
    args = parser.parse_args(argv)
    if args.dry_run_dir:
        print(f"staged the Space in {stage(args.dry_run_dir, args.repo_url)} (dry run: nothing uploaded)")
        return
    if not args.space_id or "/" not in args.space_id:
        raise SystemExit("give --space_id user/name (make space SPACE_ID=user/name), or a dry run directory")
    token = os.environ.get("HF_TOKEN")
    if not token:
        raise SystemExit("HF_TOKEN is not set: a Hugging Face token with write access is needed to upload")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"uploaded: {upload(args.space_id, stage(Path(tmp) / 'space', args.repo_url), token)}")


if __name__ == "__main__":
    main()
