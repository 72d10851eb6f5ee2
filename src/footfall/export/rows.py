"""Report rows of an export, item by item and chunk of dates by chunk: memory stays bounded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from footfall.domain.timegrid import Interval, range_edges
from footfall.domain.verification import Policy
from footfall.export.items import Item, resolve_items
from footfall.export.request import ExportRequest
from footfall.query.counts import CountsRequest, counter_ids, report
from footfall.query.scope import Level
from footfall.rollup.refresher import refresh
from footfall.storage.engine import read_tx

# Days per report call: a few thousand rows per counter, whole weeks and months kept whole.
CHUNK_DAYS = {Interval.MINUTE: 2, Interval.QUARTER: 14, Interval.HOUR: 62, Interval.DAY: 366,
              Interval.WEEK: 52 * 7, Interval.MONTH: 0}
CHUNK_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Plan:
    """The resolved export: items and date chunks (inclusive first, last)."""

    items: list[Item]
    chunks: list[tuple[date, date]]

    @property
    def steps(self) -> int:
        """Report calls the export makes (for progress)."""
        return len(self.items) * len(self.chunks)


def date_chunks(first: date, last: date, interval: Interval) -> list[tuple[date, date]]:
    """Split first..last into report ranges that never cut a week or month bucket."""
    start, end = range_edges(first, last, interval)  # end exclusive
    chunks = []
    while start < end:
        if interval is Interval.MONTH:
            month = start.month - 1 + CHUNK_MONTHS
            stop = min(end, date(start.year + month // 12, month % 12 + 1, 1))
        else:
            stop = min(end, start + timedelta(days=CHUNK_DAYS[interval]))
        chunks.append((max(start, first), min(stop - timedelta(days=1), last)))
        start = stop
    return chunks


def in_window(rows: list[dict[str, Any]], start: int, end: int) -> list[dict[str, Any]]:
    """The rows whose bucket starts in [start, end); labelled (multi-zone) rows are kept."""
    return [r for r in rows if _within(r["start"], start, end)]


def _within(bucket_start: str, start: int, end: int) -> bool:
    try:
        moment = datetime.fromisoformat(bucket_start)
    except ValueError:
        return True
    if moment.tzinfo is None:  # a site group's wall-clock label for sites whose zones differ
        return True
    return start <= moment.timestamp() < end


def plan(engine: Engine, request: ExportRequest) -> Plan:
    """Resolve the items (ItemNotFound for a foreign or unknown id) and the date chunks."""
    with read_tx(engine) as conn:
        items = resolve_items(conn, request.company_id, request.level, request.ids)
    return Plan(items, date_chunks(request.first, request.last, Interval(request.interval)))


def _counts_request(request: ExportRequest, item: Item, first: date, last: date) -> CountsRequest:
    return CountsRequest(request.company_id, Level(request.level), str(item.id),
                         Interval(request.interval), first, last)


def refresh_rollups(engine: Engine, request: ExportRequest, export_plan: Plan) -> int:
    """Fold pending ingests of every counter behind the items into the rollups first."""
    ids: set[int] = set()
    with read_tx(engine) as conn:
        for item in export_plan.items:
            ids |= counter_ids(conn, _counts_request(request, item, request.first, request.first))
    return refresh(engine, ids) if ids else 0


def iter_chunks(engine: Engine, request: ExportRequest, export_plan: Plan, now_ts: int,
                policy: Policy) -> Iterator[tuple[Item, list[dict[str, Any]]]]:
    """Each item's report rows, one chunk of dates at a time (one short transaction each)."""
    for item in export_plan.items:
        for first, last in export_plan.chunks:
            with read_tx(engine) as conn:
                rows = report(conn, _counts_request(request, item, first, last), now_ts, policy)
            if request.window is not None:
                rows = in_window(rows, *request.window)
            yield item, rows
            del rows  # never hold two chunks: the next report is built without this one
