"""Read batches of reported interval counts in the one shape connectors send by the thousand.

Like the events' fast reader (`domain.event_batch`), this makes, in one tight loop, every
check the full reader (`domain.counts.parse_reported_count`) makes, without its aliases,
conversions and error texts. A record with anything unusual in it is left to the full
reader, which gives the precise error; on everything this reader accepts, both agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from footfall.domain.counts import ALLOWED_LENGTHS
from footfall.domain.event_batch import checked_serial
from footfall.domain.fields import EARLIEST_TS, FUTURE_TOLERANCE_S
from footfall.domain.records import ReportedCount
from footfall.domain.sources import REPORTED_SOURCES

# The fields every canonical record carries; a missing one leaves the record to the full reader.
_FIELDS = itemgetter("serial", "start", "length", "source", "in", "out")
_LENGTHS = frozenset(ALLOWED_LENGTHS)
_SOURCES = frozenset(REPORTED_SOURCES)


def canonical_counts(payloads: Sequence[Any], now_ts: int) -> tuple[list[ReportedCount], list[int]]:
    """The reported counts read from `payloads` and, in order, the indexes left for the full reader."""
    counts: list[ReportedCount] = []
    others: list[int] = []
    append, latest = counts.append, now_ts + FUTURE_TOLERANCE_S
    last_camera: Any = None
    serial: str | None = None
    for index, payload in enumerate(payloads):
        try:
            if type(payload) is not dict:
                raise TypeError
            camera, start, length, source, in_count, out_count = _FIELDS(payload)
        except (KeyError, TypeError):
            others.append(index)
            continue
        get = payload.get
        roi, staff_in, staff_out = get("line", 1), get("staff_in", 0), get("staff_out", 0)
        # `type(x) is int` first: True, 1.0 or "1" never pass for the integer 1.
        if (type(start) is not int or type(length) is not int or length not in _LENGTHS
                or not EARLIEST_TS <= start <= latest or (start % length and length >= 60 and start % 60)
                or type(source) is not str or source not in _SOURCES
                or type(roi) is not int or roi < 0 or type(in_count) is not int or in_count < 0
                or type(out_count) is not int or out_count < 0
                or type(staff_in) is not int or staff_in < 0 or type(staff_out) is not int or staff_out < 0):
            others.append(index)
            continue
        if camera is not last_camera:  # a batch is mostly one counter's
            last_camera, serial = camera, checked_serial(camera)
        if serial is None:
            others.append(index)
            continue
        append(ReportedCount(serial, roi, start, length, source, in_count, out_count, staff_in, staff_out))
    return counts, others
