"""Insertion into real rich editors built from npm (Draft.js as on X/Twitter, Lexical, ProseMirror): the emoji must
land in the editor's own state, so that its Send/Post button sees it."""

import pytest

from .helpers import BAR, BAR_BUTTONS, bar_emojis, type_into

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.e2e

EDITOR = {"draft": ".public-DraftEditor-content", "lexical": "#editor", "prosemirror": ".ProseMirror"}


@pytest.mark.parametrize("editor", ["draft", "lexical", "prosemirror"])
def test_click_inserts_into_editor_state(ext, page, pages, proxy, editor):
    page.goto(f"{pages.url}/{editor}.html")
    page.wait_for_function("typeof window.getEditorText === 'function'")
    type_into(page, EDITOR[editor], "pizza party tonight")
    expect(page.locator(BAR_BUTTONS)).to_have_count(5, timeout=10_000)
    assert proxy.suggest_requests()[-1]["json"]["text"] == "pizza party tonight"
    emojis = bar_emojis(page)
    page.locator(BAR_BUTTONS).first.click()
    expect(page.locator(BAR)).to_be_hidden()
    assert page.evaluate("window.getEditorText()") == f"pizza party tonight {emojis[0]}"
    # The editor keeps working from its state: typing goes after the emoji, Send sees everything.
    page.keyboard.type(" yay")
    assert page.evaluate("window.getEditorText()") == f"pizza party tonight {emojis[0]} yay"
    page.click("#send")
    assert page.evaluate("window.sent") == [f"pizza party tonight {emojis[0]} yay"]
    assert page.errors == []


@pytest.mark.parametrize("editor", ["draft", "lexical", "prosemirror"])
def test_alt_digit_inserts_into_editor_state(ext, page, pages, proxy, editor):
    page.goto(f"{pages.url}/{editor}.html")
    page.wait_for_function("typeof window.getEditorText === 'function'")
    type_into(page, EDITOR[editor], "I miss you so much")
    page.keyboard.press("Enter")
    page.keyboard.type("see you tomorrow")
    expect(page.locator(BAR_BUTTONS)).to_have_count(5, timeout=10_000)
    sent = proxy.suggest_requests()[-1]["json"]["text"]
    assert sent == "I miss you so much\nsee you tomorrow", sent
    third = bar_emojis(page)[2]
    page.keyboard.press("Alt+3")
    expect(page.locator(BAR)).to_be_hidden()
    text = page.evaluate("window.getEditorText()")
    assert text.endswith(f"see you tomorrow {third}"), text
    assert text.count(third) == 1
    assert page.errors == []
