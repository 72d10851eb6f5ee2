"""Local sales hours → the UTC instants they start at, per site time zone.

A DateTime marks the start of its interval in the site's local time; the rows of one local
hour are summed into that hour. On a fall-back night the repeated hour is read as its first
occurrence (a sales file cannot tell the two apart); a time in the hour skipped by a
spring-forward change is read with the offset before the change, which lands it in the
next real hour. Both are summed, never dropped.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice, repeat
from operator import ne, sub
from zoneinfo import ZoneInfo

from footfall.sales.fields import HOUR_BITS
from footfall.sales.runs import HourSums

_EPOCH_DAY = date(1970, 1, 1).toordinal()
_SECOND = timedelta(seconds=1)


def hour_start_ts(hour_ordinal: int, tz: ZoneInfo) -> int:
    """The UTC instant at which a local hour (date.toordinal() * 24 + hour) begins.

    The local time less the zone's offset at it (fold 0: the offset before a change, as
    an aware datetime's timestamp takes it).
    """
    day, hour = divmod(hour_ordinal, 24)
    offset = tz.utcoffset(datetime.fromordinal(day).replace(hour=hour)) or timedelta()
    return (day - _EPOCH_DAY) * 86400 + hour * 3600 - offset // _SECOND


class _HourStarts(dict[int, int]):
    """Local hour → UTC start in one zone, computed once per hour (sites share zones)."""

    def __init__(self, tz: ZoneInfo) -> None:
        super().__init__()
        self.tz = tz

    def __missing__(self, hour: int) -> int:
        start = self[hour] = hour_start_ts(hour, self.tz)
        return start


@dataclass(slots=True)
class SiteHours:
    """Sales hours to store, one list per column, by site and start, each (site, start) once."""

    site_ids: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # UTC start of the local hour
    transactions: list[int] = field(default_factory=list)
    cents: list[int] = field(default_factory=list)
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)  # site id → first, last start

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def first_ts(self) -> int | None:
        """The earliest hour start of any site (None when empty)."""
        return min((first for first, _last in self.spans.values()), default=None)

    @property
    def last_ts(self) -> int | None:
        """The latest hour start of any site (None when empty)."""
        return max((last for _first, last in self.spans.values()), default=None)

    def as_dict(self) -> dict[tuple[int, int], tuple[int, int]]:
        """(site id, UTC start) → (transactions, cents)."""
        return dict(zip(zip(self.site_ids, self.starts, strict=True),
                        zip(self.transactions, self.cents, strict=True), strict=True))


def utc_hours(sums: HourSums, codes: Sequence[str], sites: Mapping[str, tuple[int, ZoneInfo]]) -> SiteHours:
    """The reader's sums per site code and local hour as sums per site id and UTC hour start.

    The sums come in key order (site by site, hour by hour: the order the table's index
    wants), so each site is one slice, converted with `map`, and its span is its first and
    last start, as a zone's hour starts never go back. A skipped spring-forward hour starts
    where the next one does: only then are two neighbours added up, one by one.
    """
    keys = sums.keys
    zones: dict[ZoneInfo, _HourStarts] = {}
    out = SiteHours(transactions=sums.transactions, cents=sums.cents)
    lo = 0
    while lo < len(keys):
        index = keys[lo] >> HOUR_BITS
        base = index << HOUR_BITS
        hi = bisect_left(keys, base + (1 << HOUR_BITS), lo)
        site_id, tz = sites[codes[index]]
        starts_of = zones.setdefault(tz, _HourStarts(tz))
        first = len(out.starts)
        out.starts += map(starts_of.__getitem__, map(sub, keys[lo:hi], repeat(base)))
        out.site_ids += repeat(site_id, hi - lo)
        out.spans[site_id] = (out.starts[first], out.starts[-1])
        lo = hi
    if not all(map(ne, out.starts, islice(out.starts, 1, None))):
        _merge_same_hour(out)
    return out


def _merge_same_hour(hours: SiteHours) -> None:
    """Add up neighbouring rows of the same site and UTC hour (in place)."""
    columns: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])
    site_ids, starts, quantities, cents = columns
    for site_id, start, q, c in zip(hours.site_ids, hours.starts, hours.transactions, hours.cents,
                                    strict=True):
        if starts and starts[-1] == start and site_ids[-1] == site_id:
            quantities[-1] += q
            cents[-1] += c
        else:
            for column, value in zip(columns, (site_id, start, q, c), strict=True):
                column.append(value)
    hours.site_ids, hours.starts, hours.transactions, hours.cents = columns


def local_label(hour_ordinal: int) -> str:
    """A local hour as `YYYY-MM-DD HH:00`, for messages."""
    day, hour = divmod(hour_ordinal, 24)
    return f"{date.fromordinal(day).isoformat()} {hour:02d}:00"
