"""Turn dirty counter-hours into resolved local hours (`counter_hour`, `line_hour`).

Ingest marks the UTC hours it touched; this re-resolves the counter's local hours around
them with the precedence rules and stamps `revised_us` only where a value really changed,
which is what the changes API and `last_revised` report.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import and_, bindparam, delete, select, union
from sqlalchemy.engine import Connection, Engine

from footfall.domain.resolve import Resolved, resolve
from footfall.domain.timegrid import local_hour_edges, zone
from footfall.ingest.writer import mark_dirty
from footfall.rollup.inputs import load_cells, load_spans
from footfall.storage import dialect
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import (
    alive_span,
    count_cell,
    counter,
    counter_hour,
    dirty_hour,
    event,
    line_hour,
    site,
)

BATCH = 2_000


def refresh(engine: Engine, counter_ids: Collection[int] | None = None) -> int:
    """Roll up every pending counter-hour (of `counter_ids` only, if given); returns how many."""
    if not _pending(engine, counter_ids):
        return 0
    total = 0
    while True:
        with write_tx(engine) as conn:
            done = refresh_batch(conn, counter_ids, BATCH)
        total += done
        if done < BATCH:
            return total


def _pending(engine: Engine, counter_ids: Collection[int] | None) -> bool:
    # A read first: every report calls `refresh`, and mostly nothing is dirty; a write
    # transaction would queue behind ingest's writer for nothing (SQLite has one writer).
    if counter_ids is not None and not counter_ids:
        return False
    query = select(dirty_hour.c.counter_id)
    if counter_ids is not None:
        query = query.where(dirty_hour.c.counter_id.in_(sorted(counter_ids)))
    with read_tx(engine) as conn:
        return conn.execute(query.limit(1)).first() is not None


def refresh_batch(conn: Connection, counter_ids: Collection[int] | None, limit: int) -> int:
    """Roll up at most `limit` dirty counter-hours inside the caller's transaction."""
    query = select(dirty_hour.c.counter_id, dirty_hour.c.hour_ts, dirty_hour.c.gen)
    if counter_ids is not None:
        query = query.where(dirty_hour.c.counter_id.in_(sorted(counter_ids)))
    query = query.order_by(dirty_hour.c.counter_id, dirty_hour.c.hour_ts).limit(limit)
    rows = conn.execute(dialect.lock_for_work(conn, query)).all()
    if not rows:
        return 0
    hours: dict[int, list[int]] = defaultdict(list)
    for cid, hour, _gen in rows:
        hours[cid].append(hour)
    zones = _zones(conn, list(hours))
    now_us = time.time_ns() // 1000
    for cid, marked in hours.items():
        for a, b in _runs(marked):
            edges = local_hour_edges(zone(zones.get(cid, "UTC")), a, b)
            _rollup(conn, cid, edges, now_us)
    conn.execute(
        delete(dirty_hour).where(and_(
            dirty_hour.c.counter_id == bindparam("c"), dirty_hour.c.hour_ts == bindparam("h"),
            dirty_hour.c.gen == bindparam("g"))),
        [{"c": c, "h": h, "g": g} for c, h, g in rows],
    )
    return len(rows)


def _zones(conn: Connection, counter_ids: list[int]) -> dict[int, str]:
    rows = conn.execute(
        select(counter.c.id, site.c.timezone)
        .select_from(counter.outerjoin(site, counter.c.site_id == site.c.id))
        .where(counter.c.id.in_(counter_ids))
    )
    return {cid: tz or "UTC" for cid, tz in rows}


def _runs(marked: list[int]) -> list[tuple[int, int]]:
    runs: list[list[int]] = []
    for hour in sorted(marked):
        if runs and hour <= runs[-1][1]:
            runs[-1][1] = hour + 3600
        else:
            runs.append([hour, hour + 3600])
    return [(a, b) for a, b in runs]


def _rollup(conn: Connection, cid: int, edges: list[int], now_us: int) -> None:
    lo, hi = edges[0], edges[-1]
    cells = load_cells(conn, [cid], lo, hi)[cid]
    spans = load_spans(conn, [cid], lo, hi)[cid]
    resolved = resolve(edges, cells, spans)
    old_hours = {
        start: (length, covered) for start, length, covered in conn.execute(
            select(counter_hour.c.start_ts, counter_hour.c.length_s, counter_hour.c.covered_s)
            .where(counter_hour.c.counter_id == cid, counter_hour.c.start_ts >= lo,
                   counter_hour.c.start_ts < hi))
    }
    old_lines: dict[int, dict[int, tuple[int, int, int, int]]] = defaultdict(dict)
    for start, roi, a, b, c, d in conn.execute(
        select(line_hour.c.start_ts, line_hour.c.roi_id, line_hour.c.in_count,
               line_hour.c.out_count, line_hour.c.staff_in, line_hour.c.staff_out)
        .where(line_hour.c.counter_id == cid, line_hour.c.start_ts >= lo,
               line_hour.c.start_ts < hi)
    ):
        old_lines[start][roi] = (a, b, c, d)
    changed = [r for r in resolved if _differs(r, old_hours, old_lines)]
    stale = sorted(set(old_hours) - {r.start_ts for r in resolved})  # a zone change moved edges
    _write(conn, cid, changed, stale, now_us)


def _differs(r: Resolved, old_hours: dict, old_lines: dict) -> bool:
    if r.start_ts not in old_hours:
        return r.covered_s > 0 or bool(r.lines)
    return old_hours[r.start_ts] != (r.end_ts - r.start_ts, r.covered_s) or \
        old_lines.get(r.start_ts, {}) != r.lines


def _write(conn: Connection, cid: int, changed: list[Resolved], stale: list[int], now_us: int) -> None:
    gone = sorted({r.start_ts for r in changed} | set(stale))
    if gone:
        conn.execute(delete(line_hour).where(line_hour.c.counter_id == cid,
                                             line_hour.c.start_ts.in_(gone)))
    if stale:
        conn.execute(delete(counter_hour).where(counter_hour.c.counter_id == cid,
                                                counter_hour.c.start_ts.in_(stale)))
    if not changed:
        return
    conn.execute(
        dialect.upsert(conn, counter_hour, ["counter_id", "start_ts"],
                       ["length_s", "covered_s", "revised_us"]),
        [{"counter_id": cid, "start_ts": r.start_ts, "length_s": r.end_ts - r.start_ts,
          "covered_s": r.covered_s, "revised_us": now_us} for r in changed],
    )
    line_rows = [
        {"counter_id": cid, "start_ts": r.start_ts, "roi_id": roi, "in_count": t[0],
         "out_count": t[1], "staff_in": t[2], "staff_out": t[3]}
        for r in changed for roi, t in sorted(r.lines.items())
    ]
    if line_rows:
        conn.execute(line_hour.insert(), line_rows)


def restate_counter(conn: Connection, counter_id: int) -> None:
    """Queue all of a counter's data for re-aggregation (its site or zone or lines changed)."""
    hour = lambda column: column - column % 3600  # noqa: E731
    starts = union(
        select(hour(event.c.start_ts).label("h")).where(event.c.counter_id == counter_id),
        select(hour(count_cell.c.start_ts).label("h")).where(count_cell.c.counter_id == counter_id),
        select(hour(alive_span.c.start_ts).label("h")).where(alive_span.c.counter_id == counter_id),
        select(counter_hour.c.start_ts - counter_hour.c.start_ts % 3600)
        .where(counter_hour.c.counter_id == counter_id),
    )
    marked = {int(h) for (h,) in conn.execute(select(starts.subquery().c.h))}
    for start, end in conn.execute(select(alive_span.c.start_ts, alive_span.c.end_ts)
                                   .where(alive_span.c.counter_id == counter_id)):
        marked.update(range(start - start % 3600, end, 3600))
    if marked:
        mark_dirty(conn, {(counter_id, h) for h in marked})
