"""Plan apiCount requests (pure): windows of at most 24 h on the counter's local clock, and their query.

The device reads `date_*`/`time_*` as its own local wall clock and lays intervals on its local
grid, so windows run from local midnight to local midnight (24 h of wall clock, 23 or 25 real
hours on DST days) and start on the interval grid: every interval comes back whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from footfall.connectors.device_api.config import DeviceApiConfig


@dataclass(frozen=True, slots=True)
class Window:
    """One apiCount request's span [start_ts, end_ts), epoch seconds."""

    start_ts: int
    end_ts: int


def utc_offset(ts: int, zone: ZoneInfo) -> int:
    """The zone's UTC offset in seconds at epoch second `ts`."""
    offset = datetime.fromtimestamp(ts, zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def align_down(ts: int, interval_s: int, zone: ZoneInfo) -> int:
    """The start of the local-grid interval holding `ts` (hours follow :30 and :45 zones)."""
    return ts - (ts + utc_offset(ts, zone)) % interval_s


def next_midnight(ts: int, zone: ZoneInfo) -> int:
    """The next local midnight after `ts`, epoch seconds."""
    day = datetime.fromtimestamp(ts, zone).date() + timedelta(days=1)
    return int(datetime.combine(day, time(), tzinfo=zone).timestamp())


def local_midnight(ts: int, zone: ZoneInfo) -> int:
    """The local midnight starting the day of `ts`, epoch seconds."""
    day = datetime.fromtimestamp(ts, zone).date()
    return int(datetime.combine(day, time(), tzinfo=zone).timestamp())


def plan(start_ts: int, end_ts: int, zone: ZoneInfo, max_span_s: int = 86400) -> list[Window]:
    """[start_ts, end_ts) cut at local midnights, and every `max_span_s` when that is under a day."""
    windows: list[Window] = []
    at = start_ts
    while at < end_ts:
        # Midnight to midnight is 24 h of wall clock even when DST makes it 23 or 25 real hours.
        stop = min(next_midnight(at, zone), end_ts)
        if max_span_s < 86400:
            stop = min(stop, at + max_span_s)
        windows.append(Window(at, stop))
        at = stop
    return windows


def query(window: Window, zone: ZoneInfo, config: DeviceApiConfig) -> dict[str, str]:
    """The apiCount parameters of one window (without the access token)."""
    start = datetime.fromtimestamp(window.start_ts, zone)
    end = datetime.fromtimestamp(window.end_ts, zone)
    params = {
        "data_type": config.data_type, "data_format": config.resolution,
        "date_start": f"{start:%Y%m%d}", "time_start": f"{start:%H%M%S}",
        "date_end": f"{end:%Y%m%d}", "time_end": f"{end:%H%M%S}",
    }
    if config.resolution == "minute":
        params["resolution_min"] = str(config.resolution_step)
    elif config.resolution == "second":
        params["resolution_sec"] = str(config.resolution_step)
    return params


def first_start(until_ts: int, days: int, interval_s: int, zone: ZoneInfo) -> int:
    """Where a counter with no watermark starts: local midnight `days` days before `until_ts`."""
    return align_down(local_midnight(until_ts - days * 86400, zone), interval_s, zone)
