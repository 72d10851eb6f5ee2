"""Areas: named parts of a site, made of counting lines and their "into the area" direction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from footfall.domain.records import LineDirection
from footfall.estate.common import Row, check_fields, fetch_owned, require_text, utcnow
from footfall.estate.errors import Conflict, Invalid, NotFound
from footfall.storage.tables import area, area_line, counter, line, site

EDITABLE = ("name", "site_id", "lines")


def _check_name_free(conn: Connection, site_id: int, name: str, area_id: int | None) -> None:
    taken = conn.execute(
        select(area.c.id).where(area.c.site_id == site_id, area.c.name == name)
    ).scalar()
    if taken is not None and taken != area_id:
        raise Conflict(f"name: the site already has an area named {name!r}", field="name")


def _clean_lines(conn: Connection, company_id: int, site_id: int,
                 lines: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each `{line_id, direction}` checked: a line of a counter of this company at this site."""
    out: dict[int, dict[str, Any]] = {}
    for index, item in enumerate(lines):
        where = f"lines[{index}]"
        line_id, direction = item.get("line_id"), item.get("direction", "normal")
        if not isinstance(line_id, int) or isinstance(line_id, bool):
            raise Invalid(f"{where}.line_id must be a line id", field=f"{where}.line_id")
        try:
            direction = LineDirection(direction).value
        except ValueError:
            raise Invalid(f"{where}.direction {direction!r} is not normal or reversed",
                          field=f"{where}.direction") from None
        row = conn.execute(
            select(counter.c.site_id).join(line, line.c.counter_id == counter.c.id)
            .where(line.c.id == line_id, counter.c.company_id == company_id)
        ).first()
        if row is None:
            raise NotFound(f"{where}.line_id {line_id}: no such line", field=f"{where}.line_id")
        if row.site_id != site_id:
            raise Invalid(f"{where}.line_id {line_id}: the line's counter is not assigned to "
                          f"site {site_id}", field=f"{where}.line_id")
        if line_id in out:
            raise Invalid(f"{where}.line_id {line_id} is listed twice", field=f"{where}.line_id")
        out[line_id] = {"line_id": line_id, "direction": direction}
    return list(out.values())


def _write_lines(conn: Connection, area_id: int, lines: list[dict[str, Any]]) -> None:
    conn.execute(delete(area_line).where(area_line.c.area_id == area_id))
    if lines:
        conn.execute(insert(area_line), [{"area_id": area_id, **item} for item in lines])


def create_area(conn: Connection, company_id: int, site_id: int, name: str,
                lines: Sequence[Mapping[str, Any]] = ()) -> Row:
    """Create an area of a site from lines of that site's counters."""
    fetch_owned(conn, site, company_id, site_id, "site", field="site_id")
    name = require_text(name, "name", 200)
    _check_name_free(conn, site_id, name, None)
    members = _clean_lines(conn, company_id, site_id, lines)
    values = {"company_id": company_id, "site_id": site_id, "name": name, "created_at": utcnow()}
    area_id = conn.execute(insert(area).values(values).returning(area.c.id)).scalar_one()
    _write_lines(conn, area_id, members)
    return get_area(conn, company_id, area_id)


def get_area(conn: Connection, company_id: int, area_id: int) -> Row:
    """One area of the company, with its lines."""
    row = fetch_owned(conn, area, company_id, area_id, "area")
    query = (select(area_line.c.line_id, area_line.c.direction)
             .where(area_line.c.area_id == area_id).order_by(area_line.c.line_id))
    row["lines"] = [dict(r) for r in conn.execute(query).mappings()]
    return row


def list_areas(conn: Connection, company_id: int, site_id: int | None = None) -> list[Row]:
    """Areas of the company (of one site when given), with their lines."""
    query = select(area.c.id).where(area.c.company_id == company_id)
    if site_id is not None:
        query = query.where(area.c.site_id == site_id)
    ids = conn.execute(query.order_by(area.c.site_id, area.c.name)).scalars().all()
    return [get_area(conn, company_id, area_id) for area_id in ids]


def update_area(conn: Connection, company_id: int, area_id: int,
                changes: Mapping[str, Any]) -> Row:
    """Rename an area, move it, or replace its lines (checked against its site)."""
    check_fields(changes, EDITABLE, "area")
    current = get_area(conn, company_id, area_id)
    site_id = changes.get("site_id", current["site_id"])
    if site_id is None:
        raise Invalid("site_id cannot be null: an area belongs to a site", field="site_id")
    if site_id != current["site_id"]:
        fetch_owned(conn, site, company_id, site_id, "site", field="site_id")
    name = require_text(changes.get("name", current["name"]), "name", 200)
    _check_name_free(conn, site_id, name, area_id)
    members = _clean_lines(conn, company_id, site_id, changes.get("lines", current["lines"]))
    conn.execute(update(area).where(area.c.id == area_id).values(name=name, site_id=site_id))
    _write_lines(conn, area_id, members)
    return get_area(conn, company_id, area_id)


def delete_area(conn: Connection, company_id: int, area_id: int) -> None:
    """Delete an area (its lines and counters stay)."""
    fetch_owned(conn, area, company_id, area_id, "area")
    conn.execute(delete(area).where(area.c.id == area_id))
