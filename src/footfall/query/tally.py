"""Sum one member's counters into its buckets: from rolled-up hours, or resolved on the fly.

Totals are kept column by column (`Tallies`: one list per measure, index = bucket): a year
of hours is 8,760 buckets, and lists of ints cost far less to fill and read than an object
per bucket.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.engine import Connection

from footfall.domain.resolve import resolve
from footfall.domain.timegrid import SUB_DAY_SECONDS, Bucket, Interval, buckets, local_date
from footfall.query.scope import Member, Role
from footfall.rollup.inputs import load_cells, load_spans
from footfall.storage.tables import counter_hour, line_hour

# Roles travel through SQL as small integers: the database groups by them, and integers sort
# faster than text under a collation.
_CODES = {role: code for code, role in enumerate(Role, start=1)}
_ROLES = {code: role for role, code in _CODES.items()}
_IN, _REVERSED, _OUTSIDE = Role.IN, Role.REVERSED, Role.OUTSIDE  # enum attribute access is slow


@dataclass(slots=True)
class Tallies:
    """One member's totals per bucket, one list per measure."""

    visitors_in: list[int]
    visitors_out: list[int]
    staff_in: list[int]
    staff_out: list[int]
    outside: list[int]
    # Seconds in which every counter of the member was covered; `covered` holds per counter
    # only the seconds of the others (buckets where some counter was not covered throughout).
    all_covered_s: list[int]
    revised_us: list[int]
    has_counts: list[bool]
    covered: dict[int, dict[str, int]] = field(default_factory=dict)  # bucket → serial → seconds
    peak: list[int] | None = None  # peak occupancy inside a day-or-longer bucket

    @classmethod
    def zeros(cls, n: int) -> Tallies:
        """Totals of `n` empty buckets."""
        return cls([0] * n, [0] * n, [0] * n, [0] * n, [0] * n, [0] * n, [0] * n, [False] * n)

    def covered_by(self, i: int, serials: list[str]) -> dict[str, int]:
        """Covered seconds per counter in bucket i, the all-covered seconds included."""
        own = self.covered.get(i, {})
        every = self.all_covered_s[i]
        if not every:
            return own
        return {s: own.get(s, 0) + every for s in serials}

    def add_line(self, i: int, role: Role, a: int, b: int, c: int, d: int) -> None:
        """Add one line's in/out/staff in/staff out under its role to bucket i."""
        self.has_counts[i] = True
        if role is _OUTSIDE:
            self.outside[i] += a + b
        elif role is _IN:
            self.visitors_in[i] += a
            self.visitors_out[i] += b
            self.staff_in[i] += c
            self.staff_out[i] += d
        else:
            self.visitors_in[i] += b
            self.visitors_out[i] += a
            self.staff_in[i] += d
            self.staff_out[i] += c


@dataclass(frozen=True, slots=True)
class Grid:
    """A zone's buckets over a range, with what every report of them needs (never mutated)."""

    buckets: tuple[Bucket, ...]
    starts: tuple[int, ...]
    edges: tuple[str, ...]  # ISO local start of each bucket, then the last bucket's end
    index: dict[int, int]  # hour start → bucket index, for an hourly grid (else empty)


def grid_of(tz: ZoneInfo, interval: Interval, first: date, last: date) -> Grid:
    """The buckets of a zone and range; hour-or-longer grids are kept for the next report of
    the same range (dashboards and API clients repeat them), minute grids are not (exports
    walk through many ranges of them once)."""
    if interval in _FINE:
        return _grid(tz, interval, first, last)
    return _kept_grid(tz, interval, first, last)


_FINE = frozenset({Interval.MINUTE, Interval.QUARTER})


def _grid(tz: ZoneInfo, interval: Interval, first: date, last: date) -> Grid:
    cells = buckets(tz, interval, first, last)
    edges = [b.local_start.isoformat() for b in cells]
    edges.append(cells[-1].local_end.isoformat() if cells else "")
    index = {b.start_ts: i for i, b in enumerate(cells)} if interval is Interval.HOUR else {}
    return Grid(tuple(cells), tuple(b.start_ts for b in cells), tuple(edges), index)


_kept_grid = lru_cache(maxsize=4)(_grid)


def tally(conn: Connection, member: Member, interval: Interval, first: date,
          last: date) -> tuple[Grid, Tallies]:
    """The member's buckets for local dates first..last and their totals."""
    grid = grid_of(member.tz, interval, first, last)
    tallies = Tallies.zeros(len(grid.buckets))
    if not member.counters or not grid.buckets:
        return grid, tallies
    if interval in SUB_DAY_SECONDS and interval is not Interval.HOUR:
        _fine(conn, member, grid.buckets, tallies)
    else:
        _from_hours(conn, member, grid, tallies, interval)
    return grid, tallies


def _role_case(member: Member):  # type: ignore[no-untyped-def]
    """SQL CASE mapping (counter, line) to the code of the member's role for that line."""
    whens = [
        (and_(line_hour.c.counter_id == cid, line_hour.c.roi_id == roi), _CODES[role])
        for (cid, roi), role in sorted(member.roles.items())
    ]
    return case(*whens, else_=None) if whens else literal(None)


def _from_hours(conn: Connection, member: Member, grid: Grid, tallies: Tallies,
                interval: Interval) -> None:
    starts, index_of = grid.starts, grid.index
    lo, hi = starts[0], grid.buckets[-1].end_ts
    ids = sorted(member.counters)
    role = _role_case(member).label("role")
    in_range = and_(line_hour.c.counter_id.in_(ids), line_hour.c.start_ts >= lo,
                    line_hour.c.start_ts < hi)
    summed = conn.execute(
        select(line_hour.c.start_ts, role, func.sum(line_hour.c.in_count),
               func.sum(line_hour.c.out_count), func.sum(line_hour.c.staff_in),
               func.sum(line_hour.c.staff_out))
        .where(in_range).group_by(line_hour.c.start_ts, role)
    ).all()  # one fetch: psycopg's row-by-row iteration costs a call per row
    v_in, v_out, s_in, s_out = (tallies.visitors_in, tallies.visitors_out, tallies.staff_in,
                                tallies.staff_out)
    outside, has_counts = tallies.outside, tallies.has_counts
    # Hour start → visitors in − out, for the peak occupancy of longer buckets (an hourly
    # report's occupancy is its own running total: no need to keep it).
    hourly: dict[int, int] | None = None if interval is Interval.HOUR else {}
    hint = 0
    for start, role_code, a, b, c, d in summed:
        line_role = _ROLES.get(role_code)
        if line_role is None:
            continue
        i = index_of.get(start, -1)
        if i < 0:
            i = _bucket_of(starts, start, hint)
        hint = i
        has_counts[i] = True
        if line_role is _OUTSIDE:
            outside[i] += a + b
            continue
        if line_role is _REVERSED:
            a, b, c, d = b, a, d, c
        v_in[i] += a
        v_out[i] += b
        s_in[i] += c
        s_out[i] += d
        if hourly is not None:
            hourly[start] = hourly.get(start, 0) + a - b
    _coverage(conn, member, ids, grid, tallies, lo, hi)
    if hourly is not None:
        _peaks(member, starts, tallies, hourly)


def _bucket_of(starts: tuple[int, ...], ts: int, hint: int) -> int:
    """Index of the bucket holding `ts`; rows mostly come in time order, so try the hint first."""
    if starts[hint] <= ts and (hint + 1 == len(starts) or ts < starts[hint + 1]):
        return hint
    return bisect_right(starts, ts) - 1


def _coverage(conn: Connection, member: Member, ids: list[int], grid: Grid, tallies: Tallies,
              lo: int, hi: int) -> None:
    """Covered seconds per counter and bucket; one summary row per hour when all is complete."""
    starts, index_of = grid.starts, grid.index
    in_range = and_(counter_hour.c.counter_id.in_(ids), counter_hour.c.start_ts >= lo,
                    counter_hour.c.start_ts < hi)
    complete = func.sum(case((counter_hour.c.covered_s >= counter_hour.c.length_s, 1), else_=0))
    all_covered, revised_us = tallies.all_covered_s, tallies.revised_us
    partial_hours = []
    every = len(ids)
    hint = 0
    for start, length, done, revised in conn.execute(
        select(counter_hour.c.start_ts, func.max(counter_hour.c.length_s), complete,
               func.max(counter_hour.c.revised_us))
        .where(in_range).group_by(counter_hour.c.start_ts)
    ).all():
        i = index_of.get(start, -1)
        if i < 0:
            i = _bucket_of(starts, start, hint)
        hint = i
        if revised > revised_us[i]:
            revised_us[i] = revised
        if done == every:
            all_covered[i] += length
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
            per_counter = tallies.covered.setdefault(bisect_right(starts, start) - 1, {})
            serial = member.counters[cid]
            per_counter[serial] = per_counter.get(serial, 0) + covered


def _peaks(member: Member, starts: tuple[int, ...], tallies: Tallies, hourly: dict[int, int]) -> None:
    """Peak of the daily-reset running occupancy, per day-or-longer bucket."""
    peak = tallies.peak = [0] * len(starts)
    running, day = 0, None
    for hour in sorted(hourly):
        today = local_date(hour, member.tz)
        if today != day:
            running, day = 0, today
        running = max(0, running + hourly[hour])
        i = bisect_right(starts, hour) - 1
        peak[i] = max(peak[i], running)


def _fine(conn: Connection, member: Member, grid: tuple[Bucket, ...], tallies: Tallies) -> None:
    edges = [b.start_ts for b in grid] + [grid[-1].end_ts]
    ids = sorted(member.counters)
    cells = load_cells(conn, ids, edges[0], edges[-1])
    spans = load_spans(conn, ids, edges[0], edges[-1])
    for cid in ids:
        serial = member.counters[cid]
        for i, r in enumerate(resolve(edges, cells[cid], spans[cid])):
            tallies.covered.setdefault(i, {})[serial] = r.covered_s
            for roi, (a, b, c, d) in r.lines.items():
                role = member.roles.get((cid, roi))
                if role is not None:
                    tallies.add_line(i, role, a, b, c, d)
    hour_starts: list[int] = []
    revised: list[int] = []
    for start, rev in conn.execute(
        select(counter_hour.c.start_ts, counter_hour.c.revised_us)
        .where(counter_hour.c.counter_id.in_(ids), counter_hour.c.start_ts >= edges[0] - 3600,
               counter_hour.c.start_ts < edges[-1]).order_by(counter_hour.c.start_ts)
    ):
        hour_starts.append(start)
        revised.append(rev)
    for i, cell in enumerate(grid):
        first = bisect_right(hour_starts, cell.start_ts) - 1
        last = bisect_right(hour_starts, cell.end_ts - 1)
        tallies.revised_us[i] = max(revised[max(first, 0):last], default=0)
