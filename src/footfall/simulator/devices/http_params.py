"""The device API's apiCount parameters: parse and validate them, and lay out the interval grid.

Pure: query items, the counter's time zone and its local "today" in; a `CountQuery` or an
`ApiError` naming the parameter at fault out. Dates and times are the counter's local clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

DATA_TYPES = ("json", "xml")
DATA_FORMATS = ("hour", "minute", "second")
RESOLUTIONS = ("1", "5", "10", "15", "30", "60")
# The resolution parameter of a data format, and the seconds one unit of it is worth.
RESOLUTION_PARAMETERS = {"resolution_min": ("minute", 60), "resolution_sec": ("second", 1)}
COUNT_PARAMETERS = ("data_type", "data_format", *RESOLUTION_PARAMETERS,
                    "date_start", "date_end", "time_start", "time_end", "access_token")
MAX_WINDOW = timedelta(hours=24)
_DIGITS = {8: re.compile(r"[0-9]{8}"), 6: re.compile(r"[0-9]{6}")}


class ApiError(Exception):
    """A request the device refuses: HTTP status, a machine-readable code, the parameter at fault."""

    def __init__(self, status: int, code: str, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.parameter = parameter


@dataclass(frozen=True, slots=True)
class CountQuery:
    """A valid apiCount request: format, resolution in seconds and the local window [start, end)."""

    data_type: str
    data_format: str
    resolution: int
    start: datetime
    end: datetime


def reply_type(items: Iterable[tuple[str, str]]) -> str:
    """The data type a reply (errors included) is rendered in: xml only when validly asked for."""
    return "xml" if ("data_type", "xml") in list(items) else "json"


def single_values(items: Iterable[tuple[str, str]], allowed: tuple[str, ...]) -> dict[str, str]:
    """The query as a dict, refusing parameters the endpoint does not know or that come twice."""
    values: dict[str, str] = {}
    for name, value in items:
        if name not in allowed:
            raise ApiError(400, "unknown_parameter",
                           f"unknown parameter {name!r}; this endpoint takes {', '.join(allowed)}", name)
        if name in values:
            raise ApiError(400, "repeated_parameter", f"parameter {name!r} is given more than once", name)
        values[name] = value
    return values


def parse_count_query(items: Iterable[tuple[str, str]], tz: tzinfo, today: date) -> CountQuery:
    """Validate apiCount's parameters against the counter's zone and local date (for the defaults)."""
    values = single_values(items, COUNT_PARAMETERS)
    data_type = _choice(values, "data_type", DATA_TYPES)
    data_format = _choice(values, "data_format", DATA_FORMATS)
    resolution = _resolution(values, data_format)
    start, end = _window(values, tz, today)
    return CountQuery(data_type, data_format, resolution, start, end)


def interval_grid(start: int, end: int, resolution: int, tz: tzinfo) -> list[int]:
    """Interval bounds (epoch s) of [start, end): the resolution's local-clock grid, cut at the ends."""
    bounds = [start]
    for span_start, span_end, offset in _offset_spans(start, end, tz):
        point = span_start + (-(span_start + offset)) % resolution
        for t in range(point, span_end, resolution):
            if t > bounds[-1]:
                bounds.append(t)
    if end > bounds[-1]:
        bounds.append(end)
    return bounds


def utc_offset(t: int, tz: tzinfo) -> int:
    """The zone's UTC offset in seconds at epoch second `t`."""
    offset = datetime.fromtimestamp(t, tz).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _offset_spans(start: int, end: int, tz: tzinfo) -> list[tuple[int, int, int]]:
    """[start, end) cut where the zone's offset changes, as (span start, span end, offset)."""
    spans = []
    span_start, offset, previous = start, utc_offset(start, tz), start
    probes = [*range(start + 3600, end, 3600), end - 1]  # DST changes are hours apart, never closer
    for probe in probes:
        if utc_offset(probe, tz) != offset:
            low, high = previous, probe
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if utc_offset(middle, tz) == offset else (low, middle)
            spans.append((span_start, high, offset))
            span_start, offset = high, utc_offset(high, tz)
        previous = probe
    spans.append((span_start, end, offset))
    return spans


def _choice(values: dict[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = values.get(name, choices[0])
    if value not in choices:
        raise _bad(name, f"{name} must be one of {', '.join(choices)} (got {value!r})")
    return value


def _resolution(values: dict[str, str], data_format: str) -> int:
    """The interval length in seconds: an hour, or the format's resolution parameter (default 1)."""
    for name, (fmt, _unit) in RESOLUTION_PARAMETERS.items():
        if name in values and fmt != data_format:
            raise _bad(name, f"{name} applies only to data_format={fmt} (not {data_format})")
    if data_format == "hour":
        return 3600
    name, unit = next((n, u) for n, (fmt, u) in RESOLUTION_PARAMETERS.items() if fmt == data_format)
    value = values.get(name, "1")
    if value not in RESOLUTIONS:
        raise _bad(name, f"{name} must be one of {', '.join(RESOLUTIONS)} (got {value!r})")
    return int(value) * unit


def _window(values: dict[str, str], tz: tzinfo, today: date) -> tuple[datetime, datetime]:
    """The local window [date_start time_start, date_end time_end), at most 24 h on the wall clock."""
    date_start, date_end = _date(values, "date_start"), _date(values, "date_end")
    first = date_start or date_end or today - timedelta(days=1)
    last = date_end or first
    # Same tzinfo on both ends: subtraction below is wall-clock time, as the limit is meant.
    start = datetime.combine(first, time(), tzinfo=tz) + _clock_time(values, "time_start", "000000")
    end = datetime.combine(last, time(), tzinfo=tz) + _clock_time(values, "time_end", "240000")
    if end <= start:
        raise ApiError(400, "bad_window", f"the window ends ({end:%Y-%m-%d %H:%M:%S}) before or when it "
                       f"starts ({start:%Y-%m-%d %H:%M:%S}); set date_end for a window past midnight",
                       "time_end")
    if end - start > MAX_WINDOW:
        raise ApiError(400, "window_too_long", f"the window {start:%Y-%m-%d %H:%M:%S} .. "
                       f"{end:%Y-%m-%d %H:%M:%S} is {end - start} long; at most 24 hours per request",
                       "date_end")
    return start, end


def _date(values: dict[str, str], name: str) -> date | None:
    value = values.get(name)
    if value is None:
        return None
    try:
        if not _DIGITS[8].fullmatch(value):
            raise ValueError
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise _bad(name, f"{name} must be a date YYYYMMDD (got {value!r})") from None


def _clock_time(values: dict[str, str], name: str, default: str) -> timedelta:
    """A local time of day HHmmss as time since midnight; time_end may be 240000 (end of the day)."""
    value = values.get(name, default)
    valid = bool(_DIGITS[6].fullmatch(value))
    hours, minutes, seconds = (int(value[i:i + 2]) for i in (0, 2, 4)) if valid else (0, 0, 0)
    end_of_day = name == "time_end" and value == "240000"
    valid = valid and minutes < 60 and seconds < 60 and (hours < 24 or end_of_day)
    if not valid:
        latest = "240000" if name == "time_end" else "235959"
        raise _bad(name, f"{name} must be a time HHmmss, 000000 to {latest} (got {value!r})")
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _bad(name: str, message: str) -> ApiError:
    return ApiError(400, "bad_parameter", message, name)
