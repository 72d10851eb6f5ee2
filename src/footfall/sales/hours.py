"""Local sales hours → the UTC instants they start at, per site time zone.

A DateTime marks the start of its interval in the site's local time; the rows of one local
hour are summed into that hour. On a fall-back night the repeated hour is read as its first
occurrence (a sales file cannot tell the two apart); a time in the hour skipped by a
spring-forward change is read with the offset before the change, which lands it in the
next real hour. Both are summed, never dropped.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import repeat
from operator import and_, or_, rshift
from zoneinfo import ZoneInfo

from footfall.sales.columns import HourSums
from footfall.sales.fields import HOUR_BITS, HOUR_MASK


def hour_start_ts(hour_ordinal: int, tz: ZoneInfo) -> int:
    """The UTC instant at which a local hour (date.toordinal() * 24 + hour) begins."""
    day, hour = divmod(hour_ordinal, 24)
    local = datetime.combine(date.fromordinal(day), time(hour), tzinfo=tz)
    return int(local.timestamp())


class _HourStarts(dict[int, int]):
    """(zone index << HOUR_BITS) + local hour → UTC start, computed once (sites share zones).

    `gaps` tells whether a skipped spring-forward hour was asked for: it starts where the
    next hour does, so two keys of one site may then fall into the same UTC hour.
    """

    def __init__(self, zones: list[ZoneInfo]) -> None:
        super().__init__()
        self.zones = zones
        self.gaps = False

    def __missing__(self, key: int) -> int:
        tz, hour = self.zones[key >> HOUR_BITS], key & HOUR_MASK
        start = self[key] = hour_start_ts(hour, tz)
        if start == hour_start_ts(hour + 1, tz):
            self.gaps = True
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

    Column by column with `map`, in key order (site by site, hour by hour: the order the
    table's index wants), so a site's span is its first and last row, as a zone's hour
    starts never go back. Only rows in a skipped spring-forward hour are then added up one
    by one (that hour lands in the next one).
    """
    zones: dict[ZoneInfo, int] = {}
    zone_bits = [zones.setdefault(sites[code][1], len(zones)) << HOUR_BITS for code in codes]
    site_id_of = [sites[code][0] for code in codes]
    starts_of = _HourStarts(list(zones))
    order = sorted(range(len(sums.keys)), key=sums.keys.__getitem__)
    keys = list(map(sums.keys.__getitem__, order))
    site_index = list(map(rshift, keys, repeat(HOUR_BITS)))
    out = SiteHours(
        list(map(site_id_of.__getitem__, site_index)),
        list(map(starts_of.__getitem__, map(or_, map(zone_bits.__getitem__, site_index),
                                            map(and_, keys, repeat(HOUR_MASK))))),
        list(map(sums.transactions.__getitem__, order)), list(map(sums.cents.__getitem__, order)))
    lo = 0
    while lo < len(site_index):
        hi = bisect_right(site_index, site_index[lo], lo)
        out.spans[out.site_ids[lo]] = (out.starts[lo], out.starts[hi - 1])
        lo = hi
    if starts_of.gaps:
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
