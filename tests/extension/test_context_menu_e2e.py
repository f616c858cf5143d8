"""'Emojify selection': the context-menu handler, triggered through the extension's test hook
(headless Chromium cannot click real context menus)."""

import pytest

from .helpers import BUBBLE, wait_until

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.e2e


def test_menu_entry_exists(ext):
    # There is no contextMenus.get(); update() of a missing id rejects, of an existing one resolves.
    assert (
        ext.eval("() => chrome.contextMenus.update('emojify-selection', {}).then(() => 'exists', (e) => e.message)")
        == "exists"
    )
    assert (
        ext.eval("() => chrome.contextMenus.update('no-such-entry', {}).then(() => 'exists', (e) => 'missing')")
        == "missing"
    )


def test_in_a_field_inserts_top_emoji_after_selection(ext, page, pages, proxy):
    page.goto(f"{pages.url}/form.html")
    # Set by script, not typed: typing would (rightly) ask for inline suggestions too.
    page.evaluate(
        """() => { const t = document.querySelector('#ta');
                   t.value = 'I love pizza so much'; t.focus(); t.setSelectionRange(7, 12); }"""
    )
    tab = ext.tab_id(page.url)
    page.bring_to_front()
    answer = ext.send({"type": "test:context-menu", "tabId": tab, "selectionText": "pizza", "editable": True})
    assert answer == {"ok": True, "data": None}
    assert [r["json"] for r in proxy.suggest_requests()] == [{"text": "pizza", "k": 5, "lang": "en"}]
    value = wait_until(lambda: (v := page.input_value("#ta")) != "I love pizza so much" and v, message="insertion")
    assert value.startswith("I love pizza ") and value.endswith(" so much")
    emoji = value[len("I love pizza ") : -len(" so much")]
    assert emoji and emoji.strip() == emoji
    assert page.errors == []


def test_never_from_a_password_field(ext, page, pages, proxy):
    page.goto(f"{pages.url}/form.html")
    page.evaluate(
        """() => { const p = document.querySelector('#pw');
                   p.value = 'hunter2 secret'; p.focus(); p.setSelectionRange(0, 7); }"""
    )
    tab = ext.tab_id(page.url)
    page.bring_to_front()
    assert ext.send({"type": "test:context-menu", "tabId": tab, "selectionText": "hunter2", "editable": True})["ok"]
    page.wait_for_timeout(500)
    assert proxy.requests == []
    assert page.input_value("#pw") == "hunter2 secret"
    expect(page.locator(BUBBLE)).to_have_count(0)


def test_on_page_text_shows_bubble_and_copies(ext, page, pages, proxy, browser_context):
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=pages.url)
    page.goto(f"{pages.url}/form.html")
    page.evaluate(
        """() => { const p = document.querySelector('#para'); const r = document.createRange();
                   r.selectNodeContents(p); getSelection().removeAllRanges(); getSelection().addRange(r); }"""
    )
    tab = ext.tab_id(page.url)
    page.bring_to_front()
    ext.send({"type": "test:context-menu", "tabId": tab, "selectionText": page.inner_text("#para"), "editable": False})
    buttons = page.locator(f"{BUBBLE} button.emoji")
    expect(buttons).to_have_count(5, timeout=10_000)
    bubble = page.locator(BUBBLE).bounding_box()
    para = page.locator("#para").bounding_box()
    assert bubble["y"] >= para["y"] + para["height"] - 2  # below the selection, not over it
    emoji = buttons.nth(1).get_attribute("data-emoji")
    buttons.nth(1).click()
    expect(page.locator(f"{BUBBLE} .copied")).to_have_text(f"Copied {emoji}")
    assert page.evaluate("navigator.clipboard.readText()") == emoji
    page.keyboard.press("Escape")
    expect(page.locator(BUBBLE)).to_have_count(0)
    assert page.errors == []
