"""Export fixtures: an app over each backend (default body limit) and companies A and B."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from footfall.api.app import create_app
from footfall.settings import Settings
from tests.api.conftest import a, b

__all__ = ["a", "b", "client"]


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    """A test client of the app over the migrated `engine` fixture (both backends)."""
    with TestClient(create_app(Settings(data_dir=tmp_path), engine)) as test_client:
        yield test_client
