"""The simulated counters the device API tests pull: two sites, a :45 zone, one with its own password."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from footfall.simulator.fleet import CounterSpec, Fleet, SiteSpec

OPEN = ((9 * 60, 20 * 60),) * 7
LONDON, KATHMANDU = ZoneInfo("Europe/London"), ZoneInfo("Asia/Kathmandu")
FRONT, BACK, KTM = "00000000000000a1", "00000000000000a2", "00000000000000b1"


def _counter(serial: str, number: int, site: str, door: int, outside: bool, **login: str) -> CounterSpec:
    return CounterSpec(serial, f"FFC-2024-{number:06d}", site, door, 1.0, outside, ("http",), **login)


FLEET = Fleet(
    seed=21,
    sites=(
        SiteSpec("LDN", "London High Street", "Europe/London", OPEN, 3000),
        SiteSpec("KTM", "Kathmandu Mall", "Asia/Kathmandu", OPEN, 1500),
    ),
    counters=(
        _counter(FRONT, 101, "LDN", 1, True),
        _counter(BACK, 102, "LDN", 2, False, password="s3cret"),
        _counter(KTM, 201, "KTM", 1, True),
    ),
)
SERIALS = tuple(c.serial for c in FLEET.counters)
# A Friday 06:00 in London: the counters hold Thursday and the night so far.
NOW = int(datetime(2025, 11, 21, 6, 0, tzinfo=LONDON).timestamp())
ZONES = {FRONT: LONDON, BACK: LONDON, KTM: KATHMANDU}
