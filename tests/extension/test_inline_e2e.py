"""Inline suggestions while typing: textarea, input and contenteditable; click, Alt+N, Esc; debounce;
silence in sensitive fields, in untouched fields and on switched-off sites."""

import time

import pytest

from .helpers import BAR, BAR_BUTTONS, DEBOUNCE_MS, bar_emojis, bar_state, type_into, wait_until

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.e2e


def test_textarea_click_inserts_at_caret(ext, page, pages, proxy):
    page.goto(f"{pages.url}/form.html")
    page.fill("#ta", "")
    type_into(page, "#ta", "this party is going to be amazing")
    expect(page.locator(BAR_BUTTONS)).to_have_count(5, timeout=10_000)
    # Only the text before the caret went to the backend, debounced into one request.
    requests = proxy.suggest_requests()
    assert [r["json"] for r in requests] == [{"text": "this party is going to be amazing", "k": 5, "lang": "en"}]
    emojis = bar_emojis(page)
    assert len(set(emojis)) == 5

    # The bar sits below the line being typed, not over it.
    bar = page.locator(BAR).bounding_box()
    ta = page.locator("#ta").bounding_box()
    assert bar["y"] >= ta["y"] + 8 + 20  # padding + one line of text
    assert bar["x"] >= ta["x"] - 10

    page.locator(BAR_BUTTONS).nth(2).click()
    assert page.input_value("#ta") == f"this party is going to be amazing {emojis[2]}"
    expect(page.locator(BAR)).to_be_hidden()
    # The field got an input event (frameworks see the change) and keeps the focus, caret after the emoji.
    assert {"id": "ta", "type": "insertText", "data": f" {emojis[2]}"} in page.evaluate("window.inputEvents")
    assert page.evaluate("document.activeElement.id") == "ta"
    page.keyboard.type(" yes")
    assert page.input_value("#ta").endswith(f"{emojis[2]} yes")
    assert page.errors == []


def test_caret_in_the_middle_sends_only_text_before_it(ext, page, pages, proxy):
    page.goto(f"{pages.url}/form.html")
    page.fill("#single", "pizza tonight SECRET")
    page.click("#single")
    page.evaluate("() => { const el = document.querySelector('#single'); el.setSelectionRange(13, 13); }")
    page.keyboard.type("!")
    expect(page.locator(BAR_BUTTONS)).to_have_count(5, timeout=10_000)
    assert proxy.suggest_requests()[-1]["json"]["text"] == "pizza tonight!"
    page.keyboard.press("Alt+1")
    first = page.evaluate("document.querySelector('#single').value")
    assert first.startswith("pizza tonight! ") and first.endswith(" SECRET")


def test_contenteditable_alt_digit_and_escape(ext, page, pages, proxy):
    page.goto(f"{pages.url}/form.html")
    type_into(page, "#ce", "happy birthday my friend")
    expect(page.locator(BAR_BUTTONS)).to_have_count(5, timeout=10_000)
    second = bar_emojis(page)[1]
    page.keyboard.press("Alt+2")
    expect(page.locator(BAR)).to_be_hidden()
    assert page.inner_text("#ce") == f"happy birthday my friend {second}"
    assert not any(k["code"] == "Digit2" for k in page.evaluate("window.keyEvents")), "Alt+2 was meant for the bar"

    page.keyboard.type(" see you soon")
    expect(page.locator(BAR_BUTTONS)).to_have_count(5, timeout=10_000)
    assert proxy.suggest_requests()[-1]["json"]["text"] == f"happy birthday my friend {second} see you soon"
    page.keyboard.press("Escape")
    expect(page.locator(BAR)).to_be_hidden()
    assert not any(k["key"] == "Escape" for k in page.evaluate("window.keyEvents"))
    assert page.inner_text("#ce") == f"happy birthday my friend {second} see you soon"

    # With no bar, Alt+N and Esc are the page's.
    page.keyboard.press("Alt+1")
    page.keyboard.press("Escape")
    keys = page.evaluate("window.keyEvents")
    assert any(k["code"] == "Digit1" and k["alt"] for k in keys)
    assert any(k["key"] == "Escape" for k in keys)
    assert page.errors == []


def test_debounced_and_stale_answers_dropped(ext, page, pages, proxy):
    page.goto(f"{pages.url}/form.html")
    page.click("#ta")
    # Typing faster than the pause: one request for the whole phrase.
    page.keyboard.type("we won the championship", delay=20)
    expect(page.locator(BAR_BUTTONS)).to_have_count(5, timeout=10_000)
    texts = [r["json"]["text"] for r in proxy.suggest_requests()]
    assert texts[-1] == "we won the championship"
    assert len(texts) <= 2, texts
    # Typing on while an answer is on its way: the bar ends up matching the latest text.
    page.keyboard.type(" tonight")
    wait_until(
        lambda: proxy.suggest_requests()[-1]["json"]["text"] == "we won the championship tonight", message="request"
    )
    time.sleep(DEBOUNCE_MS / 1000 + 0.5)
    assert bar_state(page) == "suggestions"


def test_slow_answer_for_older_text_is_dropped(ext, page, pages, proxy):
    page.goto(f"{pages.url}/form.html")
    stale = ["🦖", "🦕", "🐉", "🐲", "🌋"]
    proxy.inject_suggestions(stale, delay=1.5)  # the answer for "dinosaurs" comes late
    type_into(page, "#ta", "dinosaurs")
    wait_until(lambda: len(proxy.suggest_requests()) == 1, message="first request")
    page.keyboard.type(" are cool")  # typed while that answer is on its way
    wait_until(lambda: len(proxy.suggest_requests()) == 2, message="second request")
    expect(page.locator(BAR_BUTTONS)).to_have_count(5, timeout=10_000)
    page.wait_for_timeout(1800)  # the late answer has arrived by now
    assert proxy.suggest_requests()[-1]["json"]["text"] == "dinosaurs are cool"
    assert not set(bar_emojis(page)) & set(stale)


def test_silent_in_sensitive_and_untouched_fields(ext, page, pages, proxy):
    page.goto(f"{pages.url}/form.html")
    for selector, text in [
        ("#pw", "hunter2 secret"),
        ("#email", "me@example.org"),
        ("#num", "12345"),
        ("#cc", "4111 1111 1111 1111"),
        ("#otp", "123456"),
    ]:
        type_into(page, selector, text)
    page.click("#prefilled")  # focused, never typed into
    page.keyboard.press("End")
    time.sleep(DEBOUNCE_MS / 1000 + 1.0)
    assert proxy.suggest_requests() == []
    assert proxy.requests == []
    expect(page.locator(BAR)).to_have_count(0)


def test_site_switched_off_sends_nothing(ext, page, pages, proxy):
    ext.eval("() => chrome.storage.sync.set({ disabledSites: ['127.0.0.1'] })")
    page.goto(f"{pages.url}/form.html")
    type_into(page, "#ta", "nothing should leave this page")
    time.sleep(DEBOUNCE_MS / 1000 + 1.0)
    assert proxy.suggest_requests() == []
    # Switched back on, it works without a reload.
    ext.eval("() => chrome.storage.sync.set({ disabledSites: [] })")
    time.sleep(0.3)
    page.keyboard.type(" after all")
    expect(page.locator(BAR_BUTTONS)).to_have_count(5, timeout=10_000)
    assert proxy.suggest_requests()[-1]["json"]["text"] == "nothing should leave this page after all"


def test_error_codes_shown_quietly(ext, page, pages, proxy):
    page.goto(f"{pages.url}/form.html")
    proxy.inject(401, "unauthorized")
    type_into(page, "#ta", "good morning")
    wait_until(lambda: bar_state(page) == "prompt", message="API key prompt")
    assert "API key" in page.locator(f"{BAR} .status").inner_text()
    assert ext.badge() == "?"
    # 429 with Retry-After: a quiet indicator, then suggestions come back by themselves.
    ext.eval("() => chrome.storage.session.clear()")
    proxy.clear()
    proxy.inject(429, "rate_limited", {"Retry-After": "2"})
    page.keyboard.type(" everyone")
    wait_until(lambda: bar_state(page) == "indicator", message="rate-limit indicator")
    started = time.monotonic()
    wait_until(lambda: bar_state(page) == "suggestions", timeout=10, message="recovery after Retry-After")
    assert time.monotonic() - started >= 1.0
    assert len(proxy.suggest_requests()) == 2  # nothing sent while waiting
    assert ext.badge() == ""
    assert page.errors == []
