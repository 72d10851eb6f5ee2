"""Test helpers shared by the pulled-channel tests: a hub estate made from a simulator fleet,
live events with an offline gap, and hub totals read back to compare with the ground truth."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.domain.timegrid import Interval
from footfall.domain.verification import Policy
from footfall.estate.companies import create_company
from footfall.estate.counters import create_counter
from footfall.estate.sites import create_site
from footfall.query.counts import CountsRequest, report
from footfall.query.scope import Level
from footfall.rollup.refresher import refresh
from footfall.simulator.devices.payloads import event_message
from footfall.simulator.fleet import Fleet
from footfall.simulator.traffic import crossings
from footfall.simulator.truth import truth_rows
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import count_cell, counter

Cells = dict[tuple[str, int, int], tuple[int, int, int, int]]  # (serial, line, minute) → counts


def fleet_estate(engine: Engine, fleet: Fleet, name: str = "Simulated Retail",
                 **counter_fields: dict[str, Any]) -> int:
    """A company with the fleet's sites (code, zone) and counters; per-serial extra fields."""
    with write_tx(engine) as conn:
        company_id = int(create_company(conn, name)["id"])
        sites = {s.code: create_site(conn, company_id, s.code, s.name, s.timezone)["id"] for s in fleet.sites}
        for c in fleet.counters:
            create_counter(conn, company_id, c.serial, f"door {c.door}", sites[c.site_code],
                           company_serial=c.company_serial, **counter_fields.get(c.serial, {}))
    return company_id


def live_day(fleet: Fleet, start: int, end: int,
             offline: dict[str, tuple[int, int]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What live push delivered over [start, end): every event and alive span but the offline ones."""
    events, coverage = [], []
    for c in fleet.counters:
        zone = ZoneInfo(fleet.site(c.site_code).timezone)
        gap = offline.get(c.serial)
        for crossing in crossings(fleet, c.serial, start, end):
            if gap is None or not gap[0] <= crossing.at < gap[1]:
                events.append(event_message(crossing, zone, crossing.at))
        spans = [(start, end)] if gap is None else [(start, gap[0]), (gap[1], end)]
        coverage += [{"serial": c.serial, "start": a, "end": b} for a, b in spans if b > a]
    return events, coverage


def truth_cells(fleet: Fleet, start: int, end: int) -> Cells:
    """The simulator's ground truth per (serial, line, UTC minute), non-zero cells only."""
    return {(r.serial, r.line, r.minute_ts): (r.in_, r.out, r.staff_in, r.staff_out)
            for r in truth_rows(fleet, start, end)}


def stored_cells(engine: Engine, source: str, length: int = 60) -> Cells:
    """The hub's reported counts of one source per (serial, line, start), non-zero cells only."""
    query = (select(counter.c.serial, count_cell.c.roi_id, count_cell.c.start_ts, count_cell.c.in_count,
                    count_cell.c.out_count, count_cell.c.staff_in, count_cell.c.staff_out)
             .join(counter, counter.c.id == count_cell.c.counter_id)
             .where(count_cell.c.source == source, count_cell.c.length_s == length))
    with read_tx(engine) as conn:
        return {(s, r, t): (a, b, c, d) for s, r, t, a, b, c, d in conn.execute(query) if a or b or c or d}


def cell_count(engine: Engine) -> int:
    """How many reported cells the hub holds (to show a second pass added nothing)."""
    with read_tx(engine) as conn:
        return len(conn.execute(select(count_cell.c.start_ts)).all())


def truth_hours(fleet: Fleet, start: int, end: int, line: int = 1) -> dict[int, tuple[int, int]]:
    """Visitors (in, out) of one line per UTC hour start, summed over the fleet."""
    hours: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for r in truth_rows(fleet, start, end):
        if r.line == line:
            cell = hours[r.minute_ts - r.minute_ts % 3600]
            cell[0] += r.in_
            cell[1] += r.out
    return {h: (a, b) for h, (a, b) in hours.items()}


def site_hours(engine: Engine, company_id: int, code: str, day: date) -> list[dict[str, Any]]:
    """The site's hourly report rows for one local day, after folding in new data."""
    refresh(engine)
    request = CountsRequest(company_id, Level.SITE, code, Interval.HOUR, day, day)
    now_ts = int(datetime.now(UTC).timestamp())
    with read_tx(engine) as conn:
        rows = report(conn, request, now_ts, Policy())
    for row in rows:
        row["utc_start"] = int(datetime.fromisoformat(row["start"]).timestamp())
    return rows
