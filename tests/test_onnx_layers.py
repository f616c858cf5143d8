"""The encoder layers as served by ONNX Runtime (backend.modeling.onnx_layers) against the same layers in
PyTorch: equal outputs in fp32, with and without padding; int8 exactly where PyTorch would use it; and the
engine a predictor reports is the one that ran."""

import pytest
import torch

from backend.config import DEFAULT_MODEL_DIR
from backend.modeling.batching import pad_batch
from backend.modeling.classifier import load_classifier, new_classifier
from backend.predictor import TransformerPredictor, int8_layer_names, serve_layers_with_onnxruntime

TEXTS = ["query: so sad today", "query: Je t'aime tellement, mon amour, pour toujours et à jamais",
         "query: 本当に愛してる", "query: lol"]


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("onnx")
    torch.manual_seed(1)  # the head's initial weights too: the same model in every run
    model, _ = new_classifier(["😂", "😭", "❤", "🔥", "😡"], num_layers=2)
    for p in model.parameters():  # move every weight off the base so a mis-wired tensor would show
        p.data.add_(torch.randn_like(p) * 0.02)
    model.save(folder, dtype=torch.float32)
    return folder


def logits(model, tokenizer, texts):
    x, mask = pad_batch(tokenizer(texts)["input_ids"], tokenizer.pad_token_id)
    with torch.inference_mode():
        return model(x, mask)


def test_fp32_graph_gives_the_pytorch_logits_with_and_without_padding(saved_model):
    reference, tokenizer = load_classifier(saved_model, lean=True)
    served, _ = load_classifier(saved_model, lean=True)
    serve_layers_with_onnxruntime(served, quantize=False, threads=1)
    assert len(served.encoder.encoder.layer) == 0  # the PyTorch layers are gone: ONNX Runtime did the work
    batch = logits(served, tokenizer, TEXTS)  # padded: four lengths
    torch.testing.assert_close(batch, logits(reference, tokenizer, TEXTS), atol=1e-4, rtol=1e-4)
    for i, text in enumerate(TEXTS):  # one text alone: no padding
        torch.testing.assert_close(logits(served, tokenizer, [text])[0], batch[i], atol=1e-4, rtol=1e-4)


def test_int8_graph_quantises_exactly_the_layers_pytorch_would(saved_model):
    import onnx

    from backend.modeling.onnx_layers import build_layers_graph

    model, tokenizer = load_classifier(saved_model, lean=True)
    names = {n.removeprefix("encoder.") for n in int8_layer_names(model) if n.startswith("encoder.encoder.")}
    graph = onnx.load_from_string(build_layers_graph(model.encoder, names))
    int8 = sorted(n.name for n in graph.graph.node if n.op_type == "DynamicQuantizeMatMul")
    fp32 = sorted(n.name for n in graph.graph.node if n.op_type == "MatMul")
    per_layer = ["attention_output", "ffn_in", "key", "query", "value"]
    assert int8 == sorted(f"layer{i}.{k}" for i in range(2) for k in per_layer)
    assert fp32 == ["layer0.ffn_out", "layer1.ffn_out"]  # the outlier-carrying projections stay fp32
    # and the int8 layers stay close to fp32 (weights moved by at most half an int8 step): every real token's
    # hidden state points the same way, where a mis-scaled or mis-ordered weight would scramble it
    x, mask = pad_batch(tokenizer(TEXTS)["input_ids"], tokenizer.pad_token_id)
    with torch.inference_mode():
        reference = model.encoder(x, mask)
        serve_layers_with_onnxruntime(model, quantize=True, threads=1)
        served = model.encoder(x, mask)
    cosine = torch.nn.functional.cosine_similarity(served, reference, dim=-1)[mask.bool()]
    assert float(cosine.min()) > 0.99


@pytest.mark.model
def test_default_model_suggests_the_same_on_both_engines():
    texts = ["Merry Christmas everyone!", "I love you so much", "so tired of mondays", "Te quiero muchísimo"]
    onnx = TransformerPredictor(str(DEFAULT_MODEL_DIR), quantize=False, compact_embeddings=True)
    torch_ = TransformerPredictor(str(DEFAULT_MODEL_DIR), quantize=False, compact_embeddings=True, engine="torch")
    assert onnx.info()["engine"] == "onnxruntime" and torch_.info()["engine"] == "torch"
    torch.testing.assert_close(onnx.probabilities(texts), torch_.probabilities(texts), atol=1e-5, rtol=1e-4)
    with pytest.raises(ValueError, match="unknown engine"):
        TransformerPredictor(str(DEFAULT_MODEL_DIR), engine="tensorflow")
