"""The demo's traffic model: pure functions from a seeded RNG to hourly counts of one door.

A day has a weekly factor (quiet Monday, busy Saturday), a two-peak daily curve (lunch and
early evening) inside opening hours, a small staff share, and passers-by in front of the
store from which visitors turn in at a plausible rate. Everyone who enters leaves the same
day, so in and out balance over the day and occupancy never goes below zero.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

# Monday … Sunday.
WEEKLY = (0.80, 0.85, 0.90, 1.00, 1.20, 1.40, 0.95)
# Share of an hour's visitors who also leave within it; the rest leave the next hour.
LEAVE_SAME_HOUR = 0.55
# Local hours with passers-by on the street, open or not.
STREET_HOURS = range(7, 23)


@dataclass(frozen=True, slots=True)
class HourTraffic:
    """One local hour of one counter: visitors, staff and passers-by (both directions)."""

    hour: int
    visitors_in: int = 0
    visitors_out: int = 0
    staff_in: int = 0
    staff_out: int = 0
    outside_in: int = 0
    outside_out: int = 0


def daily_curve(hour: int) -> float:
    """Relative visitor rate at a local hour: a lunch peak and a larger after-work peak."""
    lunch = math.exp(-(((hour + 0.5) - 13.0) / 1.6) ** 2)
    evening = 1.2 * math.exp(-(((hour + 0.5) - 17.5) / 1.8) ** 2)
    return 0.35 + lunch + evening


def _spread(total: int, weights: list[float]) -> list[int]:
    """Split `total` over `weights` in whole people (largest remainder, so the sum is exact)."""
    if not weights:
        return []
    scale = sum(weights)
    shares = [total * w / scale for w in weights]
    whole = [math.floor(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: whole[i] - shares[i])
    for i in order[: total - sum(whole)]:
        whole[i] += 1
    return whole


def _departures(arrivals: list[int]) -> list[int]:
    """Who leaves each hour: part of the hour's arrivals now, the rest next hour; none left over."""
    leaving = [0] * len(arrivals)
    carry = 0
    for i, came in enumerate(arrivals):
        now = round(came * LEAVE_SAME_HOUR)
        leaving[i] = carry + now
        carry = came - now
    if leaving:
        leaving[-1] += carry
    return leaving


def day_traffic(rng: random.Random, weekday: int, open_hours: list[int], daily_visitors: int,
                outside: bool) -> dict[int, HourTraffic]:
    """Traffic of one counter for one local day, keyed by local hour (0-23)."""
    visitors = round(daily_visitors * WEEKLY[weekday] * rng.uniform(0.9, 1.1)) if open_hours else 0
    weights = [daily_curve(h) * rng.uniform(0.85, 1.15) for h in open_hours]
    arrivals = dict(zip(open_hours, _spread(visitors, weights), strict=True))
    departures = dict(zip(open_hours, _departures(list(arrivals.values())), strict=True))
    staff_in, staff_out = _staff(rng, open_hours)
    hours: dict[int, HourTraffic] = {}
    for hour in range(24):
        passers = _passers(rng, hour, arrivals.get(hour, 0), daily_visitors) if outside else 0
        passers_in = round(passers * rng.uniform(0.42, 0.58))
        hours[hour] = HourTraffic(
            hour, arrivals.get(hour, 0), departures.get(hour, 0),
            staff_in.get(hour, 0), staff_out.get(hour, 0), passers_in, passers - passers_in)
    return hours


def _staff(rng: random.Random, open_hours: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Staff arrive in the first open hour, some step out for lunch, all leave at closing."""
    if len(open_hours) < 2:
        return {}, {}
    crew = rng.randint(3, 6)
    first, last = open_hours[0], open_hours[-1]
    came, left = {first: crew}, {last: crew}
    lunch = [h for h in open_hours if 12 <= h <= 13 and h + 1 in open_hours and h + 1 != last]
    if lunch:
        breakers = crew // 2
        left[lunch[0]] = left.get(lunch[0], 0) + breakers
        came[lunch[0] + 1] = came.get(lunch[0] + 1, 0) + breakers
    return came, left


def _passers(rng: random.Random, hour: int, arrivals: int, daily_visitors: int) -> int:
    """Passers-by this hour: visitors over a turn-in rate when open, a street trickle when not."""
    if arrivals:
        return round(arrivals / rng.uniform(0.08, 0.14))
    if hour in STREET_HOURS:
        return round(daily_visitors / 40 * daily_curve(hour) * rng.uniform(0.7, 1.3))
    return rng.randint(0, 3)
