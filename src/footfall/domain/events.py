"""Parse device event messages (the seeds' `ffc-eventrawdata`) into `Event` records."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from footfall.domain.fields import (
    EARLIEST_TS,
    FUTURE_TOLERANCE_S,
    FieldError,
    integer,
    require,
    serial,
    serial_or_none,
    timestamp,
)
from footfall.domain.records import Event, Metric, PeopleType

_METRIC = {1: Metric.IN, 2: Metric.OUT}
_PEOPLE = {1: PeopleType.VISITOR, 2: PeopleType.STAFF}
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EVENT_TOPIC = "ffc-eventrawdata"
TEST_TOPIC = "generic-test-topic"
MAX_MESSAGE_CHARS = 64 * 1024


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    """A `generic-test-topic` message: proves the link works, never counted."""

    serial: str | None


def parse_message_text(text: str) -> Any:
    """Decode one wire message: JSON, or the seeds' Python-literal quoting (never `eval`)."""
    if len(text) > MAX_MESSAGE_CHARS:
        raise FieldError(f"message is {len(text)} characters, over the {MAX_MESSAGE_CHARS} limit")
    try:
        return json.loads(text)
    except json.JSONDecodeError as json_error:
        try:
            return ast.literal_eval(text.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            raise FieldError(f"message is neither JSON nor a literal: {json_error.msg}") from None


def parse_event(payload: Any, now_ts: int) -> Event | ConnectionCheck:
    """Turn one event payload (with or without the Topic/Data wrapper) into an `Event`."""
    if type(payload) is dict:
        data = payload.get("Data", payload)
        if type(data) is dict and (data is payload or payload.get("Topic") == EVENT_TOPIC):
            fast = _canonical_event(data, now_ts)
            if fast is not None:
                return fast
    return _read_event(payload, now_ts)


# Keyed by (type, value) so that True, 1.0 or "1" never pass for the integer 1.
_FAST_METRIC = {(int, 1): Metric.IN, (int, 2): Metric.OUT}
_FAST_PEOPLE = {(int, 1): PeopleType.VISITOR, (int, 2): PeopleType.STAFF,
                (type(None), None): PeopleType.VISITOR}


def _canonical_event(data: dict[str, Any], now_ts: int) -> Event | None:
    """The shape devices send millions of times, read without the generic checks.

    Returns None for anything else (strings for numbers, no UUID, odd values), which then
    goes through `_read_event` and gets its precise error; both readers agree on the rest.
    """
    get = data.get
    camera, start, end, roi = get("CameraSerial"), get("EventStartTime"), get("EventEndTime"), get("RoiId")
    raw_uuid, people_id = get("UUID"), get("PeopleId")
    metric_id, people_type_id = get("MetricId"), get("PeopleTypeId")
    metric = _FAST_METRIC.get((type(metric_id), metric_id))
    people_type = _FAST_PEOPLE.get((type(people_type_id), people_type_id))
    if (metric is None or people_type is None or type(camera) is not str or type(start) is not int
            or type(roi) is not int or roi < 0 or type(raw_uuid) is not str
            or not EARLIEST_TS <= start <= now_ts + FUTURE_TOLERANCE_S
            or not (end is None or end == start)
            or not (people_id is None or type(people_id) is int)
            or not _CANONICAL_UUID.fullmatch(raw_uuid)):
        return None
    checked = serial_or_none(camera)
    if checked is None:
        return None
    uploaded = get("UploadedUTCDateTime")
    return Event(checked, roi, metric, people_type, people_id, start, start,
                 "u" + raw_uuid.replace("-", ""),
                 None if uploaded is None else _uploaded(uploaded, now_ts))


def _read_event(payload: Any, now_ts: int) -> Event | ConnectionCheck:
    """The full reader: every alias and spelling the seeds show, and a precise error."""
    if not isinstance(payload, dict):
        raise FieldError(f"an event must be an object, got {type(payload).__name__}")
    data: Any = payload
    if "Topic" in payload or "Data" in payload:
        topic = payload.get("Topic")
        data = payload.get("Data")
        if topic == TEST_TOPIC:
            found = data.get("CameraSerial") if isinstance(data, dict) else None
            return ConnectionCheck(serial(found) if found else None)
        if topic != EVENT_TOPIC:
            raise FieldError(f"unknown Topic {topic!r} (expected {EVENT_TOPIC!r})")
        if not isinstance(data, dict):
            raise FieldError("Data must be an object")
    get = data.get
    camera = serial(require(data, "CameraSerial"))
    metric = _METRIC.get(integer(require(data, "MetricId"), "MetricId"))
    if metric is None:
        raise FieldError(f"unknown MetricId {get('MetricId')!r} (1 = in, 2 = out)")
    people_type_raw = get("PeopleTypeId")  # absent or null: a visitor, as devices default
    people_type = _PEOPLE.get(1 if people_type_raw is None else integer(people_type_raw, "PeopleTypeId"))
    if people_type is None:
        raise FieldError(f"unknown PeopleTypeId {get('PeopleTypeId')!r} (1 = visitor, 2 = staff)")
    roi_raw = get("RoiId")
    roi = integer(roi_raw if roi_raw is not None else require(data, "RoiId", "Roild"), "RoiId",
                  minimum=0)
    # The epoch fields are the truth; the UTC strings are only a fallback.
    start_raw = get("EventStartTime")
    if start_raw is None:
        start_raw = require(data, "EventStartTime", "EventStartUTCTime")
    start = timestamp(start_raw, "EventStartTime", now_ts)
    end_raw = get("EventEndTime")
    if end_raw is None:
        end_raw = get("EventEndUTCTime")
    end = start if end_raw is None or end_raw == start_raw else timestamp(end_raw, "EventEndTime", now_ts)
    if end < start:
        raise FieldError(f"EventEndTime {end} is before EventStartTime {start}")
    people_id = get("PeopleId")
    if people_id is not None:
        people_id = integer(people_id, "PeopleId")
    uploaded = _uploaded(get("UploadedUTCDateTime"), now_ts)
    identity = _identity(get("UUID"), camera, roi, int(metric), start, end, people_id,
                         int(people_type))
    return Event(camera, roi, metric, people_type, people_id, start, end, identity, uploaded)


def _uploaded(raw: Any, now_ts: int) -> int | None:
    """The upload time is a cross-check only: a wrong one never refuses the event."""
    if raw is None:
        return None
    try:
        return timestamp(raw, "UploadedUTCDateTime", now_ts)
    except FieldError:
        return None


def _identity(
    raw_uuid: Any, camera: str, roi: int, metric: int, start: int, end: int,
    people_id: int | None, people_type: int,
) -> str:
    """The event's permanent identity: its UUID, else a digest of its content (DESIGN §3)."""
    if raw_uuid not in (None, ""):
        if isinstance(raw_uuid, str) and _CANONICAL_UUID.fullmatch(raw_uuid):
            return "u" + raw_uuid.replace("-", "")
        try:
            return "u" + uuid.UUID(str(raw_uuid)).hex
        except ValueError:
            raise FieldError(f"UUID {raw_uuid!r} is not a UUID") from None
    content = f"{camera}|{roi}|{metric}|{start}|{end}|{people_id}|{people_type}"
    return "c" + hashlib.blake2b(content.encode(), digest_size=16).hexdigest()
