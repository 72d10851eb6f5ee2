"""Schedules: occurrence keys, due instants and covered periods, DST days included."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.delivery.schedule import (
    Frequency,
    Schedule,
    due,
    next_due,
    occurrences,
    parse_clock,
    wall_instant,
)
from footfall.domain.timegrid import local_date, to_local, zone

ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Australia/Lord_Howe",
         "Asia/Kolkata", "UTC", "Pacific/Apia", "America/Santiago"]


def ts(text: str) -> int:
    """Epoch seconds of an ISO 8601 instant with offset."""
    return int(datetime.fromisoformat(text).timestamp())


def test_spring_forward_gap_runs_once_at_the_first_valid_instant() -> None:
    berlin = Schedule(Frequency.DAILY, time(2, 30), "Europe/Berlin")
    found = occurrences(berlin, ts("2024-03-30T12:00+01:00"), ts("2024-04-01T12:00+02:00"))
    assert [o.key for o in found] == ["daily:2024-03-30", "daily:2024-03-31"]
    # 02:30 does not exist on 31 March: it runs when the clocks jump to 03:00.
    assert to_local(found[0].due_ts, zone("Europe/Berlin")).isoformat() == "2024-03-31T03:00:00+02:00"
    assert to_local(found[1].due_ts, zone("Europe/Berlin")).isoformat() == "2024-04-01T02:30:00+02:00"


def test_fall_back_repeated_time_runs_once_at_the_first() -> None:
    london = Schedule(Frequency.DAILY, time(1, 30), "Europe/London")
    found = occurrences(london, ts("2024-10-26T12:00+01:00"), ts("2024-10-27T12:00+00:00"))
    assert len(found) == 1
    assert to_local(found[0].due_ts, zone("Europe/London")).isoformat() == "2024-10-27T01:30:00+01:00"
    period = found[0].period
    assert (period.first, period.last) == (date(2024, 10, 26), date(2024, 10, 26))
    assert period.end_ts - period.start_ts == 24 * 3600


def test_hourly_repeated_hour_is_two_occurrences_and_skipped_hour_none() -> None:
    hourly = Schedule(Frequency.HOURLY, time(0, 5), "Europe/London")
    back = occurrences(hourly, ts("2024-10-27T00:05+01:00"), ts("2024-10-27T03:00+00:00"))
    assert [o.key for o in back] == ["hourly:2024-10-27T00:00+01:00", "hourly:2024-10-27T01:00+01:00",
                                     "hourly:2024-10-27T01:00+00:00"]
    assert [o.due_ts - o.period.end_ts for o in back] == [300, 300, 300]
    forward = occurrences(hourly, ts("2024-03-31T00:05+00:00"), ts("2024-03-31T04:00+01:00"))
    assert [o.key[-11:] for o in forward] == ["00:00+00:00", "02:00+01:00"]


def test_weekly_covers_the_seven_days_before_the_run_day() -> None:
    weekly = Schedule(Frequency.WEEKLY, time(6, 0), "America/New_York", weekday=0)
    found = occurrences(weekly, ts("2024-03-10T00:00-05:00"), ts("2024-03-18T07:00-04:00"))
    assert [o.key for o in found] == ["weekly:2024-03-04", "weekly:2024-03-11"]
    last = found[-1].period
    assert (last.first, last.last) == (date(2024, 3, 11), date(2024, 3, 17))
    assert last.end_ts - last.start_ts == 7 * 86400  # no DST change that week
    first = found[0].period
    assert first.end_ts - first.start_ts == 7 * 86400 - 3600  # spring forward on 10 March


def test_due_is_bounded_and_next_due_is_after_now() -> None:
    daily = Schedule(Frequency.DAILY, time(6, 0), "UTC")
    now = ts("2024-05-10T07:00+00:00")
    found = due(daily, 0, now, limit=3)
    assert [o.key for o in found] == ["daily:2024-05-07", "daily:2024-05-08", "daily:2024-05-09"]
    assert due(daily, ts("2024-05-10T06:00+00:00"), now, limit=3) == []
    assert next_due(daily, now) == ts("2024-05-11T06:00+00:00")


def test_clock_times_are_checked() -> None:
    assert parse_clock("02:30") == time(2, 30)
    for bad in ("25:00", "2:3x", "02:30:15"):
        with pytest.raises(ValueError, match="at "):
            parse_clock(bad)


instants = st.integers(min_value=ts("2000-01-01T00:00+00:00"), max_value=ts("2037-01-01T00:00+00:00"))
clocks = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 59]))


@settings(max_examples=120, deadline=None)
@given(tz=st.sampled_from(ZONES), at=clocks, start=instants, days=st.integers(1, 40))
def test_daily_covers_every_local_day_once_after_it_closes(tz: str, at: time, start: int,
                                                           days: int) -> None:
    schedule = Schedule(Frequency.DAILY, at, tz)
    found = occurrences(schedule, start, start + days * 86400)
    keys = [o.key for o in found]
    assert len(keys) == len(set(keys))
    assert [o.due_ts for o in found] == sorted(o.due_ts for o in found)
    for o in found:
        assert start < o.due_ts <= start + days * 86400
        assert o.period.end_ts <= o.due_ts  # runs only after the day closed
        assert local_date(o.period.start_ts, zone(tz)) == o.period.first
    for a, b in pairwise(found):
        assert a.period.end_ts == b.period.start_ts  # consecutive days, none skipped
    for o in found:
        wall = to_local(o.due_ts, zone(tz)).replace(tzinfo=None)
        asked = datetime.combine(o.period.last + timedelta(days=1), at)
        if wall != asked:  # the asked wall time fell in a gap: the gap's end, just after it
            before = to_local(o.due_ts - 1, zone(tz)).replace(tzinfo=None)
            assert before < asked < wall


@settings(max_examples=120, deadline=None)
@given(tz=st.sampled_from(ZONES), minute=st.integers(0, 59), start=instants,
       hours=st.integers(1, 72))
def test_hourly_tiles_time_with_local_hours(tz: str, minute: int, start: int, hours: int) -> None:
    schedule = Schedule(Frequency.HOURLY, time(0, minute), tz)
    found = occurrences(schedule, start, start + hours * 3600)
    assert len({o.key for o in found}) == len(found)
    assert all(o.due_ts == o.period.end_ts + minute * 60 for o in found)
    for a, b in pairwise(found):
        assert a.period.end_ts == b.period.start_ts
    # Splitting the window anywhere gives the same occurrences: no double run, none lost.
    middle = start + hours * 1800
    halves = occurrences(schedule, start, middle) + occurrences(schedule, middle, start + hours * 3600)
    assert halves == found


@settings(max_examples=80, deadline=None)
@given(tz=st.sampled_from(ZONES), at=clocks, day=st.dates(date(2000, 1, 1), date(2036, 12, 31)))
def test_wall_instant_is_the_asked_time_or_the_end_of_its_gap(tz: str, at: time, day: date) -> None:
    instant = wall_instant(day, at, zone(tz))
    asked = datetime.combine(day, at)
    wall = to_local(instant, zone(tz)).replace(tzinfo=None)
    if wall == asked:
        # The first of two when the time repeats: one second earlier is not the same wall time later.
        earlier = [t for t in range(instant - 3 * 3600, instant, 900)
                   if to_local(t, zone(tz)).replace(tzinfo=None) == asked]
        assert earlier == []
    else:
        assert to_local(instant - 1, zone(tz)).replace(tzinfo=None) < asked < wall
    assert datetime.fromtimestamp(instant, UTC).year in range(1999, 2038)
