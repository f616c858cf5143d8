"""Running the served graphs (:mod:`.onnx_graph` builds them) with ONNX Runtime and NumPy alone, no torch.

Both serving paths use it: the torch-free one, which reads the graphs a model folder carries
(:mod:`backend.exported`), and the one that builds them from the PyTorch model at start-up
(:class:`.onnx_graph.OnnxLayers`).
"""

from __future__ import annotations

import numpy as np

SPIN_US = 10  # how long an idle pool thread spins for the next operator of the same run (GraphRunner)


def session(graph: bytes | str, threads: int):
    """An ONNX Runtime session on ``threads`` cores, its idle threads spinning briefly within a run (GraphRunner).
    ``graph``: the serialised model, or a file's path."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "1")
    options.add_session_config_entry("session.intra_op.spin_duration_us", str(SPIN_US))
    options.add_session_config_entry("session.force_spinning_stop", "1")
    # ONNX Runtime would fuse the residual sum and LayerNormalization back into SkipLayerNormalization where the
    # input is (batch, tokens, hidden), i.e. in the graph for one text only: both graphs then run the same
    # operators (one text: no faster or slower either way, and bit for bit the packed graph's numbers)
    return ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"],
                                disabled_optimizers=["SkipLayerNormFusion"])


class GraphRunner:
    """Runs the graphs: (hidden states, attention mask) -> the graph's ``out``, all NumPy. ``graph`` runs batches
    without padding (one text); ``packed_graph`` (the same layers built with ``packed=True``), when given, runs the
    batches with padding.

    Threads spin-wait only briefly and only within a run: an idle pool thread spins up to ``SPIN_US`` for the
    next operator (a tweet's operators are tens of microseconds apart; without spinning, each waits for a thread to
    wake), and stops when the run returns (``force_spinning_stop``), so that between requests it steals no core
    from the other gunicorn workers (the reason gunicorn sets ``OMP_WAIT_POLICY=PASSIVE``)."""

    def __init__(self, graph: bytes | str, threads: int, packed_graph: bytes | str | None = None):
        self.session = session(graph, threads)
        self.packed_session = session(packed_graph, threads) if packed_graph is not None else None

    def run_numpy(self, hidden: np.ndarray, mask: np.ndarray, pooled: bool = False) -> np.ndarray:
        """``hidden`` float32 (batch, tokens, hidden), ``mask`` int32 (batch, tokens). ``pooled``: the graphs were
        built with a head, and take ``average``; the output is then the logits (batch, labels)."""
        feed = {"hidden": hidden, "mask": mask}
        lengths = mask.sum(1, keepdims=True)
        if self.packed_session is None or mask.all():
            run = self.session
            if pooled:
                feed["average"] = (mask / lengths).astype(np.float32)[:, None, :]
        else:
            run, real = self.packed_session, np.flatnonzero(mask)
            row = np.zeros(mask.size, dtype=np.int64)
            row[real] = np.arange(len(real))
            feed.update(real=real, row=row)
            if pooled:  # row b holds 1/length at text b's real tokens (packed text after text)
                average = np.zeros((mask.shape[0], len(real)), dtype=np.float32)
                text = np.repeat(np.arange(mask.shape[0]), lengths[:, 0])
                average[text, np.arange(len(real))] = 1.0 / lengths[text, 0]
                feed["average"] = average
        return run.run(["out"], feed)[0]
