"""The backend down, then back: a quiet indicator, no page errors, recovery without user action."""

import time

import pytest

from .helpers import BAR, bar_state, type_into, wait_until
from .servers import Backend, free_port

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.e2e


def test_backend_down_then_back(ext, page, pages, tmp_path):
    port = free_port()
    ext.eval("(url) => chrome.storage.sync.set({ backendUrl: url })", f"http://127.0.0.1:{port}")
    page.goto(f"{pages.url}/form.html")
    type_into(page, "#ta", "is anybody out there")
    wait_until(lambda: bar_state(page) == "indicator", message="offline indicator")
    status = page.locator(f"{BAR} .status")
    assert status.inner_text() == "Emoji suggestions offline"
    assert "unreachable" in status.get_attribute("title")
    assert ext.badge() == "!"
    # Typing on does not spam: one indicator, no new elements, no page errors.
    page.keyboard.type(" hello", delay=30)
    time.sleep(0.5)
    assert page.evaluate("document.querySelectorAll('[data-emoji-suggest]').length") == 1
    assert page.input_value("#ta") == "is anybody out there hello"

    backend = Backend(port, tmp_path / "backend.log").start()
    try:
        backend.wait_ready()
        # No keystroke needed: the bar comes back once the back-off is over.
        wait_until(lambda: bar_state(page) == "suggestions", timeout=30, message="recovery")
        expect(page.locator(f"{BAR} button.emoji")).to_have_count(5)
        assert ext.badge() == ""
    finally:
        backend.stop()
    assert page.errors == []
