"""The databases a benchmark runs on: a temporary SQLite file or a throwaway PostgreSQL database."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack

from sqlalchemy import Table
from sqlalchemy.engine import Engine

from footfall.storage import dialect
from footfall.storage.engine import make_engine, write_tx
from footfall.storage.migrate import upgrade
from footfall.storage.scratch import throwaway_database

PG_ADMIN_URL = os.environ.get("FOOTFALL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def scratch_url(stack: ExitStack, name: str) -> str | None:
    """A fresh database URL for backend `name`, removed when `stack` closes; None if unreachable."""
    if name == "sqlite":
        return f"sqlite:///{stack.enter_context(tempfile.TemporaryDirectory())}/bench.db"
    try:
        return stack.enter_context(throwaway_database(PG_ADMIN_URL, "footfall_bench"))
    except Exception as error:  # a benchmark without PostgreSQL still reports SQLite
        print(f"  skipped: PostgreSQL not reachable at {PG_ADMIN_URL} ({error.__class__.__name__})")
        return None


def hub_database(stack: ExitStack, name: str) -> Engine | None:
    """A fresh, migrated hub database on backend `name`, disposed and removed when `stack`
    closes; None when the backend is not reachable."""
    url = scratch_url(stack, name)
    if url is None:
        return None
    engine = make_engine(url)
    stack.callback(engine.dispose)
    upgrade(engine)
    return engine


def timed_bare_insert(engine: Engine, bare: Table, columns: Sequence[str], rows: list[tuple]) -> float:
    """The storage ceiling: `rows` into the bare table `bare` (created, then dropped) in one
    transaction with the hub's own bulk insert; seconds."""
    bare.metadata.create_all(engine)
    try:
        started = time.perf_counter()
        with write_tx(engine) as conn:
            dialect.insert_many(conn, bare, columns, rows)
        return time.perf_counter() - started
    finally:
        bare.metadata.drop_all(engine)
