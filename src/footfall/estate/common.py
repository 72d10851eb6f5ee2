"""Helpers shared by the estate modules: clock, row conversion, company scoping, restating."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from footfall.estate.errors import Invalid, NotFound

Row = dict[str, Any]


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored datetime as aware UTC (SQLite returns naive UTC datetimes)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def fetch_owned(conn: Connection, table: Table, company_id: int, object_id: int,
                label: str, field: str = "id") -> Row:
    """One row of `table` owned by the company, else NotFound naming `label` and `field`."""
    row = conn.execute(
        select(table).where(table.c.id == object_id, table.c.company_id == company_id)
    ).mappings().first()
    if row is None:
        raise NotFound(f"{field} {object_id}: no such {label}", field=field)
    return dict(row)


def check_fields(changes: Mapping[str, Any], allowed: Iterable[str], label: str) -> None:
    """Refuse keys that are not editable fields of `label`, naming the first one."""
    allowed_set = set(allowed)
    for key in changes:
        if key not in allowed_set:
            raise Invalid(f"{key}: not an editable field of a {label}", field=key)


def require_text(value: Any, field: str, max_length: int) -> str:
    """A non-blank string of at most `max_length` characters, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{field} must be a non-empty string", field=field)
    if len(value.strip()) > max_length:
        raise Invalid(f"{field} is longer than {max_length} characters", field=field)
    return value.strip()


def restate(conn: Connection, counter_ids: Iterable[int]) -> None:
    """Re-queue counters whose data must be re-aggregated (new site, time zone or line meaning)."""
    ids = sorted(set(counter_ids))
    if not ids:
        return
    # Imported here: the rollup package depends on storage only, and the estate is loaded
    # by the CLI and API long before any rollup runs.
    from footfall.rollup.refresher import restate_counter

    for counter_id in ids:
        restate_counter(conn, counter_id)
