"""Sum one member's counters into its buckets: from rolled-up hours, or resolved on the fly."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.engine import Connection

from footfall.domain.resolve import resolve
from footfall.domain.timegrid import SUB_DAY_SECONDS, Bucket, Interval, buckets, local_date
from footfall.query.scope import Member, Role
from footfall.rollup.inputs import load_cells, load_spans
from footfall.storage.tables import counter_hour, line_hour

_ROLES = {role.value: role for role in Role}
_IN, _OUTSIDE = Role.IN, Role.OUTSIDE  # module constants: enum attribute access is slow


@dataclass(slots=True)
class Tally:
    """One member's totals in one bucket."""

    visitors_in: int = 0
    visitors_out: int = 0
    staff_in: int = 0
    staff_out: int = 0
    outside: int = 0
    covered: dict[str, int] = field(default_factory=dict)
    # Seconds in which every counter of the member was covered (then `covered` is not
    # filled per counter for them: the common case, summed once).
    all_covered_s: int = 0
    revised_us: int = 0
    has_counts: bool = False
    peak: int | None = None  # peak occupancy inside a day-or-longer bucket

    def covered_by(self, serials: list[str]) -> dict[str, int]:
        """Covered seconds per counter, the all-covered seconds included."""
        if not self.all_covered_s:
            return self.covered
        return {s: self.covered.get(s, 0) + self.all_covered_s for s in serials}

    def add_line(self, role: Role, a: int, b: int, c: int, d: int) -> None:
        """Add one line's in/out/staff in/staff out under its role."""
        self.has_counts = True
        if role is _OUTSIDE:
            self.outside += a + b
        elif role is _IN:
            self.visitors_in += a
            self.visitors_out += b
            self.staff_in += c
            self.staff_out += d
        else:
            self.visitors_in += b
            self.visitors_out += a
            self.staff_in += d
            self.staff_out += c


def tally(conn: Connection, member: Member, interval: Interval, first: date,
          last: date) -> tuple[list[Bucket], list[Tally]]:
    """The member's buckets for local dates first..last and their totals."""
    grid = buckets(member.tz, interval, first, last)
    tallies = [Tally() for _ in grid]
    if not member.counters or not grid:
        return grid, tallies
    if interval in SUB_DAY_SECONDS and interval is not Interval.HOUR:
        _fine(conn, member, grid, tallies)
    else:
        _from_hours(conn, member, grid, tallies, interval)
    return grid, tallies


def _role_case(member: Member):  # type: ignore[no-untyped-def]
    """SQL CASE mapping (counter, line) to the member's role for that line."""
    whens = [
        (and_(line_hour.c.counter_id == cid, line_hour.c.roi_id == roi), role.value)
        for (cid, roi), role in sorted(member.roles.items())
    ]
    return case(*whens, else_=None) if whens else literal(None)


def _from_hours(conn: Connection, member: Member, grid: list[Bucket], tallies: list[Tally],
                interval: Interval) -> None:
    starts = [b.start_ts for b in grid]
    lo, hi = grid[0].start_ts, grid[-1].end_ts
    ids = sorted(member.counters)
    hourly: dict[int, int] = {}  # hour start → visitors in − out, for peak occupancy
    role = _role_case(member).label("role")
    in_range = and_(line_hour.c.counter_id.in_(ids), line_hour.c.start_ts >= lo,
                    line_hour.c.start_ts < hi)
    summed = conn.execute(
        select(line_hour.c.start_ts, role, func.sum(line_hour.c.in_count),
               func.sum(line_hour.c.out_count), func.sum(line_hour.c.staff_in),
               func.sum(line_hour.c.staff_out))
        .where(in_range).group_by(line_hour.c.start_ts, role)
    ).all()
    index = 0
    for start, role_name, a, b, c, d in summed:
        line_role = _ROLES.get(role_name)
        if line_role is None:
            continue
        index = _bucket_of(starts, start, index)
        tallies[index].add_line(line_role, a, b, c, d)
        if line_role is not _OUTSIDE:
            hourly[start] = hourly.get(start, 0) + (a - b if line_role is _IN else b - a)
    _coverage(conn, member, ids, starts, tallies, lo, hi)
    if interval is not Interval.HOUR:
        _peaks(member, starts, tallies, hourly)


def _bucket_of(starts: list[int], ts: int, hint: int) -> int:
    """Index of the bucket holding `ts`; rows mostly come in time order, so try the hint first."""
    if starts[hint] <= ts and (hint + 1 == len(starts) or ts < starts[hint + 1]):
        return hint
    return bisect_right(starts, ts) - 1


def _coverage(conn: Connection, member: Member, ids: list[int], starts: list[int],
              tallies: list[Tally], lo: int, hi: int) -> None:
    """Covered seconds per counter and bucket; one summary row per hour when all is complete."""
    in_range = and_(counter_hour.c.counter_id.in_(ids), counter_hour.c.start_ts >= lo,
                    counter_hour.c.start_ts < hi)
    complete = func.sum(case((counter_hour.c.covered_s >= counter_hour.c.length_s, 1), else_=0))
    partial_hours = []
    index = 0
    for start, length, done, revised in conn.execute(
        select(counter_hour.c.start_ts, func.max(counter_hour.c.length_s), complete,
               func.max(counter_hour.c.revised_us))
        .where(in_range).group_by(counter_hour.c.start_ts)
    ).all():
        index = _bucket_of(starts, start, index)
        t = tallies[index]
        t.revised_us = max(t.revised_us, revised)
        if done == len(ids):
            t.all_covered_s += length
        else:
            partial_hours.append(start)
    if not partial_hours:
        return
    wanted = set(partial_hours)
    for cid, start, covered in conn.execute(
        select(counter_hour.c.counter_id, counter_hour.c.start_ts, counter_hour.c.covered_s)
        .where(in_range, counter_hour.c.start_ts >= partial_hours[0],
               counter_hour.c.start_ts <= partial_hours[-1])
    ):
        if start in wanted:
            t = tallies[bisect_right(starts, start) - 1]
            serial = member.counters[cid]
            t.covered[serial] = t.covered.get(serial, 0) + covered


def _peaks(member: Member, starts: list[int], tallies: list[Tally], hourly: dict[int, int]) -> None:
    """Peak of the daily-reset running occupancy, per day-or-longer bucket."""
    for t in tallies:
        t.peak = 0
    running, day = 0, None
    for hour in sorted(hourly):
        today = local_date(hour, member.tz)
        if today != day:
            running, day = 0, today
        running = max(0, running + hourly[hour])
        t = tallies[bisect_right(starts, hour) - 1]
        t.peak = max(t.peak or 0, running)


def _fine(conn: Connection, member: Member, grid: list[Bucket], tallies: list[Tally]) -> None:
    edges = [b.start_ts for b in grid] + [grid[-1].end_ts]
    ids = sorted(member.counters)
    cells = load_cells(conn, ids, edges[0], edges[-1])
    spans = load_spans(conn, ids, edges[0], edges[-1])
    for cid in ids:
        serial = member.counters[cid]
        for t, r in zip(tallies, resolve(edges, cells[cid], spans[cid]), strict=True):
            t.covered[serial] = r.covered_s
            for roi, (a, b, c, d) in r.lines.items():
                role = member.roles.get((cid, roi))
                if role is not None:
                    t.add_line(role, a, b, c, d)
    hour_starts: list[int] = []
    revised: list[int] = []
    for start, rev in conn.execute(
        select(counter_hour.c.start_ts, counter_hour.c.revised_us)
        .where(counter_hour.c.counter_id.in_(ids), counter_hour.c.start_ts >= edges[0] - 3600,
               counter_hour.c.start_ts < edges[-1]).order_by(counter_hour.c.start_ts)
    ):
        hour_starts.append(start)
        revised.append(rev)
    for b, t in zip(grid, tallies, strict=True):
        i = bisect_right(hour_starts, b.start_ts) - 1
        j = bisect_right(hour_starts, b.end_ts - 1)
        window = revised[max(i, 0):j]
        t.revised_us = max(window, default=0)
