"""Who is behind a counter / area / site / site group / company: its zones, counters and line roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from footfall.domain.records import LineDirection, LineKind
from footfall.domain.timegrid import zone
from footfall.storage.tables import (
    area,
    area_line,
    company,
    counter,
    line,
    site,
    site_group,
    site_group_member,
)


class Level(StrEnum):
    """Aggregation levels of the counts API."""

    COUNTER = "counter"
    AREA = "area"
    SITE = "site"
    SITE_GROUP = "site_group"
    COMPANY = "company"  # every site of the caller's company, lined up like a site group


# Levels whose members are sites lined up by local wall-clock bucket.
SITE_SETS = frozenset({Level.SITE_GROUP, Level.COMPANY})


class Role(StrEnum):
    """How a line's crossings count for an entity."""

    IN = "in"  # IN is into the entity
    REVERSED = "reversed"  # OUT is into the entity
    OUTSIDE = "outside"  # passers-by, both directions


class ScopeNotFound(LookupError):
    """No such entity in this company."""


@dataclass(slots=True)
class Member:
    """One unit with one time zone: a site, an area, or a single counter."""

    key: str
    name: str
    tz: ZoneInfo
    counters: dict[int, str] = field(default_factory=dict)  # id → serial
    roles: dict[tuple[int, int], Role] = field(default_factory=dict)  # (counter, roi) → role

    @property
    def has_outside(self) -> bool:
        """True when an outside line is behind this unit."""
        return Role.OUTSIDE in self.roles.values()


def _entrance_roles(conn: Connection, counter_ids: list[int]) -> dict[tuple[int, int], Role]:
    roles: dict[tuple[int, int], Role] = {}
    for cid, roi, kind, direction in conn.execute(
        select(line.c.counter_id, line.c.roi_id, line.c.kind, line.c.direction)
        .where(line.c.counter_id.in_(counter_ids))
    ):
        if kind == LineKind.OUTSIDE:
            roles[(cid, roi)] = Role.OUTSIDE
        elif kind == LineKind.ENTRANCE:
            roles[(cid, roi)] = Role.REVERSED if direction == LineDirection.REVERSED else Role.IN
    return roles


def _site_member(conn: Connection, row) -> Member:  # type: ignore[no-untyped-def]
    member = Member(row.code, row.name, zone(row.timezone))
    for cid, serial in conn.execute(
        select(counter.c.id, counter.c.serial)
        .where(counter.c.site_id == row.id, counter.c.active.is_(True))
        .order_by(counter.c.serial)
    ):
        member.counters[cid] = serial
    member.roles = _entrance_roles(conn, list(member.counters))
    return member


def _find(conn: Connection, table, company_id: int, ident: str, code_column=None):  # type: ignore[no-untyped-def]
    match = [table.c.id == int(ident)] if ident.isdigit() else []
    if code_column is not None:
        match.append(code_column == ident)
    if not match:
        raise ScopeNotFound(f"no {table.name.replace('_', ' ')} {ident!r}")
    row = conn.execute(select(table).where(table.c.company_id == company_id, or_(*match))).first()
    if row is None:
        raise ScopeNotFound(f"no {table.name.replace('_', ' ')} {ident!r}")
    return row


def members(conn: Connection, company_id: int, level: Level, ident: str) -> list[Member]:
    """The members behind an entity given by id (or code / serial / name).

    The company level needs no id: it is the caller's company; an id given must be that
    company's own id or name.
    """
    if level is Level.COMPANY:
        own = conn.execute(select(company.c.id, company.c.name).where(company.c.id == company_id)).one()
        if ident and ident not in (str(own.id), own.name):
            raise ScopeNotFound(f"no company {ident!r}")
        sites = conn.execute(select(site).where(site.c.company_id == company_id)
                             .order_by(site.c.code)).all()
        return [_site_member(conn, row) for row in sites]
    if level is Level.SITE:
        return [_site_member(conn, _find(conn, site, company_id, ident, site.c.code))]
    if level is Level.SITE_GROUP:
        group = _find(conn, site_group, company_id, ident, site_group.c.name)
        sites = conn.execute(
            select(site).join(site_group_member, site_group_member.c.site_id == site.c.id)
            .where(site_group_member.c.group_id == group.id).order_by(site.c.code)
        ).all()
        return [_site_member(conn, row) for row in sites]
    if level is Level.COUNTER:
        row = _find(conn, counter, company_id, ident, counter.c.serial)
        tz_name = "UTC"
        if row.site_id is not None:
            tz_name = conn.execute(select(site.c.timezone).where(site.c.id == row.site_id)).scalar_one()
        member = Member(row.serial, row.name or row.serial, zone(tz_name), {row.id: row.serial})
        member.roles = _entrance_roles(conn, [row.id])
        return [member]
    row = _find(conn, area, company_id, ident, area.c.name)
    parent = conn.execute(select(site).where(site.c.id == row.site_id)).one()
    member = Member(row.name, row.name, zone(parent.timezone))
    for cid, serial, roi, direction in conn.execute(
        select(counter.c.id, counter.c.serial, line.c.roi_id, area_line.c.direction)
        .select_from(area_line.join(line, line.c.id == area_line.c.line_id)
                     .join(counter, counter.c.id == line.c.counter_id))
        .where(area_line.c.area_id == row.id, counter.c.active.is_(True))
    ):
        member.counters[cid] = serial
        member.roles[(cid, roi)] = Role.REVERSED if direction == LineDirection.REVERSED else Role.IN
    return [member]
