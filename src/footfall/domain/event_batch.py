"""Read batches of device event messages in the one shape devices send millions of times.

The fast reader makes, in one tight loop per batch, every check the full reader
(`events._read_event`) makes, without its aliases, conversions and error texts. A batch
with anything unusual in it returns None and its messages go through the full reader one
by one, which gives the precise error; on everything this reader accepts, both agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from typing import Any

from footfall.domain.fields import EARLIEST_TS, FUTURE_TOLERANCE_S, FieldError, serial_or_none, timestamp
from footfall.domain.records import Event

EVENT_TOPIC = "ffc-eventrawdata"
MAX_MESSAGE_CHARS = 64 * 1024  # a wire message longer than this is refused unread
# The fields every device message carries; a missing one sends the batch to the full reader.
_FIELDS = itemgetter("CameraSerial", "EventStartTime", "EventEndTime", "RoiId", "MetricId",
                     "PeopleTypeId", "PeopleId")
_DATA, _TOPIC = itemgetter("Data"), itemgetter("Topic")
MAX_TS = 2**53  # beyond any clock: range checks against "now" are made by the caller


def canonical_events(payloads: Sequence[Any], now_ts: int) -> tuple[list[Event], list[int]]:
    """The events read from `payloads` and, in order, the indexes of those left for the full reader."""
    events = canonical_batch(payloads, now_ts)
    if events is not None:
        return events, []
    events, others = [], []
    for index, payload in enumerate(payloads):  # something unusual: one message at a time
        one = canonical_batch((payload,), now_ts)
        if one:
            events.extend(one)
        else:
            others.append(index)
    return events, others


def canonical_batch(payloads: Sequence[Any], now_ts: int) -> list[Event] | None:
    """The events of `payloads` (all wrapped in Topic/Data, or all bare), or None if any is unusual."""
    if not payloads or set(map(type, payloads)) != {dict}:
        return None
    try:
        datas = list(map(_DATA, payloads))
    except KeyError:  # bare events: then none may carry a wrapper's keys
        if any(map(dict.__contains__, payloads, repeat("Data"))) or any(
                map(dict.__contains__, payloads, repeat("Topic"))):
            return None
        return read_canonical(payloads, now_ts)
    try:
        if set(map(_TOPIC, payloads)) != {EVENT_TOPIC} or set(map(type, datas)) != {dict}:
            return None
    except (KeyError, TypeError):
        return None
    return read_canonical(datas, now_ts)


def read_canonical(datas: Sequence[dict[str, Any]], now_ts: int) -> list[Event] | None:
    """The events of the `Data` objects `datas`, or None if any of them is not in the canonical shape."""
    events: list[Event] = []
    append, latest, known = events.append, now_ts + FUTURE_TOLERANCE_S, _checked_serials
    for data in datas:
        try:
            camera, start, end, roi, metric, people_type, people_id = _FIELDS(data)
        except KeyError:
            return None
        # `type(x) is int` first: True, 1.0 or "1" never pass for the integer 1.
        if (type(start) is not int or end != start or type(metric) is not int or not 0 < metric < 3
                or type(roi) is not int or roi < 0 or not EARLIEST_TS <= start <= latest
                or not (people_type is None or (type(people_type) is int and 0 < people_type < 3))
                or not (people_id is None or type(people_id) is int)):
            return None
        serial = known.get(camera) if type(camera) is str else None
        if serial is None and (serial := _check_serial(camera)) is None:
            return None
        people_type = people_type or 1
        raw_uuid = data.get("UUID")
        if raw_uuid is None:
            identity = content_identity(serial, roi, metric, start, start, people_id, people_type)
        elif type(raw_uuid) is str and len(raw_uuid) == 36 and len(digits := raw_uuid.replace("-", "")) == 32:
            # 32 lower-case hex digits once the dashes are gone: exactly what uuid.UUID(raw).hex
            # gives (the full reader's identity), checked by a round trip in C.
            try:
                if _from_hex(digits).hex() != digits:
                    return None
            except ValueError:
                return None
            identity = "u" + digits
        else:
            return None
        uploaded = data.get("UploadedUTCDateTime")
        append(_new_tuple(Event, (serial, roi, metric, people_type, people_id, start, start, identity,
                                  None if uploaded is None else upload_ts(uploaded, now_ts))))
    return events


_checked_serials: dict[str, str] = {}  # raw CameraSerial → checked serial: a fleet repeats a few thousand
_from_hex, _new_tuple = bytes.fromhex, tuple.__new__


def checked_serial(camera: Any) -> str | None:
    """The counter serial a raw field names, normalised (None if it is not one); verdicts remembered."""
    serial = _checked_serials.get(camera) if type(camera) is str else None
    return serial if serial is not None else _check_serial(camera)


def _check_serial(camera: Any) -> str | None:
    if type(camera) is not str or (serial := serial_or_none(camera)) is None:
        return None
    if len(_checked_serials) >= 65_536:
        _checked_serials.clear()
    _checked_serials[camera] = serial
    return serial


def content_identity(camera: str, roi: int, metric: int, start: int, end: int, people_id: int | None,
                     people_type: int) -> str:
    """The identity of an event sent without a UUID: a digest of what it says (DESIGN §3)."""
    content = f"{camera}|{roi}|{metric}|{start}|{end}|{people_id}|{people_type}"
    return "c" + hashlib.blake2b(content.encode(), digest_size=16).hexdigest()


def upload_ts(raw: Any, now_ts: int) -> int | None:
    """The upload time is a cross-check only: a wrong one is dropped, never refuses the event."""
    if type(raw) is str:
        ts = _upload_text_ts(raw)  # a fleet uploads in the same seconds: each text is read once
        return ts if ts is not None and EARLIEST_TS <= ts <= now_ts + FUTURE_TOLERANCE_S else None
    if raw is None:
        return None
    try:
        return timestamp(raw, "UploadedUTCDateTime", now_ts)
    except FieldError:
        return None


@lru_cache(maxsize=4096)
def _upload_text_ts(text: str) -> int | None:
    """An upload time written as text, as epoch seconds (None if unreadable); no range check."""
    try:
        return timestamp(text, "UploadedUTCDateTime", MAX_TS)
    except FieldError:
        return None
