"""Emptying the session's PostgreSQL database between tests."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

from footfall.storage.tables import metadata

# Rows that belong to the schema, not to the data: the migrations put them there.
SCHEMA_ROWS = {"estate_version"}


def empty(engine: Engine) -> Engine:
    """Remove every row of data (ids restart), keeping the schema's own rows; returns `engine`."""
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name not in SCHEMA_ROWS)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return engine
