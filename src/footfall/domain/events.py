"""Parse device event messages (the seeds' `ffc-eventrawdata`) into `Event` records."""

from __future__ import annotations

import ast
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from footfall.domain.event_batch import (
    EVENT_TOPIC,
    MAX_MESSAGE_CHARS,
    canonical_batch,
    content_identity,
    read_canonical,
    upload_ts,
)
from footfall.domain.fields import (
    FieldError,
    integer,
    require,
    serial,
    timestamp,
)
from footfall.domain.records import Event, Metric, PeopleType

_METRIC = {1: Metric.IN, 2: Metric.OUT}
_PEOPLE = {1: PeopleType.VISITOR, 2: PeopleType.STAFF}
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TEST_TOPIC = "generic-test-topic"


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
    except RecursionError:
        raise FieldError("message is nested too deeply") from None
    except json.JSONDecodeError as json_error:
        try:
            return ast.literal_eval(text.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            raise FieldError(f"message is neither JSON nor a literal: {json_error.msg}") from None


def parse_event(payload: Any, now_ts: int) -> Event | ConnectionCheck:
    """Turn one event payload (with or without the Topic/Data wrapper) into an `Event`."""
    fast = canonical_batch((payload,), now_ts)
    return fast[0] if fast else _read_event(payload, now_ts)


def _canonical_event(data: dict[str, Any], now_ts: int) -> Event | None:
    """The fast reader (`event_batch`) on one `Data` object: its event, or None if unusual."""
    fast = read_canonical((data,), now_ts)
    return fast[0] if fast else None


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
    uploaded = upload_ts(get("UploadedUTCDateTime"), now_ts)
    identity = _identity(get("UUID"), camera, roi, int(metric), start, end, people_id,
                         int(people_type))
    return Event(camera, roi, int(metric), int(people_type), people_id, start, end, identity, uploaded)


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
    return content_identity(camera, roi, metric, start, end, people_id, people_type)
