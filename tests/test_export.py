"""The exported graphs (training.export --graph, backend.exported): the torch-free predictor gives what the
PyTorch serving path gives (probabilities within 1e-4, the same top 5) on validation texts, a worker built on it
never imports torch, stale graphs are not served, and a folder that needs torch says so in one line."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backend.config import DEFAULT_MODEL_DIR
from backend.exported import GRAPH_FILE, MANIFEST_FILE, PACKED_GRAPH_FILE, ExportedPredictor, exported_graphs

ROOT = Path(__file__).resolve().parent.parent
VAL_TEXT = ROOT.parent / "shared" / "data" / "tweeteval" / "emoji" / "val_text.txt"
SPARE_TEXTS = ["Merry Christmas everyone!", "so tired of this, nothing works today", "Je t'aime tellement",
               "Hoy es un gran día con mis amigos en la playa", "本当にありがとう", "lol", "🔥🔥🔥 game day",
               "Das Spiel gestern war der Wahnsinn", "لا أصدق ما حدث اليوم", "a" * 3000]
SERVED = ("config.json", "model.safetensors")  # what a model folder needs besides its graphs

pytestmark = [pytest.mark.model, pytest.mark.training]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """A copy of the embedded default, its graphs exported again (whatever the committed folder holds)."""
    from training.export import export_graphs

    folder = tmp_path_factory.mktemp("exported") / "model"
    folder.mkdir()
    for name in SERVED:
        shutil.copy2(DEFAULT_MODEL_DIR / name, folder / name)
    export_graphs(folder)
    return folder


def validation_texts(n: int = 500) -> list[str]:
    if VAL_TEXT.exists():
        return VAL_TEXT.read_text(encoding="utf-8").splitlines()[:n]
    return SPARE_TEXTS  # a clean clone without the data sets


def test_exported_graphs_give_the_served_probabilities_and_top5(exported):
    from backend.predictor import TransformerPredictor

    texts = validation_texts() + SPARE_TEXTS
    fresh = ExportedPredictor(exported, threads=1).probabilities(texts)
    served = TransformerPredictor(str(exported), 1, True, True, 0, "onnxruntime").probabilities(texts).numpy()
    assert fresh.shape == served.shape == (len(texts), len(json.loads((exported / "config.json").read_text())
                                                           ["id2label"]))
    assert float(np.abs(fresh - served).max()) < 1e-4
    top5 = np.argsort(-fresh, axis=1, kind="stable")[:, :5]
    assert (top5 == np.argsort(-served, axis=1, kind="stable")[:, :5]).all()


def test_manifest_names_the_graphs_and_the_weights_they_came_from(exported):
    meta = exported_graphs(exported)
    assert meta is not None and meta["graph"] == GRAPH_FILE and meta["packed_graph"] == PACKED_GRAPH_FILE
    assert meta["int8"] is True and all(len(n) <= 16 for n in meta["outlier_neurons"].values())


def test_stale_graphs_are_not_served(exported, tmp_path):
    stale = tmp_path / "stale"
    shutil.copytree(exported, stale)
    with open(stale / "model.safetensors", "r+b") as fh:  # a retrained model: other weights, the same names
        fh.seek(-4, os.SEEK_END)
        fh.write(b"\0\0\0\0")
    assert exported_graphs(stale) is None
    (exported / MANIFEST_FILE).read_text()  # the original still holds
    assert exported_graphs(exported) is not None


def run_python(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def test_a_worker_on_exported_graphs_never_imports_torch(exported):
    code = ("import sys, json; from backend import create_app; from backend.config import Settings; "
            f"app = create_app(Settings(model_dir={str(exported)!r})); c = app.test_client(); "
            "r = c.post('/v1/suggest', json={'text': 'merry christmas'}); "
            "h = c.get('/v1/health').get_json(); "
            "print(json.dumps([r.status_code, len(r.get_json()['suggestions']), h['model']['torch'], "
            "sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers', 'onnx'))]))")
    out = run_python(code)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [200, 5, False, []]


def test_a_folder_without_graphs_is_served_through_pytorch_when_it_is_installed(tmp_path):
    from backend.config import Settings
    from backend.predictor import TransformerPredictor, load_predictor

    bare = tmp_path / "bare"
    bare.mkdir()
    for name in SERVED:
        shutil.copy2(DEFAULT_MODEL_DIR / name, bare / name)
    predictor = load_predictor(Settings(model_dir=str(bare)))
    assert isinstance(predictor, TransformerPredictor) and predictor.info()["torch"] is True
    assert len(predictor.suggest(["merry christmas"], 5)[0]) == 5


BLOCK_TORCH = "import sys; sys.modules['torch'] = None; "  # `import torch` then raises ImportError


def test_without_torch_a_folder_without_graphs_stops_with_one_clear_line(tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in SERVED:
        shutil.copy2(DEFAULT_MODEL_DIR / name, bare / name)
    out = run_python(BLOCK_TORCH + f"from backend.predictor import load_predictor; from backend.config import "
                     f"Settings; load_predictor(Settings(model_dir={str(bare)!r}))")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "has no fresh exported graphs" in out.stderr and "training.export --graph" in out.stderr
    out = run_python(BLOCK_TORCH + f"from backend.predictor import load_predictor; from backend.config import "
                     f"Settings; load_predictor(Settings(model_dir={str(bare)!r}, engine='torch'))")
    assert out.returncode == 1 and "needs torch" in out.stderr and "Traceback" not in out.stderr


def test_embedded_default_carries_fresh_graphs_within_its_budget():
    from training.export import MAX_BYTES

    assert exported_graphs(DEFAULT_MODEL_DIR) is not None, "run: python -m training.export --graph " + str(
        DEFAULT_MODEL_DIR)
    assert sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir() if p.is_file()) <= MAX_BYTES
