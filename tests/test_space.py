"""make space: the staged Docker Space (training.space) is the image's build context with a Space README, it
serves without torch from the staged folder, and the upload is one create_repo and one commit."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from training import space

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def staged(tmp_path_factory) -> Path:
    return space.stage(tmp_path_factory.mktemp("space") / "out")


def front_matter(readme: Path) -> dict:
    _, meta, _ = readme.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(meta)


def test_dry_run_writes_a_docker_space(staged):
    meta = front_matter(staged / "README.md")
    assert meta["sdk"] == "docker" and meta["app_port"] == 7860 and meta["title"]
    assert (staged / "Dockerfile").read_bytes() == (ROOT / "Dockerfile").read_bytes()
    assert (staged / "requirements.txt").read_bytes() == (ROOT / "requirements.txt").read_bytes()
    model = staged / "backend" / "models" / "default"
    assert {"config.json", "model.onnx", "model_packed.onnx", "serving.json"} <= {p.name for p in model.iterdir()}
    files = [p for p in staged.rglob("*") if p.is_file()]
    assert not [p for p in files if p.name in ("model.safetensors", "train_history.json") or p.suffix == ".pyc"]
    assert sum(p.stat().st_size for p in files) < 40_000_000  # what the Hub stores and builds from


def test_make_space_dry_run(tmp_path):
    out = subprocess.run(["make", "-s", "space", f"DRY_RUN={tmp_path / 'space'}"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert front_matter(tmp_path / "space" / "README.md")["sdk"] == "docker"


@pytest.mark.model
def test_staged_space_serves_without_torch(staged):
    code = ("import sys, json; sys.modules['torch'] = None; import backend; from backend import create_app; "
            "c = create_app().test_client(); r = c.post('/v1/suggest', json={'text': 'happy birthday!'}); "
            "page = c.get('/').get_data(as_text=True); "
            "print(json.dumps([backend.__file__, r.status_code, len(r.get_json()['suggestions']), "
            "'Languages in its model card' in page]))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMOJI_")}
    out = subprocess.run([sys.executable, "-c", code], cwd=staged, capture_output=True, text=True, timeout=120,
                         env={**env, "PYTHONPATH": str(staged)})
    assert out.returncode == 0, out.stderr
    origin, status, n, names_languages = json.loads(out.stdout.strip().splitlines()[-1])
    assert origin.startswith(str(staged)) and (status, n, names_languages) == (200, 5, True)


def test_upload_creates_a_docker_space_and_commits_once(monkeypatch, tmp_path):
    calls = []

    class FakeApi:
        def __init__(self, token=None):
            calls.append(("token", token))

        def create_repo(self, repo_id, **kwargs):
            calls.append(("create_repo", repo_id, kwargs))

        def upload_folder(self, folder_path, **kwargs):
            calls.append(("upload_folder", sorted(p.name for p in Path(folder_path).iterdir()), kwargs))
            return "https://huggingface.co/spaces/me/emoji/commit/abc"

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    space.main(["--space_id", "me/emoji"])
    assert calls[0] == ("token", "hf_test")
    assert calls[1] == ("create_repo", "me/emoji", {"repo_type": "space", "space_sdk": "docker", "exist_ok": True})
    (kind, names, kwargs), = [c for c in calls if c[0] == "upload_folder"]
    assert names == ["Dockerfile", "README.md", "backend", "requirements.txt"]
    assert kwargs["repo_id"] == "me/emoji" and kwargs["repo_type"] == "space"


def test_upload_without_token_says_so(monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    with pytest.raises(SystemExit, match="HF_TOKEN"):
        space.main(["--space_id", "me/emoji"])
