"""Fixtures for the extension's end-to-end tests in real headless Chromium (Playwright for Python).

Needs /usr/bin/chromium (Debian's `chromium`), extension/node_modules (`npm ci` in extension/),
and playwright installed in the venv; otherwise every e2e test is skipped with the reason.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .helpers import DEBOUNCE_MS, EXTENSION
from .servers import REPO, Backend, RecordingProxy, StaticServer, free_port, model_available

PAGES = Path(__file__).resolve().parent / "pages"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("EXTENSION_E2E_ARTIFACTS", Path(__file__).resolve().parent / "artifacts"))


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found (apt-get install -y chromium)"
    if not (EXTENSION / "node_modules").is_dir():
        return "extension/node_modules missing (cd extension && npm ci)"
    if importlib.util.find_spec("playwright") is None:
        return "playwright not installed (pip install playwright)"
    if not (REPO / "backend" / "__main__.py").exists():
        return "backend/__main__.py missing: no backend to test against"
    if not shutil.which("node"):
        return "node not found"
    if not model_available():
        return "no model for the backend (backend/models/default/ or $EMOJI_MODEL_DIR)"
    return None


@pytest.fixture(scope="session")
def built_extension() -> Path:
    reason = _missing()
    if reason and os.environ.get("EMOJI_E2E_REQUIRED"):
        pytest.fail(f"browser tests required (EMOJI_E2E_REQUIRED) but cannot run: {reason}")
    if reason:
        pytest.skip(reason)
    # dist/: the bundles as shipped (Firefox's smoke test); dist-test/: the same with the e2e hooks (Chromium).
    for script in (["node", "scripts/build.mjs", "--no-zip"], ["node", "scripts/build.mjs", "--test-hooks"],
                   ["node", "scripts/build-testpages.mjs"]):
        subprocess.run(script, cwd=EXTENSION, check=True, capture_output=True)
    return EXTENSION / "dist-test" / "chrome"


@pytest.fixture(scope="session")
def backend(built_extension, tmp_path_factory):
    server = Backend(free_port(), tmp_path_factory.mktemp("backend") / "backend.log").start()
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def proxy(backend):
    recorder = RecordingProxy(backend.url)
    yield recorder
    recorder.stop()


@pytest.fixture(scope="session")
def pages(built_extension):
    server = StaticServer(PAGES)
    yield server
    server.stop()


class Extension:
    """The loaded extension: its id, and an extension page of its own to reach chrome.* APIs from."""

    def __init__(self, context, ext_id: str):
        self.context = context
        self.id = ext_id
        self.origin = f"chrome-extension://{ext_id}"
        self.control = context.new_page()
        self.control.goto(f"{self.origin}/options.html")

    def eval(self, script: str, arg=None):
        return self.control.evaluate(script, arg)

    def reset(self, backend_url: str, **settings) -> None:
        self.eval(
            """async (s) => {
                await chrome.storage.sync.clear();
                await chrome.storage.local.clear();
                await chrome.storage.session.clear();
                await chrome.storage.sync.set(s);
                await chrome.action.setBadgeText({ text: '' });
            }""",
            {"backendUrl": backend_url, "debounceMs": DEBOUNCE_MS, **settings},
        )

    def tab_id(self, url: str) -> int:
        return self.eval("async (u) => (await chrome.tabs.query({})).find((t) => t.url === u).id", url)

    def badge(self) -> str:
        return self.eval("() => chrome.action.getBadgeText({})")

    def send(self, message: dict):
        return self.eval("(m) => chrome.runtime.sendMessage(m)", message)


@pytest.fixture(scope="session")
def playwright(built_extension):
    """Playwright, once per session (its sync API allows one instance at a time)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


def launch_with_extension(playwright, extension: Path, profile: Path, args=(), **options):
    """Headless Chromium with the built extension loaded, in a profile of its own."""
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--headless=new",
            f"--disable-extensions-except={extension}",
            f"--load-extension={extension}",
            "--disable-features=DisableLoadExtensionCommandLineSwitch",
            "--no-first-run",
            *args,
        ],
        **options,
    )


def loaded_extension(context) -> Extension:
    """The extension of a context started by :func:`launch_with_extension`, once its background is up."""
    workers = context.service_workers
    worker = workers[0] if workers else context.wait_for_event("serviceworker", timeout=20_000)
    return Extension(context, worker.url.split("/")[2])


@pytest.fixture(scope="session")
def browser_context(playwright, built_extension, tmp_path_factory):
    context = launch_with_extension(playwright, built_extension, tmp_path_factory.mktemp("profile"),
                                    viewport={"width": 1000, "height": 700})
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def extension(browser_context) -> Extension:
    return loaded_extension(browser_context)


@pytest.fixture
def ext(extension, proxy) -> Extension:
    """The extension with fresh storage, pointed at the recording proxy in front of the real backend."""
    proxy.clear()
    extension.reset(proxy.url)
    return extension


@pytest.fixture
def page(browser_context, ext):
    tab = browser_context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda err: tab.errors.append(str(err)))
    yield tab
    tab.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
