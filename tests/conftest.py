"""Fixtures shared by the API tests: the app around a fake model (backend.testing), built in milliseconds."""

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
