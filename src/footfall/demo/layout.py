"""What the demo estate is made of: one company, two stores in two zones, five counters."""

from __future__ import annotations

from dataclasses import dataclass, field

COMPANY = "Demo Retail"
GROUP = "All stores"
DEFAULT_SEED = 20200617
DEFAULT_DAYS = 30

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _hours(weekdays: tuple[str, str], sunday: tuple[str, str]) -> dict[str, list[list[str]]]:
    hours = {day: [list(weekdays)] for day in _WEEKDAYS[:6]}
    hours["sun"] = [list(sunday)]
    return hours


@dataclass(frozen=True, slots=True)
class DemoCounter:
    """One door counter: its base traffic, whether line 2 watches the street, a day it missed."""

    serial: str
    name: str
    daily_visitors: int
    outside_line: bool = False
    # A whole local day the counter did not report: days before the last day of history.
    misses_day: int | None = None


@dataclass(frozen=True, slots=True)
class DemoSite:
    """One store with its zone, opening hours and counters."""

    code: str
    name: str
    timezone: str
    city: str
    country: str
    capacity: int
    opening_hours: dict[str, list[list[str]]]
    counters: tuple[DemoCounter, ...] = field(default_factory=tuple)

    def open_hours(self, weekday: int) -> list[int]:
        """Local hours (0-23) the store is open on a weekday (0 = Monday)."""
        hours: list[int] = []
        for start, end in self.opening_hours.get(_WEEKDAYS[weekday], []):
            hours.extend(range(int(start[:2]), int(end[:2])))
        return hours


SITES: tuple[DemoSite, ...] = (
    DemoSite(
        "LDN01", "London Oxford Street", "Europe/London", "London", "GB", 400,
        _hours(("09:00", "20:00"), ("11:00", "17:00")),
        (
            DemoCounter("00000000d3m0a001", "Main entrance", 900, outside_line=True),
            DemoCounter("00000000d3m0a002", "Side entrance", 350),
            DemoCounter("00000000d3m0a003", "Car park entrance", 220),
        ),
    ),
    DemoSite(
        "KUL01", "Kuala Lumpur Pavilion", "Asia/Kuala_Lumpur", "Kuala Lumpur", "MY", 300,
        _hours(("10:00", "22:00"), ("10:00", "22:00")),
        (
            DemoCounter("00000000d3m0b001", "Mall entrance", 700),
            DemoCounter("00000000d3m0b002", "Street entrance", 300, misses_day=2),
        ),
    ),
)
