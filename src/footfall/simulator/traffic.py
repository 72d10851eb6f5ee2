"""The traffic model: who crosses which line when, pure and seeded, for any time range.

Each (site, local calendar day) is generated whole from its own RNG seeded by (fleet seed, site
code, date), so any range query gives the same crossings: the days overlapping the range are
generated (or taken from a cache) and sliced. Visitors arrive as a Poisson process inside
opening hours along a two-peak daily curve and a weekly pattern, dwell a lognormal while, and
leave by closing, often by the door they came in. Staff arrive before opening, take breaks and
leave after closing. Passers-by walk along the street line of doors that have one, at any hour;
visitors who enter through such a door crossed it first, so turn-ins never exceed passers-by.
"""

from __future__ import annotations

import hashlib
import math
import random
import uuid
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple
from zoneinfo import ZoneInfo

from footfall.simulator.fleet import ENTRANCE_ROI, OUTSIDE_ROI, Fleet, SiteSpec

VISITOR, STAFF = 1, 2     # PeopleTypeId
IN, OUT = 1, 2            # MetricId
_WEEKLY = (0.80, 0.85, 0.90, 1.00, 1.20, 1.45, 0.80)   # Monday … Sunday; busy Saturday
WEEKLY = tuple(w * 7 / sum(_WEEKLY) for w in _WEEKLY)  # mean 1: daily_visitors is an average open day
DWELL_MEDIAN_S = 18 * 60
DWELL_SIGMA = 0.75
SAME_DOOR_OUT = 0.8       # share of visitors who leave by the door they came in
CACHE_SITE_DAYS = 2048

DoorKey = tuple[tuple[str, float, bool], ...]   # (serial, door_share, outside_line) of a site's doors


class Crossing(NamedTuple):
    """One person crossing one line of one counter."""

    at: int            # UTC epoch seconds when the person crossed
    serial: str        # counter serial
    roi: int           # RoiId: ENTRANCE_ROI or OUTSIDE_ROI
    metric: int        # MetricId: 1 = in, 2 = out
    people_type: int   # PeopleTypeId: 1 = visitor, 2 = staff
    uuid: str          # deterministic UUID string of this crossing (re-sends carry the same one)


class Tally(NamedTuple):
    """Counts of one line of one counter over one interval starting at `start`."""

    start: int
    roi: int
    in_: int
    out: int
    staff_in: int
    staff_out: int


class Visit(NamedTuple):
    """One stay inside a site: in by one door, out (later) by the same or another."""

    people_type: int
    in_at: int
    in_serial: str
    out_at: int
    out_serial: str


def visitor_curve(hour: float) -> float:
    """Relative visitor arrival rate at a local (wall-clock) hour: lunch and after-work peaks."""
    lunch = math.exp(-((hour - 13.0) / 1.6) ** 2)
    evening = 1.2 * math.exp(-((hour - 17.5) / 1.8) ** 2)
    return 0.35 + lunch + evening


def street_curve(hour: float) -> float:
    """Relative street traffic at a local hour: quiet nights, commutes, a broad daytime hump."""
    return (0.04 + 0.9 * math.exp(-((hour - 13.5) / 4.0) ** 2) + 0.35 * math.exp(-((hour - 8.5) / 1.0) ** 2)
            + 0.45 * math.exp(-((hour - 17.75) / 1.2) ** 2) + 0.15 * math.exp(-((hour - 20.5) / 1.5) ** 2))


# Street traffic over 09:00-18:00 in curve-hours: passers-by scale so that turn_in_rate of them enter.
_STREET_OPEN_MASS = sum(street_curve(9 + m / 60) for m in range(9 * 60)) / 60


def _code(roi: int, metric: int, people_type: int) -> int:
    return (roi - 1) << 2 | (metric - 1) << 1 | (people_type - 1)


_STREET_WAY = (_code(OUTSIDE_ROI, OUT, VISITOR), _code(OUTSIDE_ROI, IN, VISITOR))
# code → (roi, metric, people_type)
_DECODE: tuple[tuple[int, int, int], ...] = tuple(
    ((c >> 2 & 1) + 1, (c >> 1 & 1) + 1, (c & 1) + 1) for c in range(8))


@lru_cache(maxsize=8192)
def day_window(timezone: str, ordinal: int) -> tuple[int, int]:
    """UTC epoch [start, end) of a local calendar day (23 or 25 hours on DST days)."""
    return _wall(timezone, ordinal, 0), _wall(timezone, ordinal, 1440)


def _wall(timezone: str, ordinal: int, minute: int) -> int:
    """Epoch seconds of a local wall-clock minute of a day (minute 1440 = next midnight)."""
    d = date.fromordinal(ordinal) + timedelta(days=minute // 1440)
    local = datetime(d.year, d.month, d.day, tzinfo=ZoneInfo(timezone)) + timedelta(minutes=minute % 1440)
    return int(local.timestamp())


def local_days(timezone: str, start: int, end: int) -> Iterator[int]:
    """Ordinals of the local days overlapping [start, end) epoch seconds."""
    ordinal = datetime.fromtimestamp(start, ZoneInfo(timezone)).date().toordinal()
    while day_window(timezone, ordinal)[0] > start:
        ordinal -= 1
    while day_window(timezone, ordinal)[1] <= start:
        ordinal += 1
    while day_window(timezone, ordinal)[0] < end:
        yield ordinal
        ordinal += 1


def _door_key(fleet: Fleet, code: str) -> DoorKey:
    return tuple((c.serial, c.door_share, c.outside_line) for c in fleet.doors(code))


def _poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (normal approximation for large means)."""
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _minute_hours(timezone: str, start: int, end: int) -> tuple[list[int], list[float]]:
    """Minute starts from `start` to `end` and the local wall hour of each (exact on DST days)."""
    minutes = list(range(start, end, 60))
    zone = ZoneInfo(timezone)
    first = datetime.fromtimestamp(start, zone)
    base = first.hour + first.minute / 60 + first.second / 3600
    if first.utcoffset() == datetime.fromtimestamp(max(start, end - 1), zone).utcoffset():
        return minutes, [base + (m - start) / 3600 for m in minutes]
    walls = (datetime.fromtimestamp(m, zone) for m in minutes)
    return minutes, [w.hour + w.minute / 60 + w.second / 3600 for w in walls]


def _scatter(rng: random.Random, minutes: list[int], weights: list[float], count: int) -> list[int]:
    """`count` instants drawn along per-minute weights, uniform within each minute."""
    if not minutes or count <= 0:
        return []
    uniform = rng.random
    picks = rng.choices(minutes, cum_weights=list(accumulate(weights)), k=count)
    return [m + int(uniform() * 60) for m in picks]


def generate_site_day(seed: int, site: SiteSpec, doors: DoorKey,
                      ordinal: int) -> tuple[list[Visit], dict[str, list[int]]]:
    """Every stay and every crossing key (at << 3 | code) of one site on one local day."""
    rng = random.Random(f"{seed}:{site.code}:{date.fromordinal(ordinal).isoformat()}")
    day_start, day_end = day_window(site.timezone, ordinal)
    weekday = date.fromordinal(ordinal).weekday()
    total_share = sum(share for _, share, _ in doors)
    serials = [serial for serial, _, _ in doors]
    cum_shares = list(accumulate(share / total_share for _, share, _ in doors))
    visits: list[Visit] = []
    hours = site.opening[weekday]
    expected = site.daily_visitors * WEEKLY[weekday] * rng.uniform(0.88, 1.12) if hours else 0.0
    if hours and serials:
        open_ts, close_ts = _wall(site.timezone, ordinal, hours[0]), _wall(site.timezone, ordinal, hours[1])
        visits += _visitors(rng, site, expected, open_ts, close_ts, serials, cum_shares)
        visits += _staff(rng, site, expected, (open_ts, close_ts), (day_start, day_end), serials, cum_shares)
    keys: dict[str, list[int]] = {serial: [] for serial in serials}
    for v in visits:
        keys[v.in_serial].append(v.in_at << 3 | _code(ENTRANCE_ROI, IN, v.people_type))
        keys[v.out_serial].append(v.out_at << 3 | _code(ENTRANCE_ROI, OUT, v.people_type))
    street: tuple[list[int], list[float]] | None = None
    for serial, share, outside in doors:
        if outside:
            if street is None:
                minutes, walls = _minute_hours(site.timezone, day_start, day_end)
                street = minutes, [street_curve(h) for h in walls]
            nominal = site.daily_visitors * WEEKLY[weekday] * share / total_share
            keys[serial] += _street_line(rng, site, nominal, street, [
                v.in_at for v in visits if v.people_type == VISITOR and v.in_serial == serial], day_start)
    return visits, {serial: sorted(line) for serial, line in keys.items()}


def _street_line(rng: random.Random, site: SiteSpec, nominal: float, street: tuple[list[int], list[float]],
                 turn_ins: list[int], day_start: int) -> list[int]:
    """Street-line keys of one door: those who turned in (just before entering) and the rest."""
    uniform = rng.random
    # Walkers go either way along the street: a coin toss picks the line's IN or OUT.
    keys = [max(day_start, at - 2 - int(uniform() * 19)) << 3 | _STREET_WAY[uniform() < 0.5]
            for at in turn_ins]
    # Sized so that, over a 09:00-18:00 day, turn_in_rate of all passers-by come in.
    scale = nominal / site.turn_in_rate * (1 - site.turn_in_rate) / _STREET_OPEN_MASS
    walkers = _scatter(rng, *street, _poisson(rng, scale * sum(street[1]) / 60))
    return keys + [at << 3 | _STREET_WAY[uniform() < 0.5] for at in walkers]


def _visitors(rng: random.Random, site: SiteSpec, expected: float, open_ts: int, close_ts: int,
              serials: list[str], cum_shares: list[float]) -> list[Visit]:
    """Visitors: Poisson arrivals along the daily curve, lognormal dwell, out before closing."""
    minutes, walls = _minute_hours(site.timezone, open_ts, close_ts - 120)
    arrivals = _scatter(rng, minutes, [visitor_curve(h) for h in walls], _poisson(rng, expected))
    doors = rng.choices(serials, cum_weights=cum_shares, k=len(arrivals))
    visits, uniform, gauss, mu = [], rng.random, rng.gauss, math.log(DWELL_MEDIAN_S)
    for at, door in zip(arrivals, doors, strict=True):
        dwell = max(20, int(math.exp(gauss(mu, DWELL_SIGMA))))
        exit_door = door
        if len(serials) > 1 and uniform() >= SAME_DOOR_OUT:
            exit_door = serials[bisect_left(cum_shares, uniform() * cum_shares[-1])]
        visits.append(Visit(VISITOR, at, door, min(at + dwell, close_ts - 1), exit_door))
    return visits


def _staff(rng: random.Random, site: SiteSpec, expected: float, opening: tuple[int, int],
           day: tuple[int, int], serials: list[str], cum_shares: list[float]) -> list[Visit]:
    """Staff: in before opening, a break or two, out after closing; one door each."""
    # Each member enters once plus once per break (one on average): staff_share of all ins.
    crew = max(1, round(expected * site.staff_share / (1 - site.staff_share) / 2)) if site.staff_share else 0
    visits = []
    for _ in range(crew):
        door = rng.choices(serials, cum_weights=cum_shares)[0]
        at = max(day[0], opening[0] - rng.randint(900, 3600))
        leave = max(at + 60, min(day[1] - 1, opening[1] + rng.randint(600, 2700)))
        for out_at in sorted(rng.uniform(at + 1800, leave - 1800) for _ in range(rng.randint(0, 2))):
            back = int(out_at) + rng.randint(600, 2700)
            if int(out_at) > at + 300 and back < leave - 300:
                visits.append(Visit(STAFF, at, door, int(out_at), door))
                at = back
        visits.append(Visit(STAFF, at, door, leave, door))
    return visits


@lru_cache(maxsize=CACHE_SITE_DAYS)
def _site_day(seed: int, site: SiteSpec, doors: DoorKey, ordinal: int) -> dict[str, array]:
    """The cached, compact form of a site-day: per counter, sorted crossing keys."""
    lines = generate_site_day(seed, site, doors, ordinal)[1]
    return {serial: array("q", keys) for serial, keys in lines.items()}


def warm(fleet: Fleet, start: int, end: int) -> int:
    """Generate (and cache) every site-day overlapping [start, end): a runner's start-up step."""
    days = 0
    for site in fleet.sites:
        doors = _door_key(fleet, site.code)
        for ordinal in local_days(site.timezone, start, end):
            _site_day(fleet.seed, site, doors, ordinal)
            days += 1
    return days


def site_visits(fleet: Fleet, code: str, day: date) -> list[Visit]:
    """Every stay inside a site on one local day (for checks; not cached)."""
    site = fleet.site(code)
    return generate_site_day(fleet.seed, site, _door_key(fleet, code), day.toordinal())[0]


def _slices(fleet: Fleet, serial: str, start: int, end: int) -> Iterator[tuple[array, int, int]]:
    """(keys, lo, hi) of each local day of the counter's site overlapping [start, end)."""
    site = fleet.site_of(serial)
    doors = _door_key(fleet, site.code)
    for ordinal in local_days(site.timezone, start, end):
        keys = _site_day(fleet.seed, site, doors, ordinal)[serial]
        yield keys, bisect_left(keys, start << 3), bisect_left(keys, end << 3)


def raw_crossings(fleet: Fleet, serial: str, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(at, roi, metric, people_type) of a counter's crossings in [start, end), by time; no UUIDs."""
    for keys, lo, hi in _slices(fleet, serial, start, end):
        for i in range(lo, hi):
            key = keys[i]
            yield (key >> 3, *_DECODE[key & 7])


def crossing_uuid(seed: int, serial: str, at: int, sequence: int) -> str:
    """The stable UUID (version 4 layout) of a crossing."""
    digest = hashlib.blake2b(f"{seed}:{serial}:{at}:{sequence}".encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def crossings(fleet: Fleet, serial: str, start: int, end: int) -> list[Crossing]:
    """A counter's crossings in [start, end) epoch seconds, sorted by time."""
    found = []
    for keys, lo, hi in _slices(fleet, serial, start, end):
        for i in range(lo, hi):
            at = keys[i] >> 3
            roi, metric, people_type = _DECODE[keys[i] & 7]
            uid = crossing_uuid(fleet.seed, serial, at, i)
            found.append(Crossing(at, serial, roi, metric, people_type, uid))
    return found


def fleet_crossings(fleet: Fleet, start: int, end: int) -> list[Crossing]:
    """Every counter's crossings in [start, end), sorted by (at, serial)."""
    found = [c for counter in fleet.counters for c in crossings(fleet, counter.serial, start, end)]
    found.sort(key=lambda c: (c.at, c.serial))
    return found


def tallies(fleet: Fleet, serial: str, start: int, end: int, step: int) -> list[Tally]:
    """Per-line counts per `step`-second interval aligned to the epoch, covering [start, end); zeros kept."""
    lo, hi = start - start % step, -(-end // step) * step
    rois = fleet.counter(serial).rois
    grid = {(b, roi): [0, 0, 0, 0] for b in range(lo, hi, step) for roi in rois}
    for at, roi, metric, people_type in raw_crossings(fleet, serial, lo, hi):
        grid[(at - at % step, roi)][(people_type - 1) * 2 + metric - 1] += 1
    return [Tally(b, roi, *counts) for (b, roi), counts in grid.items()]
