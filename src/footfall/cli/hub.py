"""Open the configured hub from the CLI: settings, a migrated database, a company by name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

import footfall.settings
from footfall.estate.companies import find_company
from footfall.estate.errors import NotFound
from footfall.settings import Settings
from footfall.storage.engine import make_engine
from footfall.storage.migrate import upgrade


def load_settings(data_dir: Path | None = None) -> Settings:
    """Settings from the environment; an explicit data directory means SQLite under it."""
    settings = footfall.settings.load()
    if data_dir is not None:
        settings = replace(settings, data_dir=data_dir, database_url="")
    return settings


def open_database(settings: Settings) -> Engine:
    """An engine for the configured database, migrated to the newest schema (idempotent)."""
    engine = make_engine(settings.url)
    upgrade(engine)
    return engine


@contextmanager
def database(settings: Settings | None = None) -> Iterator[Engine]:
    """The configured database (migrated), disposed of on exit."""
    engine = open_database(settings if settings is not None else load_settings())
    try:
        yield engine
    finally:
        engine.dispose()


def company_id(conn: Connection, name: str) -> int:
    """The id of the company called `name`, else a NotFound that names it."""
    try:
        return int(find_company(conn, name)["id"])
    except NotFound:
        raise NotFound(f"no company named {name!r} (create it with: footfall company create "
                       f"{name!r})", field="company") from None


def describe(settings: Settings) -> str:
    """Where the data lives, for messages (never prints a password in a URL)."""
    if settings.database_url:
        scheme, _, rest = settings.database_url.partition("://")
        return f"{scheme}://…@{rest.rpartition('@')[2]}" if "@" in rest else settings.database_url
    return str((settings.data_dir / "footfall.db").resolve())
