"""The traffic model: deterministic, consistent across ranges, plausible, DST-safe."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from footfall.simulator import traffic
from footfall.simulator.clock import SimClock
from footfall.simulator.fleet import ENTRANCE_ROI, OUTSIDE_ROI, CounterSpec, Fleet, SiteSpec, build_fleet
from footfall.simulator.traffic import (
    IN,
    OUT,
    STAFF,
    VISITOR,
    crossings,
    day_window,
    fleet_crossings,
    local_days,
    site_visits,
    tallies,
)

ROUND_THE_CLOCK = ((0, 1440),) * 7
SHOP = ((540, 1320),) * 6 + ((600, 1200),)


def _ts(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


def _fleet(opening: tuple = SHOP, zones: tuple[str, ...] = ("Europe/London", "America/New_York"),
           seed: int = 42) -> Fleet:
    """Two doors per site: door 1 with a street line, door 2 without."""
    sites = tuple(SiteSpec(f"Z{i}", zone, zone, opening, 1500, 0.05, 0.2) for i, zone in enumerate(zones))
    counters = tuple(
        CounterSpec(f"{i:08x}{door:08x}", f"FFC-{i}-{i * 10 + door:06d}", site.code, door,
                    0.6 if door == 1 else 0.4, door == 1, ("http",))
        for i, site in enumerate(sites) for door in (1, 2)
    )
    return Fleet(seed, sites, counters)


FLEET = _fleet()
DOOR_1, DOOR_2 = FLEET.counters[0].serial, FLEET.counters[1].serial
DAY = _ts(2026, 11, 20)


def test_same_seed_gives_the_same_crossings() -> None:
    first = crossings(FLEET, DOOR_1, DAY, DAY + 86400)
    traffic._site_day.cache_clear()
    again = crossings(_fleet(), DOOR_1, DAY, DAY + 86400)
    assert first == again and len(first) > 500
    assert crossings(_fleet(seed=43), DOOR_1, DAY, DAY + 86400) != first


def test_overlapping_ranges_agree_on_the_overlap() -> None:
    a = crossings(FLEET, DOOR_1, DAY - 3 * 3600, DAY + 14 * 3600)
    traffic._site_day.cache_clear()
    b = crossings(FLEET, DOOR_1, DAY + 10 * 3600, DAY + 30 * 3600)
    overlap = [c for c in a if c.at >= DAY + 10 * 3600]
    assert overlap and overlap == [c for c in b if c.at < DAY + 14 * 3600]


def test_small_windows_add_up_to_the_whole() -> None:
    whole = crossings(FLEET, DOOR_2, DAY, DAY + 2 * 86400)
    end = DAY + 2 * 86400
    pieces = [c for t in range(DAY, end, 997) for c in crossings(FLEET, DOOR_2, t, min(t + 997, end))]
    assert pieces == whole
    assert all(DAY <= c.at < DAY + 2 * 86400 for c in whole)
    assert [c.at for c in whole] == sorted(c.at for c in whole)


def test_uuids_are_stable_and_unique() -> None:
    found = fleet_crossings(FLEET, DAY, DAY + 86400)
    assert len({c.uuid for c in found}) == len(found)
    assert all(c.uuid[14] == "4" for c in found[:100])
    assert [(c.at, c.serial) for c in found] == sorted((c.at, c.serial) for c in found)


def test_each_person_leaves_after_entering_and_visitors_before_closing() -> None:
    for site, day in itertools.product(FLEET.sites, (date(2026, 11, 20), date(2026, 11, 22))):
        visits = site_visits(FLEET, site.code, day)
        start, end = day_window(site.timezone, day.toordinal())
        opens, closes = site.opening[day.weekday()]
        assert visits
        assert all(start <= v.in_at < v.out_at < end for v in visits)
        shop = [v for v in visits if v.people_type == VISITOR]
        assert all(start + opens * 60 <= v.in_at and v.out_at < start + closes * 60 for v in shop)
        assert any(v.in_serial != v.out_serial for v in shop)  # some leave by the other door


def _occupancy(fleet: Fleet, site: SiteSpec, start: int, end: int) -> list[int]:
    """Running entrance occupancy of a site over [start, end)."""
    moves = sorted((c.at, 0 if c.metric == OUT else 1)
                   for counter in fleet.doors(site.code)
                   for c in crossings(fleet, counter.serial, start, end) if c.roi == ENTRANCE_ROI)
    return list(itertools.accumulate(1 if way else -1 for _, way in moves))


@pytest.mark.parametrize("opening", [SHOP, ROUND_THE_CLOCK])
def test_a_site_day_ends_at_zero_occupancy(opening: tuple) -> None:
    fleet = _fleet(opening)
    for site in fleet.sites:
        for ordinal in local_days(site.timezone, DAY, DAY + 3 * 86400):
            running = _occupancy(fleet, site, *day_window(site.timezone, ordinal))
            assert running[-1] == 0 and min(running) >= 0 and max(running) > 10


def test_staff_come_before_opening_and_share_is_as_configured() -> None:
    site = FLEET.sites[0]
    ins = Counter()
    for ordinal in local_days(site.timezone, DAY, DAY + 7 * 86400):
        start, _ = day_window(site.timezone, ordinal)
        opens, closes = (start + m * 60 for m in site.opening[date.fromordinal(ordinal).weekday()])
        visits = site_visits(FLEET, site.code, date.fromordinal(ordinal))
        staff = [v for v in visits if v.people_type == STAFF]
        assert min(v.in_at for v in staff) < opens and max(v.out_at for v in staff) > closes
        ins.update(v.people_type for v in visits)
    assert ins[STAFF] / (ins[STAFF] + ins[VISITOR]) == pytest.approx(site.staff_share, rel=0.3)
    kinds = Counter(c.people_type for c in crossings(FLEET, DOOR_1, DAY, DAY + 86400))
    assert kinds[STAFF] > 0 and kinds[VISITOR] > 10 * kinds[STAFF]


def test_outside_line_only_where_configured_and_turn_ins_within_passers_by() -> None:
    assert all(c.roi == ENTRANCE_ROI for c in crossings(FLEET, DOOR_2, DAY, DAY + 7 * 86400))
    for t in range(DAY, DAY + 7 * 86400, 86400):
        found = crossings(FLEET, DOOR_1, t, t + 86400)
        passers = sum(1 for c in found if c.roi == OUTSIDE_ROI)
        turn_ins = sum(1 for c in found
                       if c.roi == ENTRANCE_ROI and c.metric == IN and c.people_type == VISITOR)
        assert 0 < turn_ins <= passers
        assert {c.metric for c in found if c.roi == OUTSIDE_ROI} == {IN, OUT}
        assert all(c.people_type == VISITOR for c in found if c.roi == OUTSIDE_ROI)


def test_passers_by_also_walk_past_outside_opening_hours() -> None:
    site = FLEET.sites[0]  # London, 09:00-22:00 in November (UTC+0)
    night = crossings(FLEET, DOOR_1, DAY + 22 * 3600 + 2800, DAY + 24 * 3600)  # staff gone by 22:45
    assert night and all(c.roi == OUTSIDE_ROI for c in night)
    assert site.opening[4] == (540, 1320)


def test_realistic_volumes_weekly_and_daily_shape() -> None:
    site = FLEET.sites[0]
    by_day = {}
    for d in range(7):
        day = date(2026, 11, 16) + timedelta(days=d)
        by_day[day.weekday()] = sum(1 for v in site_visits(FLEET, site.code, day) if v.people_type == VISITOR)
    assert 0.6 * site.daily_visitors < sum(by_day.values()) / 7 < 1.4 * site.daily_visitors
    assert by_day[5] == max(by_day.values())  # Saturday is the busiest day
    hours = Counter((c.at - DAY) // 3600 for c in crossings(FLEET, DOOR_1, DAY, DAY + 86400)
                    if c.roi == ENTRANCE_ROI and c.metric == IN)
    assert hours[13] > hours[10] and hours[17] > hours[15]  # lunch and after-work peaks


DST_DAYS = [("Europe/London", date(2026, 3, 29), 23), ("Europe/London", date(2026, 10, 25), 25),
            ("America/New_York", date(2026, 3, 8), 23), ("America/New_York", date(2026, 11, 1), 25)]


@pytest.mark.parametrize(("zone", "day", "hours"), DST_DAYS)
def test_dst_days_have_no_gaps_or_duplicates(zone: str, day: date, hours: int) -> None:
    fleet = _fleet(ROUND_THE_CLOCK, (zone,))
    start, end = day_window(zone, day.toordinal())
    assert end - start == hours * 3600
    assert day_window(zone, day.toordinal() - 1)[1] == start
    assert day_window(zone, day.toordinal() + 1)[0] == end
    for counter in fleet.counters:
        whole = crossings(fleet, counter.serial, start - 7200, end + 7200)
        hourly = [c for t in range(start - 7200, end + 7200, 3600)
                  for c in crossings(fleet, counter.serial, t, t + 3600)]
        assert whole == hourly and len({c.uuid for c in whole}) == len(whole)
        assert any(start + 3600 <= c.at < start + 4 * 3600 for c in whole)  # the night of the change
    assert list(local_days(zone, start, end)) == [day.toordinal()]
    assert list(local_days(zone, start - 1, end + 1)) == [day.toordinal() + i for i in (-1, 0, 1)]


def test_tallies_sum_to_the_crossings_and_keep_zeros() -> None:
    for serial, step in ((DOOR_1, 60), (DOOR_2, 900)):
        rows = tallies(FLEET, serial, DAY, DAY + 86400, step)
        found = crossings(FLEET, serial, DAY, DAY + 86400)
        lines = 2 if serial == DOOR_1 else 1
        assert len(rows) == 86400 // step * lines
        assert sum(r.in_ + r.out + r.staff_in + r.staff_out for r in rows) == len(found)
        assert any(r.in_ + r.out + r.staff_in + r.staff_out == 0 for r in rows)
        staff_in = sum(r.staff_in for r in rows)
        assert staff_in == sum(1 for c in found if c.people_type == STAFF and c.metric == IN)
        assert rows == sorted(rows, key=lambda r: (r.start, r.roi))


def test_a_live_runner_asking_every_second_sees_every_crossing_once() -> None:
    fleet = build_fleet(counters=200, sites=60, seed=8)
    now = _ts(2026, 11, 20, 12)
    assert traffic.warm(fleet, now, now + 60) >= 60
    minute = [c for counter in fleet.counters for c in crossings(fleet, counter.serial, now, now + 60)]
    seconds = [c for t in range(now, now + 60) for counter in fleet.counters
               for c in crossings(fleet, counter.serial, t, t + 1)]
    assert len(minute) > 50 and sorted(seconds) == sorted(minute)


def test_sim_clock_runs_at_its_speed_from_its_start() -> None:
    clock = SimClock(speed=1440, start=1_000_000)
    first = clock.now()
    assert first >= 1_000_000 and clock.now() >= first
    assert clock.real_delay(first - 10) == 0 and clock.real_delay(first + 1440 * 10) <= 10
    with pytest.raises(ValueError):
        SimClock(speed=0)
