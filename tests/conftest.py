"""Fixtures shared by the tests: the app around a fake model (backend.testing), built in milliseconds, and
tarballs laid out as Unicode CLDR's npm packages."""

import io
import json
import tarfile

import pytest

from backend import create_app
from backend.config import Settings
from backend.testing import FakePredictor


@pytest.fixture
def fake_predictor() -> FakePredictor:
    return FakePredictor()


@pytest.fixture
def make_client(fake_predictor):
    def _make(**settings):
        app = create_app(Settings(**settings), predictor=fake_predictor)
        app.testing = True
        return app.test_client()

    return _make


@pytest.fixture
def client(make_client):
    return make_client()


def _package(path, folder: str, locales: dict) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for locale, entries in locales.items():
            body = json.dumps({folder: {"identity": {"language": locale}, "annotations": entries}}).encode()
            info = tarfile.TarInfo(f"package/{folder}/{locale}/annotations.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))


@pytest.fixture
def cldr_packages(tmp_path):
    """write(annotations, derived) -> the two tarballs' paths, each {locale: {emoji: {"default", "tts"}}}, laid
    out as cldr-annotations-full and cldr-annotations-derived-full are: package/<folder>/<locale>/annotations.json."""

    def write(annotations: dict, derived: dict) -> list:
        paths = [tmp_path / "annotations.tgz", tmp_path / "derived.tgz"]
        _package(paths[0], "annotations", annotations)
        _package(paths[1], "annotationsDerived", derived)
        return paths

    return write
