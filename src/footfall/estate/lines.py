"""Counting lines (the seeds' RoiId) of a counter: created by ingest, edited by an admin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from footfall.domain.records import LineDirection, LineKind
from footfall.estate.common import Row, check_fields, require_text, restate
from footfall.estate.counters import get_counter
from footfall.estate.errors import Invalid, NotFound
from footfall.storage.tables import counter, line

EDITABLE = ("name", "kind", "direction")


def list_lines(conn: Connection, company_id: int, counter_id: int) -> list[Row]:
    """The lines of one counter of the company, by RoiId."""
    get_counter(conn, company_id, counter_id)
    query = select(line).where(line.c.counter_id == counter_id).order_by(line.c.roi_id)
    return [dict(r) for r in conn.execute(query).mappings()]


def get_line(conn: Connection, company_id: int, line_id: int,
             counter_id: int | None = None) -> Row:
    """One line of a counter of the company (of `counter_id` when given)."""
    query = (
        select(line).join(counter, counter.c.id == line.c.counter_id)
        .where(line.c.id == line_id, counter.c.company_id == company_id)
    )
    if counter_id is not None:
        query = query.where(line.c.counter_id == counter_id)
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"line_id {line_id}: no such line", field="line_id")
    return dict(row)


def _enum(enum: type[LineKind] | type[LineDirection], key: str, value: Any) -> str:
    try:
        return enum(value).value
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise Invalid(f"{key} {value!r} is not one of {choices}", field=key) from None


def update_line(conn: Connection, company_id: int, line_id: int, changes: Mapping[str, Any],
                counter_id: int | None = None) -> Row:
    """Rename a line or change its kind or direction; a new meaning restates its counter."""
    check_fields(changes, EDITABLE, "line")
    current = get_line(conn, company_id, line_id, counter_id)
    values: dict[str, Any] = {}
    if "name" in changes:
        name = changes["name"]
        values["name"] = None if name is None else require_text(name, "name", 200)
    if "kind" in changes:
        values["kind"] = _enum(LineKind, "kind", changes["kind"])
    if "direction" in changes:
        values["direction"] = _enum(LineDirection, "direction", changes["direction"])
    if values:
        conn.execute(update(line).where(line.c.id == line_id).values(values))
    if any(values.get(key, current[key]) != current[key] for key in ("kind", "direction")):
        restate(conn, [current["counter_id"]])
    return get_line(conn, company_id, line_id)
