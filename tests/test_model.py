"""End to end on the real embedded model: the app as `make serve` builds it, answering real requests."""

import pytest

from backend import create_app
from backend.config import DEFAULT_MODEL_DIR, Settings

pytestmark = pytest.mark.model

HEARTS = {"❤", "💕", "💙", "💜", "😍", "😘", "💞", "💘", "💖", "💗", "💓", "💛", "💚", "🖤", "💝", "🥰", "😻", "💔"}

I_LOVE_YOU = {
    "en": "I love you so much",
    "fr": "Je t'aime tellement",
    "es": "Te quiero muchísimo",
    "ru": "Я тебя так сильно люблю",
    "de": "Ich liebe dich so sehr",
    "it": "Ti amo così tanto",
    "pt": "Eu te amo muito",
    "ja": "本当に愛してる",
}


@pytest.fixture(scope="module")
def client():
    app = create_app(Settings(model_dir=str(DEFAULT_MODEL_DIR)))
    return app.test_client()


def top(client, text, k=5):
    resp = client.post("/v1/suggest", json={"text": text, "k": k})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return [s["emoji"].replace("\ufe0f", "") for s in resp.get_json()["suggestions"]]


def test_the_embedded_model_is_small_and_carries_its_labels():
    size = sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir() if p.is_file())
    assert size < 48e6
    for name in ("config.json", "model.safetensors", "metrics.json", "README.md"):
        assert (DEFAULT_MODEL_DIR / name).exists(), name


@pytest.mark.parametrize("lang", sorted(I_LOVE_YOU))
def test_i_love_you_gets_a_heart_in_every_language(client, lang):
    assert HEARTS & set(top(client, I_LOVE_YOU[lang])), lang


def test_merry_christmas_gets_a_tree(client):
    assert "🎄" in top(client, "Merry Christmas everyone!")


def test_labels_health_and_batch_agree_with_single_calls(client):
    labels = client.get("/v1/labels").get_json()["emojis"]
    assert len(labels) >= 20
    health = client.get("/v1/health").get_json()
    assert health["status"] == "ok" and health["model"]["labels"] == len(labels)
    texts = ["Merry Christmas everyone!", "I love you so much", "this is hilarious lol"]
    batch = client.post("/v1/suggest/batch", json={"texts": texts, "k": 3}).get_json()["results"]
    singles = [client.post("/v1/suggest", json={"text": t, "k": 3}).get_json()["suggestions"] for t in texts]
    for b, s in zip(batch, singles, strict=True):
        assert [x["emoji"] for x in b["suggestions"]] == [x["emoji"] for x in s]
        for x, y in zip(b["suggestions"], s, strict=True):
            assert x["score"] == pytest.approx(y["score"], abs=2e-3)


def test_all_labels_ranked_and_scores_sum_to_one(client):
    n = len(client.get("/v1/labels").get_json()["emojis"])
    sugg = client.post("/v1/suggest", json={"text": "so tired of this", "k": n}).get_json()["suggestions"]
    assert len({s["emoji"] for s in sugg}) == n
    assert sum(s["score"] for s in sugg) == pytest.approx(1.0, abs=0.01)
