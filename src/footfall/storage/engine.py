"""Create the database engine: SQLite (WAL, durable commits) by default, PostgreSQL by URL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool


def sqlite_url(data_dir: Path) -> str:
    """The embedded default database: one file under the data directory."""
    return f"sqlite:///{(data_dir / 'footfall.db').resolve()}"


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, full fsync on commit and foreign keys."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            # Each thread its own connection; WAL lets readers run beside the writer.
            poolclass=NullPool if path == ":memory:" else None,
        )
        # The driver binds int, float and str directly but looks every other value up in its
        # adapter registry, and a miss (None, i.e. NULL) walks the type's attributes first:
        # thousands of instructions per NULL on the ingest path. A registered adapter is a hit.
        sqlite3.register_adapter(type(None), _NULL)
        # pysqlite's own transaction handling defers BEGIN; we issue it ourselves.
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


_NULL: Callable[[Any], None] = {}.get  # any value → None, in C: what the driver binds as NULL


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: the hot index pages of ingest stay in memory
    cursor.execute("PRAGMA temp_store=MEMORY")  # savepoint sub-journals and sorts off disk
    # Checkpoint every ~40 MiB of WAL, not 4 MiB: sustained ingest copies each page back once.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # A writer takes the lock up front: upgrading a read lock later can fail under load.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get(_WRITE) else "BEGIN")


_WRITE = "footfall_write"


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction, committed durably on exit (or rolled back on error)."""
    with engine.connect() as conn:
        conn.info[_WRITE] = True
        try:
            with conn.begin():
                yield conn
        finally:
            conn.info.pop(_WRITE, None)


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction with one consistent snapshot."""
    with engine.connect() as conn, conn.begin():
        yield conn
