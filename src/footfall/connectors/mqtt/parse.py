"""MQTT payloads to records, pure: counting → events, occupancy → zone rows, last will → offline.

The seeds' counter publishes two shapes on `/status/{ChipSerial}`: counting (sample 2, one line
crossing, `MetricId`) and occupancy (sample 1, `ObjectCount` people in a zone). Its last will
is `{"CameraSerial": …, "Status": "offline"}`. The WebSocket wrapper (`Topic`/`Data`) is read
too, so a counter's `generic-test-topic` check works over MQTT as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from footfall.domain.event_wire import read_wire
from footfall.domain.events import ConnectionCheck, parse_event, parse_message_text
from footfall.domain.fields import FieldError, integer, require, serial, serial_or_none, timestamp
from footfall.domain.records import Event


class PayloadError(ValueError):
    """A payload the hub refuses; `serial` names the counter when it could be read."""

    def __init__(self, message: str, serial: str | None = None) -> None:
        super().__init__(message)
        self.serial = serial


@dataclass(frozen=True, slots=True)
class Counting:
    """One line crossing (its text goes to the ingest core as it came)."""

    serial: str
    event: Event


@dataclass(frozen=True, slots=True)
class Check:
    """A `generic-test-topic` message: the link works; never counted."""

    serial: str | None


@dataclass(frozen=True, slots=True)
class Occupancy:
    """A zone's occupancy as the device reports it (the seeds' `ObjectCount` per `RoiId`)."""

    serial: str
    roi_id: int
    at_ts: int
    object_count: int
    occupancy_type: int | None


@dataclass(frozen=True, slots=True)
class Presence:
    """A status message: `online` False is the last will the broker publishes for a lost counter."""

    serial: str
    online: bool


Record = Counting | Check | Occupancy | Presence
_STATUS = {"offline": False, "online": True}


def serial_from_topic(topic: str) -> str | None:
    """The counter serial a topic such as `/status/{ChipSerial}` ends with, if it is one."""
    return serial_or_none(topic.rsplit("/", 1)[-1]) if topic else None


def parse_payload(raw: bytes | str, now_ts: int) -> Record:
    """Read one MQTT payload; anything that is not one of the known shapes is a `PayloadError`."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes | bytearray) else raw
    except UnicodeDecodeError:
        raise PayloadError("payload is not UTF-8 text") from None
    try:
        data = parse_message_text(text)
    except FieldError as error:
        raise PayloadError(str(error)) from None
    if not isinstance(data, dict):
        raise PayloadError(f"payload must be a JSON object, got {type(data).__name__}")
    found = data.get("CameraSerial")
    said = serial_or_none(found) if isinstance(found, str) else None
    try:
        return _record(data, now_ts)
    except FieldError as error:
        raise PayloadError(str(error), said) from None


def _record(data: dict[str, Any], now_ts: int) -> Record:
    if "MetricId" in data or "Topic" in data:
        parsed = parse_event(data, now_ts)
        if isinstance(parsed, ConnectionCheck):
            return Check(parsed.serial)
        return Counting(parsed.serial, parsed)
    if "ObjectCount" in data:
        return _occupancy(data, now_ts)
    if "Status" in data:
        status = data["Status"]
        if not isinstance(status, str) or status.lower() not in _STATUS:
            raise FieldError(f"unknown Status {status!r} (expected 'offline' or 'online')")
        return Presence(serial(require(data, "CameraSerial")), _STATUS[status.lower()])
    raise FieldError("not a counting, occupancy or status payload "
                     "(no MetricId, ObjectCount or Status field)")


def _occupancy(data: dict[str, Any], now_ts: int) -> Occupancy:
    camera = serial(require(data, "CameraSerial"))
    roi = integer(require(data, "RoiId"), "RoiId", minimum=0)
    count = integer(require(data, "ObjectCount"), "ObjectCount", minimum=0)
    # The epoch is the truth; the UTC text is only a fallback (devices get local texts wrong).
    raw_at = data.get("Timestamp")
    at = timestamp(raw_at if raw_at is not None else require(data, "Timestamp", "UTCTime"),
                   "Timestamp", now_ts)
    kind = data.get("OccupancyTypeId")
    return Occupancy(camera, roi, at, count,
                     None if kind is None else integer(kind, "OccupancyTypeId", minimum=0))


@dataclass(frozen=True, slots=True)
class Fault:
    """A refused payload: which counter (\"\" if unknown) and why."""

    serial: str
    error: str


@dataclass(slots=True)
class Batch:
    """Messages received together, sorted by what the hub does with them."""

    # Counting and check messages for the ingest core, as their texts came off the wire.
    messages: list[bytes | str] = field(default_factory=list)
    event_serials: list[str | None] = field(default_factory=list)  # serial of each, for its errors
    occupancy: list[Occupancy] = field(default_factory=list)
    presence: dict[str, bool] = field(default_factory=dict)  # serial → online after this batch
    faults: list[Fault] = field(default_factory=list)


def split_batch(messages: Iterable[tuple[str, bytes | str]], now_ts: int) -> Batch:
    """Parse (topic, payload) pairs in arrival order; a bad one becomes a fault, the rest go on.

    Devices' usual counting messages are read together in C (`read_wire`) and go to the
    ingest core as their texts, read there once more at the same speed; any other payload
    is read in full here.
    """
    pairs = list(messages)
    batch = Batch()
    counted, others = read_wire([raw for _topic, raw in pairs], now_ts)
    usual = iter(counted)  # in arrival order, between the others
    unusual = set(others)
    for index, (topic, raw) in enumerate(pairs):
        if index not in unusual:
            serial = next(usual).serial
            _heard(batch, serial)
            batch.messages.append(raw)
            batch.event_serials.append(serial)
            continue
        try:
            record = parse_payload(raw, now_ts)
        except PayloadError as error:
            batch.faults.append(Fault(error.serial or serial_from_topic(topic) or "", str(error)))
            continue
        if isinstance(record, Presence):
            batch.presence.pop(record.serial, None)  # the last word of a serial wins
            batch.presence[record.serial] = record.online
            continue
        if record.serial is not None:
            _heard(batch, record.serial)
        if isinstance(record, Occupancy):
            batch.occupancy.append(record)
        else:
            batch.messages.append(raw)  # the core's full reader reads it as this did
            batch.event_serials.append(record.serial)
    return batch


def _heard(batch: Batch, serial: str) -> None:
    """Any message proves its counter is back (the last word of a serial wins)."""
    batch.presence.pop(serial, None)
    batch.presence[serial] = True
