"""Firefox (firefox-esr) smoke test of the Firefox build, driven by puppeteer-core (tests/extension/firefox/).
Optional second browser: skipped when firefox-esr or puppeteer-core is missing.

WebDriver BiDi may not open moz-extension:// pages, so the options cannot be set from the test: the extension
runs with its default backend URL, http://127.0.0.1:5000, where the test puts a recording proxy in front of
the real backend (skipped if that port is taken)."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from .helpers import EXTENSION
from .servers import RecordingProxy

pytestmark = pytest.mark.e2e

FIREFOX = os.environ.get("FIREFOX", "/usr/bin/firefox-esr")
SCRIPT = Path(__file__).resolve().parent / "firefox" / "firefox-e2e.mjs"


def test_firefox_build_works(built_extension, backend, pages, artifacts):
    if not Path(FIREFOX).exists():
        pytest.skip(f"{FIREFOX} not found (apt-get install -y firefox-esr)")
    if not (EXTENSION / "node_modules" / "puppeteer-core").is_dir():
        pytest.skip("puppeteer-core not installed (cd extension && npm ci)")
    try:
        proxy = RecordingProxy(backend.url, port=5000)
    except OSError:
        pytest.skip("127.0.0.1:5000 (the extension's default backend URL) is in use")
    try:
        _run_firefox(proxy, pages, artifacts)
    finally:
        proxy.stop()


def _run_firefox(proxy, pages, artifacts):
    env = {
        **os.environ,
        "EXT_DIR": str(EXTENSION / "dist" / "firefox"),
        "PAGES_URL": pages.url,
        "FIREFOX": FIREFOX,
        "EXTENSION_ROOT": str(EXTENSION),
        "SCREENSHOT": str(artifacts / "firefox-bar.png"),
    }
    run = subprocess.run(["node", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=180)
    lines = [line for line in run.stdout.splitlines() if line.startswith("[")]
    results = json.loads(lines[-1]) if lines else []
    assert run.returncode == 0, f"{results}\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}"
    assert [r["name"] for r in results if r["ok"]] == [
        "installed",
        "textarea: five suggestions",
        "textarea: click inserts",
        "lexical: Alt+1 inserts into the editor state",
        "password: no bar",
        "no page errors",
    ]
    texts = [r["json"]["text"] for r in proxy.suggest_requests()]
    assert texts == ["this party is going to be amazing", "pizza party tonight"], texts
