"""The backend and the extension agree on errors: every code the API can return is handled in the UI."""

import re
from pathlib import Path

from backend.errors import _HTTP_CODES
from backend.openapi import ERROR_CODES

ROOT = Path(__file__).resolve().parent.parent


def codes_raised_by_the_backend() -> set[str]:
    raised = set(_HTTP_CODES.values()) | {"http_error", "internal_error"}
    for path in (ROOT / "backend").rglob("*.py"):
        raised |= set(re.findall(r'ApiError\(\s*\d{3},\s*"([a-z_]+)"', path.read_text()))
    return raised


def test_every_raised_code_is_documented():
    assert codes_raised_by_the_backend() <= set(ERROR_CODES)


def test_the_extension_handles_every_documented_code():
    source = (ROOT / "extension" / "src" / "lib" / "error-codes.js").read_text()
    block = re.search(r"API_ERROR_CODES = Object\.freeze\(\[(.*?)\]\)", source, re.S).group(1)
    handled = set(re.findall(r"'([a-z_]+)'", block))
    assert set(ERROR_CODES) <= handled
