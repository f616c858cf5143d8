"""The package metadata and the pinned requirements agree, and nothing finds the code by path tricks."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pinned(name: str) -> set[str]:
    """The packages a requirements file pins itself (its -r includes not followed), lower-cased."""
    names = set()
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[<>=!~\[ ]", line)[0].lower().replace("_", "-"))
    return names


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[ ]", r)[0].lower().replace("_", "-") for r in requirements}


def test_pyproject_lists_the_packages_each_requirements_file_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert names(project["dependencies"]) == pinned("requirements.txt")
    assert names(project["optional-dependencies"]["train"]) == pinned("requirements-train.txt")
    dev = [r for r in project["optional-dependencies"]["dev"] if not r.startswith("emoji-suggest")]
    assert names(dev) == pinned("requirements-dev.txt")
    assert "torch" not in pinned("requirements.txt")  # serving runs without it


def test_no_pythonpath_or_sys_path_tricks():
    assert "PYTHONPATH" not in (ROOT / "Makefile").read_text()
    trick = "sys.path." + "insert"  # spelled apart, so that this file does not match itself
    for folder in ("backend", "training", "benchmarks", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            assert trick not in path.read_text(encoding="utf-8"), path


def test_every_setting_is_in_the_readmes_configuration_table():
    from dataclasses import fields

    from backend.config import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") :].split("\n## ")[0]
    config = (ROOT / "backend" / "config.py").read_text(encoding="utf-8")
    server = set(re.findall(r'\benv(?:_int|_choice|\.get)\("([A-Z_]+)"', config))  # gunicorn's, from server_env
    assert {"HOST", "PORT", "WEB_CONCURRENCY", "LOG_LEVEL"} <= server
    for name in server | {"EMOJI_" + f.name.upper() for f in fields(Settings)}:
        assert f"`{name}`" in table, name
