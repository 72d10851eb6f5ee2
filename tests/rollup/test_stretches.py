"""Planning a rollup batch: counters' local hours as stretches, their time cut into slices read once."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from footfall.domain.timegrid import local_hour_edges, offset_stretches, zone
from footfall.rollup.stretches import Slice, Stretch, slices, stretches

H = 1_767_225_600  # 2026-01-01T00:00:00Z, a UTC hour
ZONES = ["UTC", "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns",
         "Australia/Lord_Howe"]


def test_a_whole_hour_zone_keeps_its_dirty_hours_as_they_are() -> None:
    found = stretches({7: [H, H + 3600, H + 3 * 3600]}, {7: "Europe/Berlin"})
    assert found == [Stretch(7, [H, H + 3600, H + 7200], False),
                     Stretch(7, [H + 3 * 3600, H + 4 * 3600], False)]


def test_a_half_hour_zone_widens_to_the_local_hours_around_its_dirty_hours() -> None:
    found = stretches({7: [H]}, {7: "Asia/Kolkata"})  # local hours start at :30 UTC
    assert found == [Stretch(7, [H - 1800, H + 1800, H + 5400], True)]


def test_a_counter_without_a_site_counts_in_utc() -> None:
    assert stretches({7: [H]}, {}) == [Stretch(7, [H, H + 3600], False)]


def test_slices_read_each_instant_once_with_every_counter_that_needs_it() -> None:
    utc = Stretch(1, [H, H + 3600, H + 7200], False)
    kolkata = Stretch(2, [H + 1800, H + 5400, H + 9000], True)
    assert slices([utc, kolkata]) == [
        Slice(H, H + 1800, [1]), Slice(H + 1800, H + 7200, [1, 2]), Slice(H + 7200, H + 9000, [2])]


def test_time_no_stretch_covers_is_not_read_and_equal_neighbours_are_one_slice() -> None:
    gappy = [Stretch(1, [H, H + 3600], False), Stretch(1, [H + 7200, H + 10800], False)]
    assert slices(gappy) == [Slice(H, H + 3600, [1]), Slice(H + 7200, H + 10800, [1])]
    touching = [Stretch(1, [H, H + 3600], False), Stretch(1, [H + 3600, H + 7200], False)]
    assert slices(touching) == [Slice(H, H + 7200, [1])]


@given(st.dictionaries(st.integers(1, 6), st.lists(st.integers(0, 40), min_size=1, max_size=12),
                       min_size=1, max_size=6),
       st.lists(st.sampled_from(ZONES), min_size=6, max_size=6))
def test_every_local_hour_is_read_once_for_its_counter_and_nothing_else_is(
    dirty: dict[int, list[int]], zone_names: list[str]
) -> None:
    hours = {c: [H + h * 3600 for h in marked] for c, marked in dirty.items()}
    zones = {c: zone_names[c - 1] for c in hours}
    work = stretches(hours, zones)
    cut = slices(work)
    assert all(a.hi <= b.lo for a, b in pairwise(cut))  # disjoint, in order
    for c, marked in hours.items():
        mine = [s for s in work if s.counter_id == c]
        assert all(a.hi <= b.lo for a, b in pairwise(mine))  # no shared local hour
        for hour in marked:  # each dirty hour lies in one of its stretches
            assert sum(s.lo <= hour and hour + 3600 <= s.hi for s in mine) == 1
        # The slices naming the counter are exactly its stretches' time.
        read = [(x.lo, x.hi) for x in cut if c in x.counter_ids]
        assert _union(read) == _union([(s.lo, s.hi) for s in mine])


# One zone of each history of offsets off the whole hour since 2000 (the others are
# aliases or share one): the only zones whose local hours are not all UTC hours.
IRREGULAR = ["Asia/Kolkata", "Asia/Colombo", "Asia/Kathmandu", "Asia/Tehran", "Asia/Kabul",
             "Asia/Yangon", "Asia/Pyongyang", "America/Caracas", "America/St_Johns",
             "Australia/Adelaide", "Australia/Darwin", "Australia/Eucla", "Australia/Lord_Howe",
             "Pacific/Chatham", "Pacific/Marquesas", "Pacific/Norfolk"]


def test_no_local_hour_reaches_across_a_whole_utc_hour() -> None:
    """What keeps a counter's stretches apart (see `stretches`), 2000-2040."""
    start = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(2040, 1, 1, tzinfo=UTC).timestamp())
    for name in IRREGULAR:
        tz = zone(name)
        for _a, change, _offset in offset_stretches(tz, start, end)[:-1]:
            hour = change - change % 3600
            for lo, hi in pairwise(local_hour_edges(tz, hour - 3 * 3600, hour + 4 * 3600)):
                after = lo - lo % 3600 + 3600  # the first UTC hour starting after lo
                assert hi <= after + 3600, (name, lo, hi)


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]
