"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL comes from FOOTFALL_TEST_PG_URL (default: the local server, trust auth). Each
session creates its own throwaway database and drops it at the end. Without a reachable
server the PostgreSQL half is skipped with the reason, unless CI=true, where it fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import Engine

from footfall.storage.engine import make_engine
from footfall.storage.migrate import upgrade
from footfall.storage.scratch import throwaway_database
from tests.databases import empty

PG_ADMIN_URL = os.environ.get("FOOTFALL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _pg_unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL not reachable ({reason}); set CI=true to make this a failure")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated to head."""
    try:
        psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        _pg_unavailable(str(error).strip().splitlines()[0])
    with throwaway_database(PG_ADMIN_URL, "footfall_test") as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "footfall.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """A migrated, empty PostgreSQL database (for what only PostgreSQL has: concurrent writers)."""
    result = _pg_engine(pg_url)
    yield result
    result.dispose()


def _sqlite_engine(template: Path, tmp_path: Path) -> Engine:
    target = tmp_path / "footfall.db"
    shutil.copy(template, target)
    return make_engine(f"sqlite:///{target}")


def _pg_engine(url: str) -> Engine:
    return empty(make_engine(url))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        result = _sqlite_engine(sqlite_template, tmp_path)
    else:
        result = _pg_engine(request.getfixturevalue("pg_url"))
    yield result
    result.dispose()


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty SQLite database (for pure-logic tests that need only one backend)."""
    result = _sqlite_engine(sqlite_template, tmp_path)
    yield result
    result.dispose()
