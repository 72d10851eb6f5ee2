"""Write one group of submissions in one transaction: the only place ingest touches tables."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import and_, delete, select, update
from sqlalchemy.engine import Connection

from footfall.domain.records import Event, LineDirection, LineKind
from footfall.domain.resolve import merge_spans
from footfall.ingest.batch import IngestResult, Submission
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

CounterKey = tuple[int, str]  # company id, serial
CellKey = tuple[int, int, int, int, str]  # counter id, start, roi, length, source
LAST_SEEN_EVERY_S = 30
MAX_SPAN_LOOKBACK_S = 31 * 86400


# The counter id, then an `Event` without its serial, then the time it was received.
EVENT_COLUMNS = ("counter_id", *Event._fields[1:], "received_ts")
EVENT_START = EVENT_COLUMNS.index("start_ts")
EVENT_IDENTITY = EVENT_COLUMNS.index("identity")


def _share(index: int, events: list[Event], found: tuple[int, int | None], rows: list[tuple],
           tail: tuple[int]) -> tuple[int, int, int, set[tuple[int, int]]]:
    """Append one counter's events of a submission to `rows`; its share of the result."""
    counter_id, site_id = found
    head = (counter_id,)
    rows.extend([head + e[1:] + tail for e in events])
    hours = {(counter_id, e.start_ts - e.start_ts % 3600) for e in events}
    return index, len(events), len(events) if site_id is None else 0, hours


def mark_dirty(conn: Connection, marks: set[tuple[int, int]]) -> None:
    """Queue (counter, UTC hour) pairs for rollup; a new generation if already queued."""
    dialect.insert_many(
        conn, dirty_hour, ("counter_id", "hour_ts", "gen"),
        [(c, h, 1) for c, h in sorted(marks)],
        conflict="ON CONFLICT (counter_id, hour_ts) DO UPDATE SET gen = dirty_hour.gen + 1",
    )


def hours_of(start_ts: int, end_ts: int) -> range:
    """The UTC-floored hours that [start_ts, end_ts) touches (an instant touches its hour)."""
    first = start_ts - start_ts % 3600
    return range(first, max(end_ts, start_ts + 1), 3600)


class Writer:
    """Writes groups; remembers which lines exist and when counters were last marked seen."""

    def __init__(self) -> None:
        self._known_lines: set[tuple[int, int]] = set()
        self._pending_lines: set[tuple[int, int]] = set()
        self._last_seen: dict[int, int] = {}

    def committed(self) -> None:
        """The group's transaction committed: its new lines now exist."""
        self._known_lines |= self._pending_lines
        self._pending_lines.clear()

    def rolled_back(self) -> None:
        """The group's transaction failed: forget what it would have created."""
        self._pending_lines.clear()

    def write(self, conn: Connection, group: list[Submission], now_ts: int) -> list[IngestResult]:
        """Store every record of the group; returns one result per submission, in order."""
        results = [IngestResult(errors=list(s.errors), checks=len(s.checks)) for s in group]
        now = datetime.fromtimestamp(now_ts, UTC)
        counters = self._counters(conn, group, now)
        dirty: set[tuple[int, int]] = set()
        self._lines(conn, group, counters)
        self._events(conn, group, counters, results, dirty, now_ts)
        self._counts(conn, group, counters, results, dirty, now_ts)
        self._spans(conn, group, counters, results, dirty)
        self._checks(conn, group, counters, now)
        if dirty:
            mark_dirty(conn, dirty)
        self._touch(conn, {cid for cid, _site in counters.values()}, now, now_ts)
        return results

    def _counters(
        self, conn: Connection, group: list[Submission], now: datetime
    ) -> dict[CounterKey, tuple[int, int | None]]:
        wanted: dict[int, set[str]] = defaultdict(set)
        for s in group:
            records: Iterable = (*s.events, *s.counts, *s.spans)
            wanted[s.company_id].update(r.serial for r in records)
            wanted[s.company_id].update(c.serial for c in s.checks if c.serial)
        found: dict[CounterKey, tuple[int, int | None]] = {}
        for company_id, serials in wanted.items():
            found.update(_lookup(conn, company_id, serials))
            missing = sorted(s for s in serials if (company_id, s) not in found)
            if missing:
                # Unknown serials are kept as unassigned counters, never dropped.
                conn.execute(
                    dialect.insert_ignore(conn, counter, ["company_id", "serial"]),
                    [{"company_id": company_id, "serial": s, "active": True,
                      "first_seen_at": now, "created_at": now} for s in missing],
                )
                found.update(_lookup(conn, company_id, set(missing)))
        return found

    def _lines(self, conn: Connection, group: list[Submission],
               counters: dict[CounterKey, tuple[int, int | None]]) -> None:
        seen = {
            (counters[(s.company_id, r.serial)][0], r.roi_id)
            for s in group for r in (*s.events, *s.counts)
        }
        new = seen - self._known_lines
        if new:
            conn.execute(
                dialect.insert_ignore(conn, line, ["counter_id", "roi_id"]),
                [{"counter_id": c, "roi_id": r, "kind": LineKind.ENTRANCE.value,
                  "direction": LineDirection.NORMAL.value, "name": f"Line {r}"}
                 for c, r in sorted(new)],
            )
            self._pending_lines |= new

    def _events(self, conn: Connection, group: list[Submission],
                counters: dict[CounterKey, tuple[int, int | None]],
                results: list[IngestResult], dirty: set[tuple[int, int]], now_ts: int) -> None:
        rows: list[tuple] = []
        # Per submission: (index, rows it added, rows of unassigned counters, dirty hours).
        shares: list[tuple[int, int, int, set[tuple[int, int]]]] = []
        tail = (now_ts,)
        for index, s in enumerate(group):
            events = s.events
            if not events:
                continue
            serials = {e.serial for e in events}
            if len(serials) > 1:  # a connector batch of several counters: one share each
                for one in sorted(serials):
                    rows_of = [e for e in events if e.serial == one]
                    shares.append(_share(index, rows_of, counters[(s.company_id, one)], rows, tail))
            else:
                shares.append(_share(index, events, counters[(s.company_id, events[0].serial)], rows, tail))
        if not rows:
            return
        conflict = "ON CONFLICT (counter_id, start_ts, identity) DO NOTHING"
        if len({row[EVENT_IDENTITY] for row in rows}) == len(rows):
            # Live streams rarely re-send: insert without RETURNING and only look closer
            # when some rows were already stored (then redo it, accounting row by row).
            with conn.begin_nested() as savepoint:
                inserted = dialect.insert_counted(conn, event, EVENT_COLUMNS, rows, conflict)
                if inserted < len(rows):
                    savepoint.rollback()
            if inserted == len(rows):
                for index, added, unassigned, hours in shares:
                    results[index].accepted += added
                    results[index].unassigned += unassigned
                    dirty |= hours
                return
        orphans = {cid for cid, site_id in counters.values() if site_id is None}
        self._events_with_resends(conn, rows, shares, orphans, results, dirty, conflict)

    def _events_with_resends(self, conn: Connection, rows: list[tuple],
                             shares: list[tuple[int, int, int, set[tuple[int, int]]]],
                             orphans: set[int], results: list[IngestResult],
                             dirty: set[tuple[int, int]], conflict: str) -> None:
        # identity → (submission index, row); a repeat inside the group is a duplicate.
        owner: dict[str, tuple[int, tuple]] = {}
        unique: list[tuple] = []
        position = 0
        for index, added, _unassigned, _hours in shares:
            for row in rows[position:position + added]:
                if row[EVENT_IDENTITY] in owner:
                    results[index].duplicates += 1
                    continue
                owner[row[EVENT_IDENTITY]] = (index, row)
                unique.append(row)
            position += added
        for (identity,) in dialect.insert_many(conn, event, EVENT_COLUMNS, unique, conflict,
                                               returning=("identity",)):
            index, row = owner.pop(identity)
            results[index].accepted += 1
            results[index].unassigned += row[0] in orphans
            dirty.add((row[0], row[EVENT_START] - row[EVENT_START] % 3600))
        for index, _row in owner.values():
            results[index].duplicates += 1  # already stored before this group

    def _counts(self, conn: Connection, group: list[Submission],
                counters: dict[CounterKey, tuple[int, int | None]],
                results: list[IngestResult], dirty: set[tuple[int, int]], now_ts: int) -> None:
        # The last report of a key wins: a re-sent interval replaces, never adds.
        latest: dict[CellKey, tuple[int, bool, dict]] = {}
        for index, s in enumerate(group):
            for c in s.counts:
                counter_id, site_id = counters[(s.company_id, c.serial)]
                key = (counter_id, c.start_ts, c.roi_id, c.length_s, c.source)
                if key in latest:
                    results[latest[key][0]].accepted += 1  # replaced within this group
                latest[key] = (index, site_id is None, {
                    "counter_id": counter_id, "start_ts": c.start_ts, "roi_id": c.roi_id,
                    "length_s": c.length_s, "source": c.source, "in_count": c.in_count,
                    "out_count": c.out_count, "staff_in": c.staff_in, "staff_out": c.staff_out,
                    "received_ts": now_ts,
                })
        if not latest:
            return
        keys = ["counter_id", "start_ts", "roi_id", "length_s", "source"]
        values = ["in_count", "out_count", "staff_in", "staff_out"]
        statement = dialect.upsert(conn, count_cell, keys, [*values, "received_ts"],
                                   only_if_changed_in=values)
        returned = conn.execute(
            statement.returning(*(count_cell.c[k] for k in keys)),
            [row for _i, _u, row in latest.values()],
        )
        changed = {tuple(r) for r in returned}
        for key, (index, unassigned, row) in latest.items():
            if key in changed:
                results[index].accepted += 1
                results[index].unassigned += unassigned
                dirty.update((key[0], h) for h in hours_of(row["start_ts"],
                                                           row["start_ts"] + row["length_s"]))
            else:
                results[index].duplicates += 1

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
        ids = {counters[(r["company_id"], r["serial"])][0] for r in rows if r["serial"]}
        if ids:
            conn.execute(update(counter).where(counter.c.id.in_(sorted(ids)))
                         .values(last_check_at=now))

    def _touch(self, conn: Connection, counter_ids: set[int], now: datetime, now_ts: int) -> None:
        stale = sorted(c for c in counter_ids
                       if now_ts - self._last_seen.get(c, 0) >= LAST_SEEN_EVERY_S)
        if stale:
            conn.execute(update(counter).where(counter.c.id.in_(stale)).values(last_seen_at=now))
            self._last_seen.update(dict.fromkeys(stale, now_ts))


def _lookup(conn: Connection, company_id: int, serials: set[str]) -> dict[CounterKey, tuple[int, int | None]]:
    rows = conn.execute(
        select(counter.c.id, counter.c.serial, counter.c.site_id).where(
            and_(counter.c.company_id == company_id, counter.c.serial.in_(sorted(serials)))
        )
    )
    return {(company_id, serial): (cid, site) for cid, serial, site in rows}
