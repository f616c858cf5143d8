"""Locators, paths and small actions shared by the e2e tests (and their fixtures in conftest.py)."""

from __future__ import annotations

import time

from .servers import REPO

EXTENSION = REPO / "extension"
DEBOUNCE_MS = 150  # the tests' pause before suggesting (the default is 350)

BAR = ".panel.bar"
BAR_BUTTONS = ".panel.bar button.emoji"
BUBBLE = ".panel.bubble"


def type_into(page, selector: str, text: str, delay: int = 15) -> None:
    page.click(selector)
    page.keyboard.type(text, delay=delay)


def bar_emojis(page) -> list[str]:
    return page.locator(BAR_BUTTONS).evaluate_all("(els) => els.map((e) => e.dataset.emoji)")


def bar_state(page) -> str | None:
    return page.evaluate(
        """() => {
            const host = document.querySelector('[data-emoji-suggest]');
            const bar = host && host.shadowRoot.querySelector('.panel.bar');
            return bar && !bar.hidden ? bar.dataset.state : null;
        }"""
    )


def wait_until(predicate, timeout: float = 10, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")
