"""Test helpers: a company with a site and counters, and reading a report back."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.domain.timegrid import Interval
from footfall.domain.verification import Policy
from footfall.query.counts import CountsRequest, public, report
from footfall.query.scope import Level
from footfall.rollup.refresher import refresh
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import company, counter, site


def make_estate(engine: Engine, tz: str, serials: list[str], name: str | None = None) -> int:
    """A company with one site `S1` in zone `tz` and the given counters assigned to it."""
    now = datetime.now(UTC)
    with write_tx(engine) as conn:
        company_id = conn.execute(
            company.insert().values(name=name or f"co-{time.time_ns()}", created_at=now)
            .returning(company.c.id)).scalar_one()
        site_id = conn.execute(
            site.insert().values(company_id=company_id, code="S1", name="Site 1", timezone=tz,
                                 created_at=now).returning(site.c.id)).scalar_one()
        for serial in serials:
            conn.execute(counter.insert().values(company_id=company_id, serial=serial,
                                                 site_id=site_id, active=True, created_at=now))
    return company_id


def counter_id(engine: Engine, company_id: int, serial: str) -> int:
    """The id of a counter by serial."""
    with read_tx(engine) as conn:
        return conn.execute(select(counter.c.id).where(
            counter.c.company_id == company_id, counter.c.serial == serial)).scalar_one()


def rows(engine: Engine, company_id: int, interval: Interval, first: date, last: date,
         level: Level = Level.SITE, ident: str = "S1", now_ts: int | None = None) -> list[dict[str, Any]]:
    """Refresh rollups, then read the report rows."""
    refresh(engine)
    with read_tx(engine) as conn:
        request = CountsRequest(company_id, level, ident, interval, first, last)
        return public(report(conn, request, now_ts or int(time.time()), Policy()))
