"""Local sales hours → the UTC instants they start at, per site time zone.

A DateTime marks the start of its interval in the site's local time; the rows of one local
hour are summed into that hour. On a fall-back night the repeated hour is read as its first
occurrence (a sales file cannot tell the two apart); a time in the hour skipped by a
spring-forward change is read with the offset before the change, which lands it in the
next real hour. Both are summed, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from footfall.sales.fields import CODE_BITS

HourTotals = dict[tuple[int, int], list[int]]  # (site id, UTC start) → [transactions, cents]


def hour_start_ts(hour_ordinal: int, tz: ZoneInfo) -> int:
    """The UTC instant at which a local hour (date.toordinal() * 24 + hour) begins."""
    day, hour = divmod(hour_ordinal, 24)
    local = datetime.combine(date.fromordinal(day), time(hour), tzinfo=tz)
    return int(local.timestamp())


def utc_hours(hourly: Mapping[int, list[int]], codes: Sequence[str],
              sites: Mapping[str, tuple[int, ZoneInfo]]) -> HourTotals:
    """The reader's hourly totals (local hour << CODE_BITS + code index) by (site id, UTC start)."""
    mask = (1 << CODE_BITS) - 1
    zones: dict[ZoneInfo, int] = {}
    site_of = [(sites[code][0], zones.setdefault(sites[code][1], len(zones))) for code in codes]
    zone_list = list(zones)
    starts: dict[int, int] = {}  # hour * zones + zone → start: sites share zones
    merged: HourTotals = {}
    width = len(zone_list)
    for key, (transactions, cents) in hourly.items():
        site_id, zone_index = site_of[key & mask]
        hour = key >> CODE_BITS
        start = starts.get(hour * width + zone_index)
        if start is None:
            start = starts[hour * width + zone_index] = hour_start_ts(hour, zone_list[zone_index])
        cell = merged.get((site_id, start))
        if cell is None:
            merged[(site_id, start)] = [transactions, cents]
        else:  # a skipped spring-forward hour lands in the next one
            cell[0] += transactions
            cell[1] += cents
    return merged


def local_label(hour_ordinal: int) -> str:
    """A local hour as `YYYY-MM-DD HH:00`, for messages."""
    day, hour = divmod(hour_ordinal, 24)
    return f"{date.fromordinal(day).isoformat()} {hour:02d}:00"
