"""Parse reported interval counts and alive spans from JSON-shaped payloads."""

from __future__ import annotations

from typing import Any

from footfall.domain.fields import FieldError, integer, require, serial, timestamp
from footfall.domain.records import AliveSpan, ReportedCount
from footfall.domain.sources import LIVE, PRECEDENCE, REPORTED_SOURCES

# Lengths that tile an hour exactly, so a reported interval always sits inside one local hour.
ALLOWED_LENGTHS = tuple(n for n in range(1, 3601) if 3600 % n == 0)
MAX_SPAN_S = 31 * 86400


def parse_reported_count(payload: Any, now_ts: int) -> ReportedCount:
    """Turn `{serial, line, start, length, in, out, staff_in, staff_out, source}` into a record."""
    if not isinstance(payload, dict):
        raise FieldError(f"a reported count must be an object, got {type(payload).__name__}")
    source = require(payload, "source")
    if source not in REPORTED_SOURCES:
        raise FieldError(f"unknown source {source!r} (one of: {', '.join(REPORTED_SOURCES)})")
    length = integer(require(payload, "length", "length_s"), "length", minimum=1)
    if length not in ALLOWED_LENGTHS:
        raise FieldError(f"length {length} s does not divide an hour (use 60, 300, 900, 3600 …)")
    start = timestamp(require(payload, "start", "start_ts"), "start", now_ts)
    if start % length and length >= 60 and start % 60:
        raise FieldError(f"start {start} is not on a whole minute")
    return ReportedCount(
        serial=serial(require(payload, "serial"), "serial"),
        roi_id=integer(payload.get("line", 1), "line", minimum=0),
        start_ts=start,
        length_s=length,
        source=source,
        in_count=integer(require(payload, "in"), "in", minimum=0),
        out_count=integer(require(payload, "out"), "out", minimum=0),
        staff_in=integer(payload.get("staff_in", 0), "staff_in", minimum=0),
        staff_out=integer(payload.get("staff_out", 0), "staff_out", minimum=0),
    )


def parse_alive_span(payload: Any, now_ts: int) -> AliveSpan:
    """Turn `{serial, start, end}` or a heartbeat `{serial, at, period}` into an alive span."""
    if not isinstance(payload, dict):
        raise FieldError(f"a coverage record must be an object, got {type(payload).__name__}")
    camera = serial(require(payload, "serial"), "serial")
    source = payload.get("source", LIVE)
    if source not in PRECEDENCE:
        raise FieldError(f"unknown source {source!r}")
    if "at" in payload:
        at = timestamp(payload["at"], "at", now_ts)
        period = integer(payload.get("period", 60), "period", minimum=1)
        if period > 3600:
            raise FieldError(f"period {period} s is over an hour: send a span instead")
        return AliveSpan(camera, at - period, at, source)
    start = timestamp(require(payload, "start"), "start", now_ts)
    end = timestamp(require(payload, "end"), "end", now_ts)
    if end <= start:
        raise FieldError(f"end {end} is not after start {start}")
    if end - start > MAX_SPAN_S:
        raise FieldError(f"span of {end - start} s is longer than 31 days")
    return AliveSpan(camera, start, end, source)
