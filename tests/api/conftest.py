"""API fixtures: an app over each backend, two companies with tokens, a restate spy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

import footfall.rollup.refresher
from footfall.api.app import create_app
from footfall.settings import Settings
from tests.api.helpers import BODY_LIMIT, Tenant, make_tenant


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    """A test client of an app over the migrated `engine` fixture (both backends)."""
    settings = Settings(data_dir=tmp_path, max_body_bytes=BODY_LIMIT)
    with TestClient(create_app(settings, engine)) as test_client:
        yield test_client


@pytest.fixture
def a(engine: Engine) -> Tenant:
    """Company A."""
    return make_tenant(engine, "Company A")


@pytest.fixture
def b(engine: Engine) -> Tenant:
    """Company B."""
    return make_tenant(engine, "Company B")


@pytest.fixture
def restated(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counter ids passed to restate_counter (the real function still runs)."""
    calls: list[int] = []
    real = footfall.rollup.refresher.restate_counter

    def spy(conn: Any, counter_id: int) -> None:
        calls.append(counter_id)
        real(conn, counter_id)

    monkeypatch.setattr(footfall.rollup.refresher, "restate_counter", spy)
    return calls
