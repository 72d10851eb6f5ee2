"""In-C-X / Out-C-X → hourly reported counts (pure: property values in, payloads out).

X counts hours back from the device's current local clock hour: X = 0 is the hour in
progress, X = 1 the last complete one. Only X ≥ 1 is stored. The device's own local date and
time, read first and last in every request, fix what "the current hour" is, so a request
that straddles the top of an hour is refused rather than stored one hour off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

SOURCE = "bacnet"
HOURS = 48
HOUR = 3600
ENTRANCE_LINE = 1  # the properties count the door's visitors: the counter's entrance line
WILDCARD_INSTANCE = 4194303  # "the device I am talking to", for devices that honour it
OUT_OFFSET = HOURS  # analog-value instances: In-C-X is X, Out-C-X is 48 + X
_NAME = re.compile(r"^(In|Out)-C-(\d{1,2})$")


class BadReading(ValueError):
    """The device's answer cannot be stored; the message says which property and why."""


def device_instance(company_serial: str | None) -> int | None:
    """The seeds' device instance: the last six digits of the company serial (None without one)."""
    digits = re.sub(r"\D", "", company_serial or "")
    return int(digits[-6:]) if digits else None


def request(hours: Iterable[int], instance: int | None = None) -> list[Any]:
    """A ReadPropertyMultiple list: device clock, In-C-X / Out-C-X names and values, the clock again."""
    clock = [f"device,{WILDCARD_INSTANCE if instance is None else instance}", ["local-date", "local-time"]]
    body: list[Any] = []
    for x in hours:
        for instance in (x, OUT_OFFSET + x):
            body += [f"analog-value,{instance}", ["object-name", "present-value"]]
    return clock + body + clock


def device_hour(results: list[tuple[Any, Any, Any, Any]]) -> datetime:
    """The device's current local clock hour (wall clock), the same at the start and end of the answer."""
    clock_props = ("local-date", "local-time")
    readings = [(str(prop), value) for _obj, prop, _index, value in results if str(prop) in clock_props]
    if len(readings) != 4:
        raise BadReading("the device did not report its local date and time")
    hours = set()
    for (_, day), (_, clock) in zip(readings[0::2], readings[1::2], strict=True):
        try:
            year, month, mday = tuple(day)[:3]
            hour = next(iter(clock))
            # The wall clock held as if UTC; `hour_start` places it in the site's zone.
            hours.add(datetime(year + 1900, month, mday, hour, tzinfo=UTC))
        except (TypeError, ValueError, StopIteration):
            raise BadReading(f"the device's local date/time {day!r} {clock!r} is not valid") from None
    if len(hours) != 1:
        raise BadReading("the device's hour changed during the request; read again")
    return hours.pop()


def hour_start(local_hour: datetime, timezone: str, near_ts: float) -> int:
    """Epoch second of a local clock hour; on a fall-back night, the one nearest to `near_ts`."""
    zone = ZoneInfo(timezone)
    candidates = {int(local_hour.replace(tzinfo=zone, fold=fold).timestamp()) for fold in (0, 1)}
    return min(candidates, key=lambda ts: abs(ts + HOUR / 2 - near_ts))


def hour_values(results: list[tuple[Any, Any, Any, Any]]) -> dict[int, list[int]]:
    """{X: [in, out]} from the answer, matched by object name (In-C-X / Out-C-X)."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    for obj, prop, _index, value in results:
        if str(prop) == "object-name":
            names[str(obj)] = str(value)
        elif str(prop) == "present-value":
            values[str(obj)] = value
    counts: dict[int, list[int | None]] = {}
    for obj, value in values.items():
        match = _NAME.match(names.get(obj, ""))
        if match is None:
            raise BadReading(f"{obj} is named {names.get(obj)!r}, not In-C-X / Out-C-X")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or value != int(value):
            raise BadReading(f"{names[obj]}: {value!r} is not a whole count ≥ 0")
        slot = counts.setdefault(int(match.group(2)), [None, None])
        slot[0 if match.group(1) == "In" else 1] = int(value)
    for x, (ins, outs) in counts.items():
        if ins is None or outs is None:
            raise BadReading(f"hour {x}: got {'In' if ins is not None else 'Out'}-C-{x} without its pair")
    return {x: [int(i or 0), int(o or 0)] for x, (i, o) in counts.items()}


def payloads(serial: str, h0: int, counts: dict[int, list[int]]) -> list[dict[str, Any]]:
    """Reported counts of the complete hours (X ≥ 1) on the counter's entrance line."""
    return [{"serial": serial, "line": ENTRANCE_LINE, "start": h0 - x * HOUR, "length": HOUR,
             "in": ins, "out": outs, "source": SOURCE}
            for x, (ins, outs) in sorted(counts.items()) if 1 <= x < HOURS]


def hours_to_read(h0_estimate: int, watermark_ts: int | None) -> range:
    """X = 1 … n: every complete hour the device still holds, or only those since the watermark."""
    if watermark_ts is None:
        return range(1, HOURS)
    behind = (h0_estimate - watermark_ts) // HOUR
    return range(1, max(1, min(HOURS - 1, behind)) + 1)  # at least X = 1, read again harmlessly
