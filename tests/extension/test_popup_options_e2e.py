"""The toolbar popup (opened in a tab) and the options page round trip."""

import time

import pytest

from .helpers import BAR_BUTTONS, DEBOUNCE_MS, bar_emojis, type_into

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.e2e


def test_popup_suggests_copies_and_switches_site(ext, page, pages, proxy, browser_context):
    page.goto(f"{pages.url}/form.html")
    tab = ext.tab_id(page.url)
    popup = browser_context.new_page()
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=pages.url)
    popup.goto(f"{ext.origin}/popup.html?tab={tab}")
    expect(popup.locator("#status")).to_have_attribute("data-state", "ok", timeout=10_000)
    expect(popup.locator("#status-text")).to_contain_text("Backend OK")

    popup.click("#text")
    popup.keyboard.type("congratulations on the new job")
    buttons = popup.locator("#suggestions button")
    expect(buttons).to_have_count(5, timeout=10_000)
    emoji = buttons.first.get_attribute("data-emoji")
    buttons.first.click()
    expect(popup.locator("#message")).to_have_text(f"Copied {emoji}")
    page.bring_to_front()  # extension origins cannot be granted clipboard-read: read it from the page
    assert page.evaluate("navigator.clipboard.readText()") == emoji
    popup.bring_to_front()

    # Per-site switch for the page's site.
    expect(popup.locator("#site-name")).to_have_text("127.0.0.1")
    assert popup.is_checked("#site-enabled")
    popup.uncheck("#site-enabled")
    expect(popup.locator("#message")).to_have_text("Off for 127.0.0.1")
    assert ext.eval("async () => (await chrome.storage.sync.get('disabledSites')).disabledSites") == ["127.0.0.1"]
    popup.close()

    proxy.clear()
    page.bring_to_front()
    type_into(page, "#ta", "the site is switched off now")
    time.sleep(DEBOUNCE_MS / 1000 + 1.0)
    assert proxy.suggest_requests() == []
    assert page.errors == []


def test_popup_shows_backend_down(ext, browser_context):
    ext.eval("() => chrome.storage.sync.set({ backendUrl: 'http://127.0.0.1:9' })")
    popup = browser_context.new_page()
    popup.goto(f"{ext.origin}/popup.html")
    expect(popup.locator("#status")).to_have_attribute("data-state", "down", timeout=10_000)
    expect(popup.locator("#status-text")).to_have_text("Backend offline")
    expect(popup.locator("#site")).to_be_hidden()  # not an http(s) page
    popup.close()


def test_options_round_trip(ext, page, pages, proxy, browser_context):
    options = browser_context.new_page()
    options.goto(f"{ext.origin}/options.html")
    expect(options.locator("#backendUrl")).to_have_value(proxy.url)
    assert options.input_value("#k") == "5"

    # Invalid values are refused, nothing is saved.
    options.fill("#backendUrl", "ftp://nowhere")
    options.fill("#k", "11")
    options.click("#save")
    expect(options.locator("#saved")).to_contain_text("Not saved")
    expect(options.locator("#backendUrl-error")).to_contain_text("http")
    expect(options.locator("#k-error")).to_contain_text("from 1 to 10")
    assert ext.eval("async () => (await chrome.storage.sync.get('k')).k") is None

    # Valid values are saved where they belong.
    options.fill("#backendUrl", proxy.url + "/")
    options.fill("#k", "3")
    options.fill("#debounceMs", "200")
    options.fill("#apiKey", "test-key-123")
    options.select_option("#skinTone", "medium")
    options.click("#test")
    expect(options.locator("#test-result")).to_have_text("Connected: the backend is up", timeout=10_000)
    options.click("#save")
    expect(options.locator("#saved")).to_have_text("Saved")
    sync = ext.eval("() => chrome.storage.sync.get(null)")
    assert (
        sync["k"] == 3
        and sync["debounceMs"] == 200
        and sync["skinTone"] == "medium"
        and sync["backendUrl"] == proxy.url
    )
    assert "apiKey" not in sync
    assert ext.eval("async () => (await chrome.storage.local.get('apiKey')).apiKey") == "test-key-123"

    options.reload()
    expect(options.locator("#k")).to_have_value("3")
    expect(options.locator("#debounceMs")).to_have_value("200")
    expect(options.locator("#apiKey")).to_have_value("test-key-123")
    expect(options.locator("#skinTone")).to_have_value("medium")
    options.close()

    # The page uses the new settings: 3 suggestions, the key sent as a bearer token.
    page.goto(f"{pages.url}/form.html")
    type_into(page, "#ta", "thank you so much")
    expect(page.locator(BAR_BUTTONS)).to_have_count(3, timeout=10_000)
    last = proxy.suggest_requests()[-1]
    assert last["json"] == {"text": "thank you so much", "k": 3, "lang": "en"}
    assert last["authorization"] == "Bearer test-key-123"


def test_skin_tone_and_recents(ext, page, pages, proxy):
    ext.eval("() => chrome.storage.sync.set({ skinTone: 'medium-dark' })")
    page.goto(f"{pages.url}/form.html")
    proxy.inject_suggestions(["😂", "👍", "🎉", "✌️", "🔥"])
    type_into(page, "#ta", "nice one")
    expect(page.locator(BAR_BUTTONS)).to_have_count(5, timeout=10_000)
    assert bar_emojis(page) == ["😂", "👍🏾", "🎉", "✌🏾", "🔥"]  # toned only where the emoji takes a tone
    page.locator(BAR_BUTTONS).nth(3).click()
    assert page.input_value("#ta") == "nice one ✌🏾"
    assert ext.eval("async () => (await chrome.storage.local.get('recents')).recents") == ["✌"]
    # A recently used emoji goes first among near-equal scores only.
    proxy.inject_suggestions(["😂", "👍", "🎉", "✌️", "🔥"], scores=[0.5, 0.2, 0.15, 0.14, 0.1])
    page.keyboard.type(" again")
    expect(page.locator(BAR_BUTTONS)).to_have_count(5, timeout=10_000)
    assert bar_emojis(page) == ["😂", "👍🏾", "✌🏾", "🎉", "🔥"]
