"""Turn dirty counter-hours into resolved local hours (`counter_hour`, `line_hour`).

Ingest marks the UTC hours it touched; this re-resolves the counters' local hours around
them with the precedence rules. A batch takes the earliest dirty hours of all counters and
reads each slice of time once for all of them (see `stretches`): raw events are keyed time
first, so a read per counter would scan every counter's events of its hours again.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import and_, bindparam, delete, select, union
from sqlalchemy.engine import Connection, Engine

from footfall.domain.resolve import Cell, resolve
from footfall.ingest.writer import hours_of, mark_dirty
from footfall.rollup.inputs import load_cells, load_spans
from footfall.rollup.outputs import Revision, StoredHours
from footfall.rollup.stretches import Stretch, slices, stretches
from footfall.storage import dialect
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import (
    alive_span,
    count_cell,
    counter,
    counter_hour,
    dirty_hour,
    site,
)

BATCH = 2_000
# PostgreSQL advisory locks of the rollup: this class in the key's high half, a counter id in the low.
ROLLUP_LOCKS = 0x524F4C4C << 32


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
    """Roll up at most `limit` dirty counter-hours, earliest first, in the caller's transaction."""
    query = select(dirty_hour.c.counter_id, dirty_hour.c.hour_ts, dirty_hour.c.gen)
    if counter_ids is not None:
        query = query.where(dirty_hour.c.counter_id.in_(sorted(counter_ids)))
    query = query.order_by(dirty_hour.c.hour_ts, dirty_hour.c.counter_id).limit(limit)
    rows = conn.execute(dialect.lock_for_work(conn, query)).all()
    if not rows:
        return 0
    hours: dict[int, list[int]] = defaultdict(list)
    for cid, hour, _gen in rows:
        hours[cid].append(hour)
    work = stretches(hours, _zones(conn, list(hours)))
    _hold(conn, work)
    _rollup(conn, work, time.time_ns() // 1000)
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
        .where(dialect.among(conn, counter.c.id, counter_ids))
    )
    return {cid: tz or "UTC" for cid, tz in rows}


def _hold(conn: Connection, work: list[Stretch]) -> None:
    """Wait until no other PostgreSQL worker rolls up the counters of widened stretches.

    The dirty rows a worker took are locked, so the local hours inside them are its own; but
    a widened stretch (a zone off the whole hour) also re-resolves the part of a local hour
    outside them, which a concurrent batch holding the neighbouring dirty hour resolves too.
    Both would write that hour: the later one's lines would collide with the earlier's, or
    counts read in an older snapshot would overwrite newer ones. Taken in key order, these
    locks cannot deadlock; SQLite has a single writer anyway.
    """
    keys = sorted({ROLLUP_LOCKS | (s.counter_id & 0xFFFFFFFF) for s in work if s.widened})
    dialect.hold_locks(conn, keys)


def _rollup(conn: Connection, work: list[Stretch], now_us: int) -> None:
    """Re-resolve the stretches' local hours; write only the hours whose values changed."""
    cells: dict[int, list[Cell]] = defaultdict(list)
    spans: dict[int, set[tuple[int, int]]] = defaultdict(set)
    stored = StoredHours()
    for cut in slices(work):
        for cid, found in load_cells(conn, cut.counter_ids, cut.lo, cut.hi).items():
            cells[cid].extend(found)
        for cid, alive in load_spans(conn, cut.counter_ids, cut.lo, cut.hi).items():
            spans[cid].update(alive)  # a span across slices is read by each
        stored.load(conn, cut.counter_ids, cut.lo, cut.hi)
    revision = Revision()
    for s in work:
        stored.revise(s.counter_id, resolve(s.edges, cells[s.counter_id], spans[s.counter_id]),
                      revision)
    revision.write(conn, now_us)


def restate_counter(conn: Connection, counter_id: int) -> None:
    """Queue all of a counter's data for re-aggregation (its site or zone or lines changed).

    Its raw events are not read: keyed time first, finding one counter's would scan them all.
    Every UTC hour holding one of its events is still dirty or lies in a stored local hour:
    a rollup stores every hour with a live minute in it (edges are whole minutes since
    `EARLIEST_TS`, so each minute falls in one hour). One statement reads them all, so a
    rollup committing meanwhile cannot slip an hour between the dirty and the stored ones.
    """
    def hour(column):  # type: ignore[no-untyped-def]
        return column - column % 3600

    spans = union(
        select(dirty_hour.c.hour_ts.label("a"), (dirty_hour.c.hour_ts + 1).label("b"))
        .where(dirty_hour.c.counter_id == counter_id),
        select(counter_hour.c.start_ts, counter_hour.c.start_ts + counter_hour.c.length_s)
        .where(counter_hour.c.counter_id == counter_id),
        select(hour(count_cell.c.start_ts), hour(count_cell.c.start_ts) + 1)
        .where(count_cell.c.counter_id == counter_id),
        select(alive_span.c.start_ts, alive_span.c.end_ts).where(alive_span.c.counter_id == counter_id),
    ).subquery()
    marked = {(counter_id, h) for a, b in conn.execute(select(spans.c.a, spans.c.b))
              for h in hours_of(a, b)}
    if marked:
        mark_dirty(conn, marked)
