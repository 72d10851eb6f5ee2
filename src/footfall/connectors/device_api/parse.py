"""Read apiCount replies (pure): JSON or XML bytes in, per-line interval counts out.

A reply is taken whole or not at all: the first fault found is raised as `ReplyError`,
naming the interval, the line and the field. XML goes through defusedxml with DTDs refused,
so an entity-expansion ("billion laughs") or external-entity payload never expands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from footfall.domain.counts import ALLOWED_LENGTHS

SOURCE = "device_api"
COUNT_FIELDS = ("in", "out", "staff_in", "staff_out")
_LINE_FIELDS = ("roi_id", *COUNT_FIELDS)
_LENGTHS = frozenset(ALLOWED_LENGTHS)


class ReplyError(ValueError):
    """The reply is not a valid apiCount report; the message names where."""


@dataclass(frozen=True, slots=True)
class LineCount:
    """One line's counts in one interval: visitors in/out, staff in/out."""

    roi_id: int
    in_count: int
    out_count: int
    staff_in: int
    staff_out: int


@dataclass(frozen=True, slots=True)
class Interval:
    """One interval of the reply, [start_ts, start_ts + length_s)."""

    start_ts: int
    length_s: int
    lines: tuple[LineCount, ...]

    @property
    def end_ts(self) -> int:
        """Exclusive end, epoch seconds."""
        return self.start_ts + self.length_s


@dataclass(frozen=True, slots=True)
class CountReply:
    """An apiCount report: which counter, its zone, the window served and its intervals."""

    serial: str
    timezone: str
    start_ts: int
    end_ts: int
    intervals: tuple[Interval, ...]

    def reached(self, requested_start: int) -> int:
        """How far the reply covers: the end of its last interval (the device knows only the past)."""
        return self.intervals[-1].end_ts if self.intervals else requested_start


@dataclass(frozen=True, slots=True)
class DeviceRefusal:
    """An error reply: HTTP status, the device's code and message, the parameter at fault."""

    status: int
    code: str
    message: str
    parameter: str | None = None


def parse_reply(body: bytes, data_type: str) -> CountReply:
    """A reply in `data_type` (json or xml) as a CountReply, else ReplyError."""
    header, raw_intervals = (_json if data_type == "json" else _xml)(body)
    start, end = _instant(header, "start", "header"), _instant(header, "end", "header")
    intervals: list[Interval] = []
    previous_end = None
    instants: dict[str, int] = {}  # an interval starts where the one before ends: read each time once
    for index, raw in enumerate(raw_intervals):
        interval = _interval(raw, f"interval {index}", instants)
        if previous_end is not None and interval.start_ts < previous_end:
            raise ReplyError(f"interval {index}: starts before interval {index - 1} ends (overlap)")
        previous_end = interval.end_ts
        intervals.append(interval)
    return CountReply(_text(header, "serial", "header"), _text(header, "timezone", "header"),
                      start, end, tuple(intervals))


def parse_refusal(body: bytes, status: int) -> DeviceRefusal:
    """An error reply's code and message (JSON or XML); an unreadable one keeps the status only."""
    try:
        if body.lstrip().startswith(b"<"):
            element = fromstring(body, forbid_dtd=True)
            return DeviceRefusal(status, element.get("code", "unknown"), (element.text or "").strip(),
                                 element.get("parameter"))
        error = orjson.loads(body)["error"]
        return DeviceRefusal(status, str(error.get("code", "unknown")), str(error.get("message", "")),
                             error.get("parameter"))
    except (ParseError, DefusedXmlException, orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        return DeviceRefusal(status, "unknown", body[:200].decode("utf-8", "replace").strip())


def reported_counts(serial: str, reply: CountReply, since_ts: int, until_ts: int) -> list[dict[str, Any]]:
    """The ingest core's reported counts (source device_api) of the intervals in [since_ts, until_ts)."""
    return [
        {"serial": serial, "line": line.roi_id, "start": interval.start_ts, "length": interval.length_s,
         "in": line.in_count, "out": line.out_count, "staff_in": line.staff_in,
         "staff_out": line.staff_out, "source": SOURCE}
        for interval in reply.intervals if since_ts <= interval.start_ts and interval.end_ts <= until_ts
        for line in interval.lines
    ]


def _json(body: bytes) -> tuple[Mapping[str, Any], list[Any]]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise ReplyError(f"the reply is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise ReplyError(f"the reply is a JSON {type(document).__name__}, not an object")
    intervals = document.get("intervals")
    if not isinstance(intervals, list):
        raise ReplyError("header: 'intervals' is missing or not a list")
    return document, intervals


def _xml(body: bytes) -> tuple[Mapping[str, Any], list[Any]]:
    try:
        root = fromstring(body, forbid_dtd=True)
    except DefusedXmlException as error:
        raise ReplyError(f"the XML reply is refused: {type(error).__name__} (DTDs and entities are "
                         "not accepted)") from None
    except ParseError as error:
        raise ReplyError(f"the reply is not well-formed XML: {error}") from None
    if root.tag != "count":
        raise ReplyError(f"the XML reply's root is <{root.tag}>, not <count>")
    intervals = [dict(element.attrib, lines=[dict(line.attrib) for line in element.iter("line")])
                 for element in root.iter("interval")]
    return dict(root.attrib), intervals


def _interval(raw: Any, where: str, instants: dict[str, int]) -> Interval:
    if not isinstance(raw, dict):
        raise ReplyError(f"{where}: not an object")
    start, end = _instant(raw, "start", where, instants), _instant(raw, "end", where, instants)
    length = end - start
    if length not in _LENGTHS:
        raise ReplyError(f"{where}: {length} s long ({raw.get('start')} .. {raw.get('end')}); an interval "
                         "must divide an hour")
    if "duration" in raw and _count(raw, "duration", where) != length:
        raise ReplyError(f"{where}: duration {raw['duration']!r} does not match start..end ({length} s)")
    lines = raw.get("lines")
    if not isinstance(lines, list):
        raise ReplyError(f"{where}: 'lines' is missing or not a list")
    counts = tuple(_line(line, f"{where}, line {i}") for i, line in enumerate(lines))
    if len({c.roi_id for c in counts}) != len(counts):
        raise ReplyError(f"{where}: a line (roi_id) appears twice")
    return Interval(start, length, counts)


def _line(raw: Any, where: str) -> LineCount:
    if not isinstance(raw, dict):
        raise ReplyError(f"{where}: not an object")
    # The common cases kept cheap (a day of minutes is thousands of lines): JSON numbers, XML digits.
    roi, in_, out, staff_in, staff_out = (raw.get("roi_id"), raw.get("in"), raw.get("out"),
                                          raw.get("staff_in"), raw.get("staff_out"))
    if type(roi) is type(in_) is type(out) is type(staff_in) is type(staff_out) is int:
        if roi | in_ | out | staff_in | staff_out >= 0:  # none below zero
            return LineCount(roi, in_, out, staff_in, staff_out)
    elif type(roi) is type(in_) is type(out) is type(staff_in) is type(staff_out) is str:
        values = (roi, in_, out, staff_in, staff_out)
        if all(v.isascii() and v.isdigit() for v in values):
            return LineCount(*map(int, values))
    return LineCount(*(_count(raw, name, where) for name in _LINE_FIELDS))


def _count(raw: Mapping[str, Any], name: str, where: str) -> int:
    value = raw.get(name)
    if type(value) is int and value >= 0:  # the common case, kept cheap: a day is 1,440 intervals
        return value
    number = _whole(value)
    if number is None or number < 0:
        raise ReplyError(f"{where}: {name!r} must be a whole number >= 0 (got {value!r})")
    return number


def _whole(value: Any) -> int | None:
    if type(value) is int:
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    return None


def _text(raw: Mapping[str, Any], name: str, where: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ReplyError(f"{where}: {name!r} is missing or not text (got {value!r})")
    return value.strip()


def _instant(raw: Mapping[str, Any], name: str, where: str, instants: dict[str, int] | None = None) -> int:
    """An ISO 8601 time with its UTC offset as epoch seconds; `instants` remembers those read before."""
    given = raw.get(name)
    if instants is not None and type(given) is str and given in instants:
        return instants[given]
    text = _text(raw, name, where)
    try:
        moment: datetime | None = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ReplyError(f"{where}: {name} {text!r} is not an ISO 8601 time with a UTC offset")
    seconds = int(moment.timestamp())
    if instants is not None and type(given) is str:
        instants[given] = seconds
    return seconds
