"""What a simulated counter puts on the wire: the seeds' WebSocket and MQTT payloads, pure.

Key order follows the seeds' samples, so `repr` of an event message reproduces the manual's
Python-literal quoting character for character. Every event also carries the crossing's
deterministic `UUID`, so a re-sent or duplicated message is the same event to the hub.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any

from footfall.simulator.traffic import Crossing

EVENT_TOPIC = "ffc-eventrawdata"
TEST_TOPIC = "generic-test-topic"
COUNTING_OBJECT_TYPE = 11   # CombineObjectTypeId of the seeds' MQTT counting sample
OCCUPANCY_OBJECT_TYPE = 1   # CombineObjectTypeId of the seeds' MQTT occupancy sample
OCCUPANCY_TYPE = 1          # OccupancyTypeId: ObjectCount 1 = zone occupied, 0 = empty
_FORMAT = "%Y-%m-%d %H:%M:%S"


@lru_cache(maxsize=4096)  # upload times repeat within a send burst; strftime is the costly part
def clock_texts(ts: int, tz: tzinfo) -> tuple[str, str]:
    """The seeds' `YYYY-MM-DD HH:MM:SS` texts of an instant: (UTC, local in `tz`)."""
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime(_FORMAT), moment.astimezone(tz).strftime(_FORMAT)


def people_id(crossing: Crossing) -> int:
    """A tracking id for the person (1-9999), stable across re-sends of the same crossing."""
    return int(crossing.uuid.replace("-", "")[-8:], 16) % 9999 + 1


def event_data(crossing: Crossing, tz: tzinfo, uploaded_at: int, *, skew_s: int = 0,
               person: int | None = None, with_uuid: bool = True) -> dict[str, Any]:
    """The `Data` object of an `ffc-eventrawdata` message (times as the skewed device clock reads)."""
    at = crossing.at + skew_s
    at_utc, at_local = clock_texts(at, tz)
    up_utc, up_local = clock_texts(uploaded_at + skew_s, tz)
    data: dict[str, Any] = {
        "EventStartUTCTime": at_utc, "EventEndLocalTime": at_local, "EventStartTime": at,
        "MetricId": crossing.metric, "RoiId": crossing.roi, "CameraSerial": crossing.serial,
        "PeopleId": people_id(crossing) if person is None else person, "EventEndUTCTime": at_utc,
        "UploadedLocalDateTime": up_local, "EventEndTime": at, "EventStartLocalTime": at_local,
        "UploadedUTCDateTime": up_utc, "PeopleTypeId": crossing.people_type,
    }
    if with_uuid:
        data["UUID"] = crossing.uuid
    return data


def event_message(crossing: Crossing, tz: tzinfo, uploaded_at: int, *, skew_s: int = 0) -> dict[str, Any]:
    """One WebSocket event message: `{"Topic": "ffc-eventrawdata", "Data": {...}}`."""
    return {"Topic": EVENT_TOPIC, "Data": event_data(crossing, tz, uploaded_at, skew_s=skew_s)}


def check_message(serial: str, tz: tzinfo, sent_at: int, *, skew_s: int = 0) -> dict[str, Any]:
    """The `generic-test-topic` message a counter sends to check its link (the hub answers `OK`)."""
    utc, local = clock_texts(sent_at + skew_s, tz)
    return {"Topic": TEST_TOPIC, "Data": {
        "CameraSerial": serial, "Message": "Test connection",
        "UploadedUTCDateTime": utc, "UploadedLocalDateTime": local,
    }}


def encode(message: dict[str, Any], *, python_literal: bool = False) -> str:
    """Wire text of a message: JSON, or the seeds' single-quoted Python-literal quoting."""
    return repr(message) if python_literal else json.dumps(message)


def malformed(text: str) -> str:
    """A broken copy of a message (cut in half): no parser can accept it."""
    return text[: len(text) // 2]


def counting_payload(crossing: Crossing, tz: tzinfo, *, skew_s: int = 0,
                     with_uuid: bool = True) -> dict[str, Any]:
    """The seeds' MQTT counting payload (sample 2) for one crossing."""
    at = crossing.at + skew_s
    at_utc, at_local = clock_texts(at, tz)
    payload: dict[str, Any] = {
        "CombineObjectTypeId": COUNTING_OBJECT_TYPE,
        "EventEndLocalTime": at_local, "EventEndTime": at, "EventEndUTCTime": at_utc,
        "EventStartLocalTime": at_local, "EventStartTime": at, "EventStartUTCTime": at_utc,
        "MetricId": crossing.metric, "PeopleId": people_id(crossing),
        "PeopleTypeId": crossing.people_type, "RoiId": crossing.roi, "CameraSerial": crossing.serial,
    }
    if with_uuid:
        payload["UUID"] = crossing.uuid
    return payload


def occupancy_payload(serial: str, roi: int, object_count: int, at: int, tz: tzinfo) -> dict[str, Any]:
    """The seeds' MQTT occupancy payload (sample 1): `ObjectCount` people in the zone at `at`."""
    utc, local = clock_texts(at, tz)
    return {
        "RoiId": roi, "CombineObjectTypeId": OCCUPANCY_OBJECT_TYPE, "ObjectCount": object_count,
        "Timestamp": at, "LocalTime": local, "UTCTime": utc, "OccupancyTypeId": OCCUPANCY_TYPE,
        "ObjectCountUnit": 1, "CameraSerial": serial,
    }


def will_payload(serial: str) -> dict[str, Any]:
    """The MQTT last will the broker publishes when the counter vanishes without a goodbye."""
    return {"CameraSerial": serial, "Status": "offline"}
