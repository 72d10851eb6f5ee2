"""Resolved hours as stored (`counter_hour`, `line_hour`): read back to compare, written where changed.

Only an hour whose value really changed gets a new `revised_us`: that stamp is what the
changes API and `last_revised` report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.engine import Connection

from footfall.domain.resolve import LineTotals, Resolved
from footfall.storage import dialect
from footfall.storage.tables import counter_hour, line_hour


@dataclass(slots=True)
class Revision:
    """What a batch writes: changed hours, stamped, and stale hours to remove."""

    changed: list[tuple[int, Resolved]] = field(default_factory=list)  # counter, hour
    stale: list[tuple[int, int]] = field(default_factory=list)  # counter, start
    lines_gone: list[tuple[int, int]] = field(default_factory=list)  # counter, start

    def write(self, conn: Connection, now_us: int) -> None:
        """Apply the revision: one statement per kind of change, for all counters at once."""
        if self.lines_gone:
            conn.execute(
                delete(line_hour).where(and_(line_hour.c.counter_id == bindparam("c"),
                                             line_hour.c.start_ts == bindparam("t"))),
                [{"c": c, "t": t} for c, t in self.lines_gone])
        if self.stale:
            conn.execute(
                delete(counter_hour).where(and_(counter_hour.c.counter_id == bindparam("c"),
                                                counter_hour.c.start_ts == bindparam("t"))),
                [{"c": c, "t": t} for c, t in self.stale])
        if not self.changed:
            return
        conn.execute(
            dialect.upsert(conn, counter_hour, ["counter_id", "start_ts"],
                           ["length_s", "covered_s", "revised_us"]),
            [{"counter_id": c, "start_ts": r.start_ts, "length_s": r.end_ts - r.start_ts,
              "covered_s": r.covered_s, "revised_us": now_us} for c, r in self.changed],
        )
        line_rows = [
            {"counter_id": c, "start_ts": r.start_ts, "roi_id": roi, "in_count": t[0],
             "out_count": t[1], "staff_in": t[2], "staff_out": t[3]}
            for c, r in self.changed for roi, t in sorted(r.lines.items())
        ]
        if line_rows:
            conn.execute(line_hour.insert(), line_rows)


@dataclass(slots=True)
class StoredHours:
    """Counters' stored hours by start: (length, covered seconds), and line totals by RoiId."""

    hours: defaultdict[int, dict[int, tuple[int, int]]] = field(
        default_factory=lambda: defaultdict(dict))
    lines: defaultdict[int, defaultdict[int, dict[int, LineTotals]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict)))

    def load(self, conn: Connection, counter_ids: Sequence[int], lo: int, hi: int) -> None:
        """Add the stored hours of `counter_ids` that start in [lo, hi)."""
        for cid, start, length, covered in conn.execute(
            select(counter_hour.c.counter_id, counter_hour.c.start_ts, counter_hour.c.length_s,
                   counter_hour.c.covered_s)
            .where(dialect.among(conn, counter_hour.c.counter_id, counter_ids),
                   counter_hour.c.start_ts >= lo, counter_hour.c.start_ts < hi)
        ):
            self.hours[cid][start] = (length, covered)
        for cid, start, roi, a, b, c, d in conn.execute(
            select(line_hour.c.counter_id, line_hour.c.start_ts, line_hour.c.roi_id,
                   line_hour.c.in_count, line_hour.c.out_count, line_hour.c.staff_in,
                   line_hour.c.staff_out)
            .where(dialect.among(conn, line_hour.c.counter_id, counter_ids),
                   line_hour.c.start_ts >= lo, line_hour.c.start_ts < hi)
        ):
            self.lines[cid][start][roi] = (a, b, c, d)

    def revise(self, counter_id: int, resolved: list[Resolved], revision: Revision) -> None:
        """Add to `revision` where the hours `resolved` spans differ from the stored ones."""
        hours, lines = self.hours[counter_id], self.lines[counter_id]
        fresh = set()
        for r in resolved:
            fresh.add(r.start_ts)
            old = hours.get(r.start_ts)
            if old is None:  # an hour without any data is not stored
                changed = r.covered_s > 0 or bool(r.lines)
            else:
                changed = old != (r.end_ts - r.start_ts, r.covered_s) or \
                    lines.get(r.start_ts, {}) != r.lines
            if changed:
                revision.changed.append((counter_id, r))
                if r.start_ts in lines:
                    revision.lines_gone.append((counter_id, r.start_ts))
        lo, hi = resolved[0].start_ts, resolved[-1].end_ts
        for start in sorted(hours):
            if lo <= start < hi and start not in fresh:  # a zone change moved the edges
                revision.stale.append((counter_id, start))
                if start in lines:
                    revision.lines_gone.append((counter_id, start))
