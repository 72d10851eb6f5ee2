"""Local buckets across DST changes and odd offsets."""

from __future__ import annotations

from datetime import date

import pytest

from footfall.domain.timegrid import Interval, buckets, zone


@pytest.mark.parametrize(("tz", "day", "hours"), [
    ("Europe/London", date(2024, 3, 31), 23),
    ("Europe/London", date(2024, 10, 27), 25),
    ("America/New_York", date(2024, 3, 10), 23),
    ("America/New_York", date(2024, 11, 3), 25),
    ("Asia/Kolkata", date(2024, 3, 31), 24),
    ("Asia/Kuala_Lumpur", date(2020, 6, 17), 24),
])
def test_local_day_has_the_hours_of_its_zone(tz: str, day: date, hours: int) -> None:
    grid = buckets(zone(tz), Interval.HOUR, day, day)
    assert len(grid) == hours
    assert grid[-1].end_ts - grid[0].start_ts == hours * 3600
    assert all(b.local_start.minute == 0 for b in grid)


def test_repeated_hour_is_two_buckets_with_distinct_labels() -> None:
    grid = buckets(zone("Europe/London"), Interval.HOUR, date(2024, 10, 27), date(2024, 10, 27))
    ones = [b for b in grid if b.local_start.hour == 1]
    assert [b.local_start.isoformat() for b in ones] == ["2024-10-27T01:00:00+01:00",
                                                       "2024-10-27T01:00:00+00:00"]
    assert ones[0].label != ones[1].label


def test_day_week_month_buckets_are_whole_local_periods() -> None:
    tz = zone("Europe/London")
    (day,) = buckets(tz, Interval.DAY, date(2024, 10, 27), date(2024, 10, 27))
    assert day.length_s == 25 * 3600
    weeks = buckets(tz, Interval.WEEK, date(2024, 10, 23), date(2024, 10, 30))
    assert [w.local_start.date().isoformat() for w in weeks] == ["2024-10-21", "2024-10-28"]
    months = buckets(tz, Interval.MONTH, date(2024, 2, 10), date(2024, 3, 5))
    assert [m.local_start.date().isoformat() for m in months] == ["2024-02-01", "2024-03-01"]
    assert months[0].length_s == 29 * 86400


def test_unknown_zone_is_named() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        zone("Mars/Olympus")
