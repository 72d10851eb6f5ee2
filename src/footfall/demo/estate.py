"""Build the demo estate: company, sites, counters, group, then 30 days of data and today.

Deterministic (one seed gives the same data) and idempotent (running it again creates no
second company, site or counter and stores no record twice: ingest deduplicates).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Connection, Engine

from footfall.demo.feed import Feed, FeedTotals, feed_counter
from footfall.demo.layout import COMPANY, DEFAULT_DAYS, DEFAULT_SEED, GROUP, SITES
from footfall.demo.records import OUTSIDE_LINE
from footfall.domain.records import LineKind
from footfall.estate.companies import create_company, find_company
from footfall.estate.counters import create_counter, find_counter
from footfall.estate.errors import NotFound
from footfall.estate.lines import list_lines, update_line
from footfall.estate.site_groups import create_site_group, list_site_groups
from footfall.estate.sites import create_site, find_site
from footfall.ingest.core import IngestCore
from footfall.storage.engine import write_tx

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class DemoEstate:
    """What the demo built: ids to report on, and what ingest said about the data."""

    company_id: int
    site_codes: list[str] = field(default_factory=list)
    counter_ids: dict[str, int] = field(default_factory=dict)  # serial → id
    totals: FeedTotals = field(default_factory=FeedTotals)


def ensure_estate(conn: Connection) -> DemoEstate:
    """Create whatever part of the demo estate is missing; leave existing parts alone."""
    try:
        company_id = find_company(conn, COMPANY)["id"]
    except NotFound:
        company_id = create_company(conn, COMPANY)["id"]
    built = DemoEstate(company_id)
    site_ids = []
    for spec in SITES:
        try:
            site_id = find_site(conn, company_id, spec.code)["id"]
        except NotFound:
            site_id = create_site(conn, company_id, spec.code, spec.name, spec.timezone,
                                  city=spec.city, country=spec.country, capacity=spec.capacity,
                                  opening_hours=spec.opening_hours)["id"]
        site_ids.append(site_id)
        built.site_codes.append(spec.code)
        for unit in spec.counters:
            try:
                row = find_counter(conn, company_id, unit.serial)
            except NotFound:
                row = create_counter(conn, company_id, unit.serial, unit.name, site_id,
                                     channel="device_api")
            built.counter_ids[unit.serial] = row["id"]
    if not any(g["name"] == GROUP for g in list_site_groups(conn, company_id)):
        create_site_group(conn, company_id, GROUP, site_ids)
    return built


def mark_outside_lines(conn: Connection, built: DemoEstate) -> None:
    """Line 2 of a street-facing counter counts passers-by (ingest creates lines as entrances)."""
    for spec in SITES:
        for unit in spec.counters:
            if not unit.outside_line:
                continue
            for row in list_lines(conn, built.company_id, built.counter_ids[unit.serial]):
                if row["roi_id"] == OUTSIDE_LINE and row["kind"] != LineKind.OUTSIDE:
                    update_line(conn, built.company_id, row["id"],
                                {"kind": LineKind.OUTSIDE.value, "name": "Street"})


def build_demo(engine: Engine, *, days: int = DEFAULT_DAYS, seed: int = DEFAULT_SEED,
               now: datetime | None = None, on_progress: Progress | None = None) -> DemoEstate:
    """Create the demo estate and ingest `days` days of history plus today so far."""
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("now must be a timezone-aware datetime")
    now_ts = int(moment.timestamp())
    with write_tx(engine) as conn:
        built = ensure_estate(conn)
    units = [(spec, unit) for spec in SITES for unit in spec.counters]
    total, done = len(units) * (days + 1), 0

    def step() -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, total)

    core = IngestCore(engine)
    try:
        feed = Feed(core, built.company_id)
        for spec, unit in units:
            feed_counter(feed, spec, unit, seed, now_ts, days, step)
        feed.flush()
    finally:
        core.close()
    with write_tx(engine) as conn:
        mark_outside_lines(conn, built)
    built.totals = feed.totals
    return built
