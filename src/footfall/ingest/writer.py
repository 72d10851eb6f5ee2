"""Write one group of submissions in one transaction: the only place ingest touches tables."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from operator import attrgetter, itemgetter
from typing import NamedTuple

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from footfall.domain.records import Event, LineDirection, LineKind
from footfall.domain.resolve import merge_spans
from footfall.ingest.batch import IngestResult, Submission
from footfall.ingest.counter_ids import CounterIds, CounterKey
from footfall.storage import dialect
from footfall.storage.tables import (
    alive_span,
    connection_check,
    count_cell,
    counter,
    dirty_hour,
    event,
    line,
)

CellKey = tuple[int, int, int, int, str]  # counter id, start, roi, length, source
LAST_SEEN_EVERY_S = 30
MAX_SPAN_LOOKBACK_S = 31 * 86400


# An `Event` is stored as its counter's id, its other fields, and when it was received.
EVENT_FIELDS = Event._fields[1:]
EVENT_COLUMNS = ("counter_id", *EVENT_FIELDS, "received_ts")
EVENT_KEY = ("counter_id", "start_ts", "identity")  # the table's unique key
_SERIAL, _ROI, _START = (itemgetter(Event._fields.index(f)) for f in ("serial", "roi_id", "start_ts"))
# A reported count is stored under its cell's key (`CellKey` order) with its values.
CELL_KEY = ("counter_id", "start_ts", "roi_id", "length_s", "source")
CELL_VALUES = ("in_count", "out_count", "staff_in", "staff_out")
CELL_COLUMNS = (*CELL_KEY, *CELL_VALUES, "received_ts")
_COUNT_SERIAL = attrgetter("serial")


@dataclass(slots=True)
class _Share:
    """One counter's events within one submission of a group."""

    index: int
    company_id: int
    counter_id: int
    site_id: int | None
    events: list[Event]

    @property
    def unassigned(self) -> bool:
        """The counter belongs to no site yet."""
        return self.site_id is None

    def lines(self) -> set[tuple[int, int]]:
        """The (counter, RoiId) pairs these events mention."""
        counter_id = self.counter_id
        return {(counter_id, roi) for roi in set(map(_ROI, self.events))}


def _hours(counter_id: int, events: list[Event]) -> set[tuple[int, int]]:
    """The (counter, UTC hour) pairs one counter's events touch."""
    first = min(map(_START, events))
    first -= first % 3600
    if max(map(_START, events)) < first + 3600:  # the usual case, at C speed
        return {(counter_id, first)}
    return {(counter_id, t - t % 3600) for t in map(_START, events)}


def _claim(share: _Share, stored: set[tuple[int, int, str]]) -> list[Event]:
    """The share's events among the `stored` keys, each key claimed by its first event."""
    claimed = []
    counter_id = share.counter_id
    for e in share.events:
        key = (counter_id, e.start_ts, e.identity)
        if key in stored:
            stored.discard(key)
            claimed.append(e)
    return claimed


def _shares(group: list[Submission], serials: list[set[str]],
            counters: dict[CounterKey, tuple[int, int | None]]) -> list[_Share]:
    """Split each submission's events by counter (almost always one counter each)."""
    shares = []
    for index, (s, its) in enumerate(zip(group, serials, strict=True)):
        events = s.events
        if not events:
            continue
        split = [events] if len(its) == 1 else [
            [e for e in events if e.serial == one] for one in sorted(its)]
        for part in split:
            counter_id, site_id = counters[(s.company_id, part[0].serial)]
            shares.append(_Share(index, s.company_id, counter_id, site_id, part))
    return shares


def mark_dirty(conn: Connection, marks: set[tuple[int, int]]) -> None:
    """Queue (counter, UTC hour) pairs for rollup; a new generation if already queued."""
    dialect.insert_rows(
        conn, dirty_hour, ("counter_id", "hour_ts", "gen"),
        [(c, h, 1) for c, h in sorted(marks)],
        conflict="ON CONFLICT (counter_id, hour_ts) DO UPDATE SET gen = dirty_hour.gen + 1",
    )


def hours_of(start_ts: int, end_ts: int) -> range:
    """The UTC-floored hours that [start_ts, end_ts) touches (an instant touches its hour)."""
    first = start_ts - start_ts % 3600
    return range(first, max(end_ts, start_ts + 1), 3600)


class Stored(NamedTuple):
    """Events newly stored for one counter by a committed group (for live listeners)."""

    company_id: int
    counter_id: int
    site_id: int | None
    events: list[Event]


class Writer:
    """Writes groups; remembers which lines exist and when counters were last marked seen."""

    def __init__(self) -> None:
        self.stored: list[Stored] = []  # of the last group written
        self._known_lines: set[tuple[int, int]] = set()
        self._pending_lines: set[tuple[int, int]] = set()
        self._last_seen: dict[int, int] = {}
        self._counter_ids = CounterIds()

    def committed(self) -> None:
        """The group's transaction committed: its new lines and counters now exist."""
        self._known_lines |= self._pending_lines
        self._pending_lines.clear()
        self._counter_ids.committed()

    def rolled_back(self) -> None:
        """The group's transaction failed: forget what it would have created."""
        self._pending_lines.clear()
        self._counter_ids.rolled_back()

    def write(self, conn: Connection, group: list[Submission], now_ts: int) -> list[IngestResult]:
        """Store every record of the group; returns one result per submission, in order."""
        results = [IngestResult(errors=list(s.errors), checks=len(s.checks)) for s in group]
        self.stored = []
        now = datetime.fromtimestamp(now_ts, UTC)
        serials = [set(map(_SERIAL, s.events)) for s in group]  # the counters events speak for
        counters = self._counters(conn, group, serials, now)
        shares = _shares(group, serials, counters)
        dirty: set[tuple[int, int]] = set()
        self._lines(conn, group, shares, counters)
        self._events(conn, shares, results, dirty, now_ts)
        self._counts(conn, group, counters, results, dirty, now_ts)
        self._spans(conn, group, counters, results, dirty)
        self._checks(conn, group, counters, now)
        if dirty:
            mark_dirty(conn, dirty)
        self._touch(conn, {cid for cid, _site in counters.values()}, now, now_ts)
        return results

    def _counters(
        self, conn: Connection, group: list[Submission], serials: list[set[str]], now: datetime
    ) -> dict[CounterKey, tuple[int, int | None]]:
        wanted: dict[int, set[str]] = defaultdict(set)
        for s, its in zip(group, serials, strict=True):
            named = wanted[s.company_id]
            named |= its
            named.update(map(_COUNT_SERIAL, s.counts))
            named.update(map(_COUNT_SERIAL, s.spans))
            named.update(c.serial for c in s.checks if c.serial)
        return self._counter_ids.find(conn, wanted, now)

    def _lines(self, conn: Connection, group: list[Submission], shares: list[_Share],
               counters: dict[CounterKey, tuple[int, int | None]]) -> None:
        seen: set[tuple[int, int]] = set()
        for share in shares:
            seen |= share.lines()
        for s in group:
            if s.counts:
                seen.update((counters[(s.company_id, serial)][0], roi)
                            for serial, roi in {(c.serial, c.roi_id) for c in s.counts})
        new = seen - self._known_lines
        if new:
            conn.execute(
                dialect.insert_ignore(conn, line, ["counter_id", "roi_id"]),
                [{"counter_id": c, "roi_id": r, "kind": LineKind.ENTRANCE.value,
                  "direction": LineDirection.NORMAL.value, "name": f"Line {r}"}
                 for c, r in sorted(new)],
            )
            self._pending_lines |= new

    def _events(self, conn: Connection, shares: list[_Share], results: list[IngestResult],
                dirty: set[tuple[int, int]], now_ts: int) -> None:
        if not shares:
            return
        by_company: dict[int, list[Event]] = defaultdict(list)
        for share in shares:
            by_company[share.company_id].extend(share.events)
        ids = _ids_by_company(shares)
        # Live streams rarely re-send: the keys stored come back only when some row was not
        # new (stored before, or repeated within the group: the first of a repeat is stored).
        stored_keys: dict[int, set[tuple[int, int, str]]] = {}
        for company_id, events in by_company.items():
            new = dialect.insert_new_by_serial(conn, event, EVENT_FIELDS, events, ids[company_id],
                                               now_ts, EVENT_KEY)
            if new is not None:
                stored_keys[company_id] = set(new)
        stored = self.stored
        for share in shares:
            result, events = results[share.index], share.events
            keys = stored_keys.get(share.company_id)
            if keys is not None:
                events = _claim(share, keys)
                result.duplicates += len(share.events) - len(events)
                if not events:
                    continue
            result.accepted += len(events)
            if share.unassigned:
                result.unassigned += len(events)
            dirty |= _hours(share.counter_id, events)
            stored.append(Stored(share.company_id, share.counter_id, share.site_id, events))

    def _counts(self, conn: Connection, group: list[Submission],
                counters: dict[CounterKey, tuple[int, int | None]],
                results: list[IngestResult], dirty: set[tuple[int, int]], now_ts: int) -> None:
        # The last report of a cell wins: a re-sent interval replaces, never adds.
        latest: dict[CellKey, tuple[int, bool, tuple]] = {}  # → (submission, unassigned, row)
        for index, s in enumerate(group):
            if not s.counts:
                continue
            ids = {serial: counters[(s.company_id, serial)] for serial in set(map(_COUNT_SERIAL, s.counts))}
            for c in s.counts:
                counter_id, site_id = ids[c.serial]
                row = (counter_id, c.start_ts, c.roi_id, c.length_s, c.source, c.in_count, c.out_count,
                       c.staff_in, c.staff_out, now_ts)
                key = row[:5]
                replaced = latest.get(key)
                if replaced is not None:
                    results[replaced[0]].accepted += 1  # replaced within this group
                latest[key] = (index, site_id is None, row)
        if latest:
            for key, (index, unassigned) in _changed_cells(conn, latest).items():
                result = results[index]
                if unassigned is None:
                    result.duplicates += 1
                    continue
                result.accepted += 1
                result.unassigned += unassigned
                counter_id, start, _roi, length, _source = key
                hour = start - start % 3600
                if start + length <= hour + 3600:  # the usual case: inside one hour
                    dirty.add((counter_id, hour))
                else:
                    dirty.update((counter_id, h) for h in hours_of(start, start + length))

    def _spans(self, conn: Connection, group: list[Submission],
               counters: dict[CounterKey, tuple[int, int | None]],
               results: list[IngestResult], dirty: set[tuple[int, int]]) -> None:
        by_counter: dict[tuple[int, str], list[tuple[int, tuple[int, int]]]] = defaultdict(list)
        for index, s in enumerate(group):
            for span in s.spans:
                counter_id = counters[(s.company_id, span.serial)][0]
                by_counter[(counter_id, span.source)].append((index, (span.start_ts, span.end_ts)))
        for (counter_id, source), items in by_counter.items():
            low = min(a for _i, (a, _b) in items)
            high = max(b for _i, (_a, b) in items)
            existing = conn.execute(
                select(alive_span.c.id, alive_span.c.start_ts, alive_span.c.end_ts).where(
                    alive_span.c.counter_id == counter_id, alive_span.c.source == source,
                    alive_span.c.start_ts <= high, alive_span.c.end_ts >= low,
                    alive_span.c.start_ts >= low - MAX_SPAN_LOOKBACK_S,
                )
            ).all()
            old = merge_spans((a, b) for _id, a, b in existing)
            for index, (a, b) in items:
                if any(x <= a and b <= y for x, y in old):
                    results[index].duplicates += 1
                else:
                    results[index].accepted += 1
                    dirty.update((counter_id, h) for h in hours_of(a, b))
            merged = merge_spans([*old, *(span for _i, span in items)])
            if merged == old and len(existing) == len(old):
                continue
            if existing:
                conn.execute(delete(alive_span).where(alive_span.c.id.in_([r[0] for r in existing])))
            conn.execute(alive_span.insert(), [
                {"counter_id": counter_id, "source": source, "start_ts": a, "end_ts": b}
                for a, b in merged
            ])

    def _checks(self, conn: Connection, group: list[Submission],
                counters: dict[CounterKey, tuple[int, int | None]], now: datetime) -> None:
        rows = [
            {"company_id": s.company_id, "serial": c.serial or "", "channel": s.channel,
             "received_at": now}
            for s in group for c in s.checks
        ]
        if not rows:
            return
        conn.execute(connection_check.insert(), rows)
        ids = {counters[(s.company_id, c.serial)][0] for s in group for c in s.checks if c.serial}
        if ids:
            conn.execute(update(counter).where(counter.c.id.in_(sorted(ids)))
                         .values(last_check_at=now))

    def _touch(self, conn: Connection, counter_ids: set[int], now: datetime, now_ts: int) -> None:
        stale = sorted(c for c in counter_ids
                       if now_ts - self._last_seen.get(c, 0) >= LAST_SEEN_EVERY_S)
        if stale:
            conn.execute(update(counter).where(dialect.among(conn, counter.c.id, stale))
                         .values(last_seen_at=now))
            self._last_seen.update(dict.fromkeys(stale, now_ts))


def _changed_cells(conn: Connection, latest: dict[CellKey, tuple[int, bool, tuple]]
                   ) -> dict[CellKey, tuple[int, bool | None]]:
    """Upsert the cells; each key → (submission, unassigned), or (submission, None) if unchanged."""
    rows = [row for _i, _u, row in latest.values()]
    upsert = partial(dialect.upsert_rows, conn, count_cell, CELL_COLUMNS, rows, keys=CELL_KEY,
                     update=(*CELL_VALUES, "received_ts"), only_if_changed_in=CELL_VALUES)
    # A pull is usually all new or an identical re-send: the count of rows changed tells
    # which, and only a mix is redone, returning the cells that changed.
    with conn.begin_nested() as savepoint:
        changed, _ = upsert()
        if 0 < changed < len(rows):
            savepoint.rollback()
    if changed == len(rows):
        return {key: (index, unassigned) for key, (index, unassigned, _row) in latest.items()}
    if changed == 0:
        return {key: (index, None) for key, (index, _u, _row) in latest.items()}
    stored = set(upsert(returning=CELL_KEY)[1])
    return {key: (index, unassigned if key in stored else None)
            for key, (index, unassigned, _row) in latest.items()}


def _ids_by_company(shares: list[_Share]) -> dict[int, dict[str, int]]:
    """Company → serial → counter id, for the serials of these shares."""
    ids: dict[int, dict[str, int]] = defaultdict(dict)
    for share in shares:
        ids[share.company_id][share.events[0].serial] = share.counter_id
    return ids
