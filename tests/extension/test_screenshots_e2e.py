"""Screenshots of the suggestion bar on a light and a dark page, of the popup and the options page,
for a person to look at (written to tests/extension/artifacts/, or $EXTENSION_E2E_ARTIFACTS)."""

import pytest

from .helpers import BAR, BAR_BUTTONS, type_into

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.e2e


def _luminance(rgb: str) -> float:
    r, g, b = [int(x) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_bar_screenshot(ext, page, pages, artifacts, theme):
    page.set_viewport_size({"width": 640, "height": 360})
    page.goto(f"{pages.url}/{'form' if theme == 'light' else 'dark'}.html")
    type_into(page, "#ta", "so proud of you, congratulations")
    expect(page.locator(BAR_BUTTONS)).to_have_count(5, timeout=10_000)
    page.wait_for_timeout(200)  # let the appear animation finish
    background = page.locator(BAR).evaluate("(el) => getComputedStyle(el).backgroundColor")
    assert (_luminance(background) < 0.3) == (theme == "dark"), background
    page.screenshot(path=str(artifacts / f"bar-{theme}.png"))
    assert (artifacts / f"bar-{theme}.png").stat().st_size > 1000


def test_popup_screenshot(ext, page, pages, artifacts, browser_context):
    page.goto(f"{pages.url}/form.html")
    tab = ext.tab_id(page.url)
    popup = browser_context.new_page()
    popup.set_viewport_size({"width": 364, "height": 330})
    popup.goto(f"{ext.origin}/popup.html?tab={tab}")
    expect(popup.locator("#status")).to_have_attribute("data-state", "ok", timeout=10_000)
    popup.click("#text")
    popup.keyboard.type("sunny day at the beach with friends")
    expect(popup.locator("#suggestions button")).to_have_count(5, timeout=10_000)
    popup.screenshot(path=str(artifacts / "popup.png"))
    popup.emulate_media(color_scheme="dark")
    popup.screenshot(path=str(artifacts / "popup-dark.png"))
    assert popup.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(30, 33, 39)"
    popup.close()


def test_options_and_offline_screenshots(ext, page, pages, artifacts, browser_context):
    options = browser_context.new_page()
    options.set_viewport_size({"width": 640, "height": 900})
    options.goto(f"{ext.origin}/options.html")
    options.fill("#k", "12")
    options.click("#save")
    expect(options.locator("#k-error")).to_be_visible()
    options.screenshot(path=str(artifacts / "options.png"), full_page=True)
    options.close()

    ext.eval("() => chrome.storage.sync.set({ backendUrl: 'http://127.0.0.1:9' })")
    page.set_viewport_size({"width": 640, "height": 300})
    page.goto(f"{pages.url}/form.html")
    type_into(page, "#ta", "hello")
    expect(page.locator(f"{BAR} .status")).to_have_text("Emoji suggestions offline", timeout=10_000)
    page.screenshot(path=str(artifacts / "bar-offline.png"))
