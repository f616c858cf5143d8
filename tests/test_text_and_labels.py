from backend.modeling.labels import TWEETEVAL_EMOJIS, canonical_emoji, display_emoji, emoji_name
from backend.modeling.text import TEXT_PREFIX, model_input, normalize_text


def test_mentions_and_links_follow_tweeteval_conventions():
    assert normalize_text("@Bob_99 look https://t.co/abc and www.x.org/y!") == "@user look http and http"
    assert normalize_text("mail me at a@b.com") == "mail me at a@b.com"


def test_stray_variation_selectors_and_spaces_go():
    assert normalize_text("love ️ ️ you\n\n  ") == "love you"


def test_model_input_has_the_e5_query_prefix_once():
    assert model_input("  hi  ") == TEXT_PREFIX + "hi"


def test_model_input_cuts_emojis_out_as_training_did():
    # training texts never show emojis (they were cut out to become labels), so serving cuts them out too
    assert model_input("so happy today 😊🎉 @Bob") == TEXT_PREFIX + "so happy today @user"
    assert model_input("family 👨‍👩‍👧 time 👍🏽 in 🇪🇸") == TEXT_PREFIX + "family time in"
    assert model_input("😂😂😂") == TEXT_PREFIX + "😂😂😂"  # nothing but emojis: keep them, or nothing is left


def test_labels_compare_without_presentation_or_skin_tone():
    assert canonical_emoji("❤️") == canonical_emoji("❤") == "❤"
    assert canonical_emoji("👍🏽") == "👍"
    assert canonical_emoji("🇺🇸") == "🇺🇸"


def test_names_and_display_forms():
    assert emoji_name("😂") == "face with tears of joy"
    assert emoji_name("❤️") == "red heart"
    assert display_emoji("❤") == "❤\ufe0f"  # shown as a colour emoji, not the text glyph
    assert display_emoji("😂") == "😂"
    assert all(emoji_name(e) for e in TWEETEVAL_EMOJIS)
    assert len(set(TWEETEVAL_EMOJIS)) == 20
