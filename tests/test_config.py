"""Every setting is checked at start-up: a bad value stops the server with one line that names the variable,
the value and what it accepts, and no traceback (backend.config)."""

import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from backend.config import ConfigError, Settings, server_env

ROOT = Path(__file__).resolve().parent.parent

BAD = {  # one bad value per setting, and a word of what the message says it accepts
    "EMOJI_MODEL_DIR": ("/no/such/folder", "model folder"),
    "EMOJI_MAX_TEXT_CHARS": ("lots", "integer"),
    "EMOJI_MAX_BATCH": ("0", "integer from 1"),
    "EMOJI_MAX_BODY_BYTES": ("-5", "integer from 1024"),
    "EMOJI_CORS_ORIGINS": ("example.com/path", "origins"),
    "EMOJI_API_KEY": ("my key", "printable ASCII"),
    "EMOJI_RATE_LIMIT": ("abc", "integer from 0"),
    "EMOJI_RATE_LIMIT_LOCALHOST": ("maybe", "true or false"),
    "EMOJI_RATE_LIMIT_FILE": ("/no/such/folder/rate.sqlite3", "writable folder"),
    "EMOJI_TRUSTED_PROXIES": ("all", "integer from 0"),
    "EMOJI_TORCH_THREADS": ("1.5", "integer"),
    "EMOJI_QUANTIZE": ("int4", "true or false"),
    "EMOJI_COMPACT_EMBEDDINGS": ("2", "true or false"),
    "EMOJI_CACHE_SIZE": ("big", "integer"),
    "EMOJI_ENGINE": ("tensorflow", "onnxruntime, torch"),
}
BAD_SERVER = {
    "PORT": ("http", "integer from 1 to 65535"),
    "HOST": ("0.0.0.0/0", "address"),
    "WEB_CONCURRENCY": ("0", "integer from 1"),
    "GUNICORN_TIMEOUT": ("soon", "integer"),
    "GUNICORN_MAX_REQUESTS": ("-1", "integer >= 0"),
    "LOG_LEVEL": ("loud", "debug, info"),
}


def test_every_setting_has_a_bad_value_here():
    assert {"EMOJI_" + f.name.upper() for f in fields(Settings)} == set(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_setting_names_variable_value_and_what_it_accepts(name):
    value, accepts = BAD[name]
    with pytest.raises(ConfigError) as err:
        Settings.from_env({name: value})
    message = str(err.value)
    shown = "<hidden>" if name == "EMOJI_API_KEY" else repr(value)  # a secret is never echoed
    assert name in message and shown in message and accepts in message and "\n" not in message
    assert isinstance(err.value, SystemExit)  # exits with the message, no traceback


@pytest.mark.parametrize("name", sorted(BAD_SERVER))
def test_bad_server_setting_names_variable_value_and_what_it_accepts(name):
    value, accepts = BAD_SERVER[name]
    with pytest.raises(ConfigError) as err:
        server_env({name: value})
    assert name in str(err.value) and repr(value) in str(err.value) and accepts in str(err.value)


def test_good_values_parse():
    s = Settings.from_env({"EMOJI_MAX_BATCH": " 8 ", "EMOJI_QUANTIZE": "off", "EMOJI_ENGINE": "Torch",
                           "EMOJI_CORS_ORIGINS": "https://a.example, http://localhost:3000",
                           "EMOJI_MODEL_DIR": "someone/emoji-model", "EMOJI_TRUSTED_PROXIES": "1"})
    assert (s.max_batch, s.quantize, s.engine, s.trusted_proxies) == (8, False, "torch", 1)
    assert s.cors_origins == ["https://a.example", "http://localhost:3000"]
    assert server_env({}) == {"host": "127.0.0.1", "port": 5000, "workers": 2, "timeout": 30, "max_requests": 0,
                              "log_level": "info"}


@pytest.mark.parametrize("name", ["EMOJI_RATE_LIMIT", "PORT", "EMOJI_ENGINE"])
def test_gunicorn_stops_with_one_line(name):
    """What `make serve` and the image run: the master checks before any worker starts."""
    value = (BAD | BAD_SERVER)[name][0]
    out = subprocess.run([sys.executable, "-m", "gunicorn", "-c", "backend/gunicorn.conf.py"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, env={**os.environ, name: value})
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"configuration error: {name}=") and "Traceback" not in out.stderr


def test_proxy_address_is_believed_only_when_a_proxy_is_named(make_client):
    """The rate limit keys on the client address: the proxy's own unless EMOJI_TRUSTED_PROXIES names it."""
    body = {"text": "hello"}
    for proxies, limited in ((0, "the proxy"), (1, "each client")):
        client = make_client(rate_limit=1, rate_limit_localhost=True, trusted_proxies=proxies)
        first = client.post("/v1/suggest", json=body, headers={"X-Forwarded-For": "203.0.113.9"})
        second = client.post("/v1/suggest", json=body, headers={"X-Forwarded-For": "203.0.113.10"})
        assert first.status_code == 200
        assert second.status_code == (429 if limited == "the proxy" else 200)
