"""When a scheduled delivery runs and which local period each run covers (pure, DST-correct).

An occurrence is named by the period it covers, so its key never changes when the
schedule's clock time does, and two hub processes compute the same key for it:

- hourly: each local hour bucket of the schedule's zone, run `minute` minutes after the
  hour ends (a fall-back night's repeated hour is two occurrences, a skipped hour none);
- daily: each local day, run the next day at the local time `at`;
- weekly: the 7 local days before the run day (weekday `weekday`, at `at`); with Monday
  that is the previous ISO week.

A local run time that does not exist (spring-forward gap) runs once, at the first valid
instant after the gap; one that happens twice (fall-back) runs once, at the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

from footfall.domain.timegrid import local_date, local_hour_edges, local_midnight_ts, to_local, zone

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Frequency(StrEnum):
    """How often a delivery runs."""

    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a delivery runs: frequency, local clock time, weekday (weekly) and IANA zone."""

    frequency: Frequency
    at: time
    timezone: str
    weekday: int = 0  # Monday = 0, weekly only

    @property
    def tz(self) -> ZoneInfo:
        """The schedule's zone (an unknown name fails naming it)."""
        return zone(self.timezone)


@dataclass(frozen=True, slots=True)
class Period:
    """The local span an occurrence covers: [start_ts, end_ts) and its local dates."""

    start_ts: int
    end_ts: int
    first: date
    last: date  # inclusive


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One run of a schedule: its key, the instant it becomes due and the period it covers."""

    key: str
    due_ts: int
    period: Period


def wall_instant(day: date, at: time, tz: ZoneInfo) -> int:
    """The UTC instant of local wall time `day at`: first of two on fall-back, gap end on spring-forward."""
    naive = datetime.combine(day, at)
    first = int(naive.replace(tzinfo=tz, fold=0).timestamp())
    second = int(naive.replace(tzinfo=tz, fold=1).timestamp())
    if _wall(first, tz) == naive or _wall(second, tz) == naive:
        return min(t for t in (first, second) if _wall(t, tz) == naive)
    # Inside a gap: binary-search the first instant whose wall time is past `naive`.
    low, high = min(first, second), max(first, second)
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(middle, tz) >= naive:
            high = middle
        else:
            low = middle
    return high


def _wall(ts: int, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(ts, tz).replace(tzinfo=None)


def _day_period(first: date, days: int, tz: ZoneInfo) -> Period:
    last = first + timedelta(days=days - 1)
    return Period(local_midnight_ts(first, tz), local_midnight_ts(last + timedelta(days=1), tz),
                  first, last)


def _hourly(schedule: Schedule, after_ts: int, until_ts: int) -> list[Occurrence]:
    tz, delay = schedule.tz, schedule.at.minute * 60
    # Hours whose run falls in the window end within [after - delay, until - delay].
    edges = local_hour_edges(tz, after_ts - delay - 7200, max(until_ts - delay, after_ts - delay) + 1)
    found = []
    for start, end in pairwise(edges):
        due = end + delay
        if after_ts < due <= until_ts:
            key = f"hourly:{to_local(start, tz).isoformat(timespec='minutes')}"
            day = local_date(start, tz)
            found.append(Occurrence(key, due, Period(start, end, day, day)))
    return found


def _calendar(schedule: Schedule, after_ts: int, until_ts: int) -> list[Occurrence]:
    tz = schedule.tz
    weekly = schedule.frequency is Frequency.WEEKLY
    day = local_date(after_ts, tz) - timedelta(days=2)
    stop = local_date(until_ts, tz) + timedelta(days=2)
    found = []
    while day <= stop:
        if not weekly or day.weekday() == schedule.weekday:
            due = wall_instant(day, schedule.at, tz)
            if after_ts < due <= until_ts:
                days = 7 if weekly else 1
                period = _day_period(day - timedelta(days=days), days, tz)
                found.append(Occurrence(f"{schedule.frequency.value}:{period.first.isoformat()}",
                                        due, period))
        day += timedelta(days=1)
    return found


def occurrences(schedule: Schedule, after_ts: int, until_ts: int) -> list[Occurrence]:
    """Occurrences due in (after_ts, until_ts], in time order."""
    if until_ts <= after_ts:
        return []
    if schedule.frequency is Frequency.HOURLY:
        return _hourly(schedule, after_ts, until_ts)
    return _calendar(schedule, after_ts, until_ts)


def due(schedule: Schedule, since_ts: int, now_ts: int, limit: int) -> list[Occurrence]:
    """The latest `limit` occurrences due after `since_ts` up to `now_ts` (a bounded catch-up)."""
    reach = {Frequency.HOURLY: 3600, Frequency.DAILY: 86400, Frequency.WEEKLY: 7 * 86400}
    after = max(since_ts, now_ts - reach[schedule.frequency] * (limit + 1))
    return occurrences(schedule, after, now_ts)[-limit:]


def next_due(schedule: Schedule, now_ts: int) -> int:
    """The instant the next occurrence after `now_ts` becomes due."""
    span = 3 * 3600 if schedule.frequency is Frequency.HOURLY else 9 * 86400
    coming = occurrences(schedule, now_ts, now_ts + span)
    return coming[0].due_ts if coming else now_ts + span


def parse_clock(value: str) -> time:
    """A local clock time `HH:MM`; the error names the value."""
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"at {value!r} is not a clock time HH:MM") from None
    if parsed.second or parsed.microsecond or parsed.tzinfo is not None:
        raise ValueError(f"at {value!r}: give hours and minutes only (HH:MM)")
    return parsed


def utc_ts(moment: datetime) -> int:
    """An aware datetime as epoch seconds."""
    return int(moment.astimezone(UTC).timestamp())
