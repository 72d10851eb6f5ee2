"""The 0003 migration builds exactly the sales tables the code declares, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from footfall.storage.tables import metadata

SALES_TABLES = {"sales_hour", "sales_profile", "sales_schedule", "sales_import"}


def _table_of(diff: object) -> str | None:
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:] if isinstance(item, tuple) else ():
        name = getattr(part, "name", None)
        table = getattr(part, "table", None)
        if table is not None and getattr(table, "name", None):
            return str(table.name)
        if name in SALES_TABLES:
            return str(name)
        if isinstance(part, str) and part in SALES_TABLES:
            return part
    return None


def test_migrated_sales_tables_match_the_declared_ones(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    ours = [d for d in diffs if _table_of(d) in SALES_TABLES]
    assert ours == []
