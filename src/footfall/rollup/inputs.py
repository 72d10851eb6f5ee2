"""Load counters' raw inputs over a time range as resolver cells and alive spans, per counter."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.engine import Connection

from footfall.domain.resolve import Cell
from footfall.domain.sources import LIVE
from footfall.storage import dialect
from footfall.storage.tables import alive_span, count_cell, event

MAX_SPAN_S = 31 * 86400


def events_of(conn: Connection, counter_ids: Sequence[int]) -> ColumnElement[bool]:
    """Which events are of `counter_ids`, tested within one pass over a time range of `event`.

    Events are keyed time first (start_ts, counter_id, identity). Before version 17,
    PostgreSQL makes `counter_id = ANY(ids)` an index condition scanned once per id, each
    time over the whole range; `counter_id + 0` cannot be one, so the range is read once
    and the ids filter it. A single id stays an index condition: its one pass skips the
    other counters' entries without fetching their rows.
    """
    if len(counter_ids) == 1:
        return event.c.counter_id == counter_ids[0]
    return dialect.among(conn, event.c.counter_id + 0, counter_ids)


def _tally(metric: int, people_type: int):  # type: ignore[no-untyped-def]
    hit = and_(event.c.metric == metric, event.c.people_type == people_type)
    return func.sum(case((hit, 1), else_=0))


def load_cells(conn: Connection, counter_ids: Sequence[int], lo: int, hi: int) -> dict[int, list[Cell]]:
    """Reported cells and per-minute live cells starting in [lo, hi), per counter.

    Every counter's events in [lo, hi) are read once, however many counters are asked for.
    """
    cells: dict[int, list[Cell]] = {c: [] for c in counter_ids}
    reported = conn.execute(
        select(count_cell.c.counter_id, count_cell.c.roi_id, count_cell.c.source,
               count_cell.c.start_ts, count_cell.c.length_s, count_cell.c.in_count,
               count_cell.c.out_count, count_cell.c.staff_in, count_cell.c.staff_out)
        .where(dialect.among(conn, count_cell.c.counter_id, counter_ids),
               count_cell.c.start_ts >= lo, count_cell.c.start_ts < hi)
    )
    for cid, roi, source, start, length, a, b, c, d in reported:
        cells[cid].append(Cell(roi, source, start, length, a, b, c, d))
    minute = event.c.start_ts - event.c.start_ts % 60
    live = conn.execute(
        select(event.c.counter_id, event.c.roi_id, minute.label("minute"),
               _tally(1, 1), _tally(2, 1), _tally(1, 2), _tally(2, 2))
        .where(events_of(conn, counter_ids), event.c.start_ts >= lo, event.c.start_ts < hi)
        .group_by(event.c.counter_id, event.c.roi_id, minute)
    )
    for cid, roi, start, a, b, c, d in live:
        cells[cid].append(Cell(roi, LIVE, int(start), 60, int(a), int(b), int(c), int(d)))
    return cells


def load_spans(conn: Connection, counter_ids: Sequence[int], lo: int,
               hi: int) -> dict[int, list[tuple[int, int]]]:
    """Alive spans overlapping [lo, hi), per counter."""
    spans: dict[int, list[tuple[int, int]]] = {c: [] for c in counter_ids}
    rows = conn.execute(
        select(alive_span.c.counter_id, alive_span.c.start_ts, alive_span.c.end_ts)
        .where(dialect.among(conn, alive_span.c.counter_id, counter_ids), alive_span.c.start_ts < hi,
               alive_span.c.start_ts >= lo - MAX_SPAN_S, alive_span.c.end_ts > lo)
    )
    for cid, a, b in rows:
        spans[cid].append((a, b))
    return spans
