"""Local-time buckets (DESIGN §3): days are local calendar days, DST days have 23 or 25 hours.

Bucket edges are UTC instants (epoch seconds). Sub-day edges are computed per stretch of
constant UTC offset, so the repeated hour of a fall-back night yields two distinct buckets and
the skipped hour of a spring-forward night yields none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Interval(StrEnum):
    """The bucket widths the hub reports in."""

    MINUTE = "minute"
    QUARTER = "15min"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


SUB_DAY_SECONDS = {Interval.MINUTE: 60, Interval.QUARTER: 900, Interval.HOUR: 3600}


@dataclass(frozen=True, slots=True)
class Bucket:
    """One reporting bucket: [start_ts, end_ts) in UTC, labelled in local time."""

    start_ts: int
    end_ts: int
    local_start: datetime
    local_end: datetime
    local_day: date

    @property
    def length_s(self) -> int:
        """Length in seconds (a local day may be 23 or 25 hours)."""
        return self.end_ts - self.start_ts

    @property
    def label(self) -> tuple[str, int]:
        """Wall-clock key that lines up buckets of sites in different zones (fold kept)."""
        return (self.local_start.replace(tzinfo=None).isoformat(), self.local_start.fold)


def zone(name: str) -> ZoneInfo:
    """Load an IANA zone, failing with the name when it is unknown."""
    try:
        return _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA time zone {name!r}") from None


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    if not name or name != name.strip():
        raise ValueError(name)
    return ZoneInfo(name)


def local_midnight_ts(day: date, tz: ZoneInfo) -> int:
    """The UTC instant at which local calendar day `day` begins."""
    return int(datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC).timestamp())


def local_date(ts: int, tz: ZoneInfo) -> date:
    """The local calendar date of an instant."""
    return datetime.fromtimestamp(ts, tz).date()


def to_local(ts: int, tz: ZoneInfo) -> datetime:
    """An instant as an aware local datetime (fold set on the repeated hour)."""
    return datetime.fromtimestamp(ts, tz)


def range_edges(first: date, last: date, interval: Interval) -> tuple[date, date]:
    """Widen an inclusive date range to whole weeks (ISO, Monday) or months; end exclusive."""
    if interval is Interval.WEEK:
        start = first - timedelta(days=first.weekday())
        end = last + timedelta(days=7 - last.weekday())
        return start, end
    if interval is Interval.MONTH:
        start = first.replace(day=1)
        end = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
        return start, end
    return first, last + timedelta(days=1)


def buckets(tz: ZoneInfo, interval: Interval, first: date, last: date) -> list[Bucket]:
    """All buckets of `interval` covering local dates first..last (inclusive) in zone `tz`."""
    if last < first:
        raise ValueError(f"to date {last} is before from date {first}")
    start_day, end_day = range_edges(first, last, interval)
    if interval in SUB_DAY_SECONDS:
        edges = _sub_day_edges(tz, local_midnight_ts(start_day, tz),
                               local_midnight_ts(end_day, tz), SUB_DAY_SECONDS[interval])
    else:
        edges = [local_midnight_ts(d, tz) for d in _calendar_starts(start_day, end_day, interval)]
    local = [to_local(edge, tz) for edge in edges]  # each edge converted once
    return [
        Bucket(edges[i], edges[i + 1], local[i], local[i + 1], local[i].date())
        for i in range(len(edges) - 1)
    ]


def _calendar_starts(start: date, end: date, interval: Interval) -> list[date]:
    days: list[date] = []
    cursor = start
    while cursor < end:
        days.append(cursor)
        if interval is Interval.DAY:
            cursor += timedelta(days=1)
        elif interval is Interval.WEEK:
            cursor += timedelta(days=7)
        else:
            cursor = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
    days.append(end)
    return days


def _offset(tz: ZoneInfo, ts: int) -> int:
    delta = datetime.fromtimestamp(ts, tz).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def offset_stretches(tz: ZoneInfo, start: int, end: int) -> list[tuple[int, int, int]]:
    """Split [start, end) into stretches of constant UTC offset: (from, to, offset_s)."""
    stretches = []
    cursor = start
    while cursor < end:
        here = _offset(tz, cursor)
        # Probe ahead a day at a time; binary-search the second where the offset changes.
        probe = cursor
        while probe < end and _offset(tz, min(probe + 86400, end - 1)) == here:
            probe = min(probe + 86400, end)
            if probe >= end:
                break
        if probe >= end:
            stretches.append((cursor, end, here))
            break
        low, high = probe, min(probe + 86400, end - 1)
        while high - low > 1:
            mid = (low + high) // 2
            if _offset(tz, mid) == here:
                low = mid
            else:
                high = mid
        stretches.append((cursor, high, here))
        cursor = high
    return stretches


def _sub_day_edges(tz: ZoneInfo, start: int, end: int, step: int) -> list[int]:
    edges = [start]
    for a, b, offset in offset_stretches(tz, start, end):
        # Local wall time is aligned where (instant + offset) is a multiple of the step.
        first = a + (-(a + offset)) % step
        edges.extend(ts for ts in range(first, b, step) if ts != edges[-1])
    if edges[-1] != end:
        edges.append(end)
    return edges


def local_hour_edges(tz: ZoneInfo, start: int, end: int) -> list[int]:
    """Edges of the local hours overlapping [start, end), extended to whole hours."""
    day_a = local_date(start, tz)
    day_b = local_date(end - 1, tz) + timedelta(days=1)
    edges = _sub_day_edges(tz, local_midnight_ts(day_a, tz), local_midnight_ts(day_b, tz), 3600)
    first = max(i for i, e in enumerate(edges) if e <= start)
    last = min(i for i, e in enumerate(edges) if e >= end)
    return edges[first : last + 1]


def iso(ts: int, tz: ZoneInfo) -> str:
    """ISO 8601 with the local offset, e.g. `2020-06-17T11:00:00+08:00`."""
    return to_local(ts, tz).isoformat()


def utc_iso(ts: int) -> str:
    """ISO 8601 in UTC with offset."""
    return datetime.fromtimestamp(ts, UTC).isoformat()
