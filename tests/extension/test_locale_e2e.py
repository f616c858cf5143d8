"""The extension in a German Chromium: its pages, its bar and its errors speak the browser's language.

The expected words come from extension/src/_locales/de/messages.json, so a better translation does not break the
test; a page or a message still in English does."""

import json

import pytest

from .conftest import launch_with_extension, loaded_extension
from backend.modeling.labels import canonical_emoji, translated_names

from .helpers import BAR, BAR_BUTTONS, EXTENSION, bar_emojis, bar_state, type_into, wait_until
from .servers import free_port

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.e2e

GERMAN = {key: entry["message"] for key, entry in json.loads(
    (EXTENSION / "src" / "_locales" / "de" / "messages.json").read_text(encoding="utf-8")).items()}


@pytest.fixture(scope="module")
def german(playwright, built_extension, tmp_path_factory):
    """A second browser, its user interface in German, with the extension loaded."""
    context = launch_with_extension(playwright, built_extension, tmp_path_factory.mktemp("profile-de"),
                                    args=["--lang=de"], env={"LANGUAGE": "de", "LANG": "de_DE.UTF-8"},
                                    locale="de-DE")
    try:
        yield loaded_extension(context)
    finally:
        context.close()


def test_options_and_popup_in_german(german):
    assert german.eval("() => chrome.i18n.getUILanguage()").startswith("de")
    options = german.context.new_page()
    options.goto(f"{german.origin}/options.html")
    assert options.title() == GERMAN["optionsTitle"]
    assert options.get_attribute("html", "lang").startswith("de")
    expect(options.locator("legend").first).to_have_text(GERMAN["optBackendLegend"])
    expect(options.locator("#save")).to_have_text(GERMAN["optSave"])
    options.fill("#k", "11")
    options.click("#save")
    expect(options.locator("#saved")).to_have_text(GERMAN["optNotSaved"])
    expect(options.locator("#k-error")).to_have_text(GERMAN["invalidRange"].replace("$MIN$", "1").replace("$MAX$", "10"))
    options.close()

    german.eval("() => chrome.storage.sync.set({ backendUrl: 'http://127.0.0.1:9' })")
    popup = german.context.new_page()
    popup.goto(f"{german.origin}/popup.html")
    expect(popup.locator("#status-text")).to_have_text(GERMAN["popupBackendOffline"], timeout=10_000)
    assert popup.get_attribute("#text", "placeholder") == GERMAN["popupTryPlaceholder"]
    popup.close()


def test_the_bar_and_the_badge_title_in_german(german, pages):
    german.eval("(url) => chrome.storage.sync.set({ backendUrl: url, debounceMs: 150 })", f"http://127.0.0.1:{free_port()}")
    page = german.context.new_page()
    page.goto(f"{pages.url}/form.html")
    type_into(page, "#ta", "ist da jemand")
    wait_until(lambda: bar_state(page) == "indicator", message="offline indicator")
    status = page.locator(f"{BAR} .status")
    assert status.inner_text() == GERMAN["barOffline"]
    assert status.get_attribute("title") == GERMAN["error_network_error"]
    assert german.eval("() => chrome.action.getTitle({})") == f"Emoji Suggest: {GERMAN['error_network_error']}"
    page.close()


def test_the_emojis_are_named_in_german(german, pages, proxy):
    """The extension asks for the browser's language; the backend names the suggested emojis in it."""
    proxy.clear()
    german.eval("(url) => chrome.storage.sync.set({ backendUrl: url, debounceMs: 150 })", proxy.url)
    page = german.context.new_page()
    page.goto(f"{pages.url}/form.html")
    type_into(page, "#ta", "Frohe Weihnachten euch allen")
    wait_until(lambda: len(bar_emojis(page)) == 5, message="five suggestions")
    assert proxy.suggest_requests()[-1]["json"]["lang"].startswith("de")
    first = page.locator(BAR_BUTTONS).first
    emoji = first.get_attribute("data-emoji")
    assert first.get_attribute("title").startswith(f"{emoji} {translated_names()['de'][canonical_emoji(emoji)]}")
    page.close()
