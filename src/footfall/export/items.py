"""The items an export covers: counters, areas, sites or site groups of one company, or the company."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, null, select
from sqlalchemy.engine import Connection

from footfall.storage.tables import area, company, counter, site, site_group


class ItemNotFound(LookupError):
    """An id of the export is not an item of this company (answered as 404)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One exported counter / area / site / site group and its identity columns."""

    level: str
    id: int
    code: str
    name: str
    serial: str | None = None
    site_code: str | None = None
    site_name: str | None = None
    timezone: str | None = None


def _query(level: str, company_id: int) -> Select[Any]:
    """Rows of (id, code, name, serial, site code, site name, zone) of one level."""
    if level == "counter":
        return (select(counter.c.id, counter.c.serial, counter.c.name, counter.c.serial,
                       site.c.code, site.c.name, site.c.timezone)
                .select_from(counter.outerjoin(site, site.c.id == counter.c.site_id))
                .where(counter.c.company_id == company_id, counter.c.active.is_(True))
                .order_by(counter.c.serial))
    if level == "area":
        return (select(area.c.id, area.c.name, area.c.name, null(), site.c.code, site.c.name,
                       site.c.timezone)
                .select_from(area.join(site, site.c.id == area.c.site_id))
                .where(area.c.company_id == company_id).order_by(site.c.code, area.c.name))
    if level == "site":
        return (select(site.c.id, site.c.code, site.c.name, null(), site.c.code, site.c.name,
                       site.c.timezone)
                .where(site.c.company_id == company_id).order_by(site.c.code))
    if level == "company":  # the caller's company itself: all of its sites
        return select(company.c.id, company.c.name, company.c.name, null(), null(), null(),
                      null()).where(company.c.id == company_id)
    return (select(site_group.c.id, site_group.c.name, site_group.c.name, null(), null(), null(),
                   null())
            .where(site_group.c.company_id == company_id).order_by(site_group.c.name))


_CODE = {"counter": counter.c.serial, "area": area.c.name, "site": site.c.code,
         "site_group": site_group.c.name, "company": company.c.name}
_ID = {"counter": counter.c.id, "area": area.c.id, "site": site.c.id, "site_group": site_group.c.id,
       "company": company.c.id}


def _item(level: str, row: Sequence[Any]) -> Item:
    ident, code, name, serial, site_code, site_name, tz = row
    return Item(level, int(ident), code, name or code, serial, site_code, site_name,
                tz or ("UTC" if level == "counter" else None))


def resolve_items(conn: Connection, company_id: int, level: str,
                  ids: Sequence[str] | str) -> list[Item]:
    """Items by id or code/serial/name, in the order given (`"all"`: every item of the level)."""
    query = _query(level, company_id)
    if ids == "all":
        return [_item(level, row) for row in conn.execute(query)]
    items: dict[int, Item] = {}
    for ident in ids:
        # A code that looks like a number wins over an id, as it is what the user typed.
        row = conn.execute(query.where(_CODE[level] == ident).limit(1)).first()
        if row is None and ident.isdigit():
            row = conn.execute(query.where(_ID[level] == int(ident)).limit(1)).first()
        if row is None:
            raise ItemNotFound(f"no {level.replace('_', ' ')} {ident!r}")
        found = _item(level, row)
        items.setdefault(found.id, found)
    return list(items.values())
