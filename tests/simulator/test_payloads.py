"""The simulated counters' wire payloads match the seeds' samples and parse in the hub."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from footfall.domain.events import ConnectionCheck, parse_event, parse_message_text
from footfall.domain.records import Event, Metric, PeopleType
from footfall.simulator.devices.payloads import (
    check_message,
    clock_texts,
    counting_payload,
    encode,
    event_data,
    event_message,
    malformed,
    occupancy_payload,
    people_id,
)
from footfall.simulator.traffic import Crossing

KL = ZoneInfo("Asia/Kuala_Lumpur")   # UTC+8, as the seeds' samples
UUID = "3f1c2b6e-8d4a-4c1e-9b7a-1f2e3d4c5b6a"
# The seeds' WebSocket "Sample 1 - Value IN Data", verbatim.
SEED_SAMPLE_1 = (
    "{'Topic': 'ffc-eventrawdata', 'Data': {'EventStartUTCTime': '2020-06-17 03:16:41', "
    "'EventEndLocalTime': '2020-06-17 11:16:41', 'EventStartTime': 1592363801, 'MetricId': 1, "
    "'RoiId': 1, 'CameraSerial': '000000006afce315', 'PeopleId': 1, 'EventEndUTCTime': "
    "'2020-06-17 03:16:41', 'UploadedLocalDateTime': '2020-06-17 11:16:45', 'EventEndTime': "
    "1592363801, 'EventStartLocalTime': '2020-06-17 11:16:41', 'UploadedUTCDateTime': "
    "'2020-06-17 03:16:45', 'PeopleTypeId': 1}}"
)
SEED_COUNTING_KEYS = [
    "CombineObjectTypeId", "EventEndLocalTime", "EventEndTime", "EventEndUTCTime", "EventStartLocalTime",
    "EventStartTime", "EventStartUTCTime", "MetricId", "PeopleId", "PeopleTypeId", "RoiId", "CameraSerial",
]
SEED_OCCUPANCY_KEYS = [
    "RoiId", "CombineObjectTypeId", "ObjectCount", "Timestamp", "LocalTime", "UTCTime", "OccupancyTypeId",
    "ObjectCountUnit", "CameraSerial",
]


def crossing(at: int = 1592363801, metric: int = 1, roi: int = 1, people_type: int = 1) -> Crossing:
    return Crossing(at, "000000006afce315", roi, metric, people_type, UUID)


def test_event_without_uuid_reproduces_the_seeds_sample_character_for_character() -> None:
    data = event_data(crossing(), KL, 1592363805, person=1, with_uuid=False)
    assert repr({"Topic": "ffc-eventrawdata", "Data": data}) == SEED_SAMPLE_1


def test_event_message_carries_the_crossing_uuid_last() -> None:
    message = event_message(crossing(), KL, 1592363805)
    assert list(message) == ["Topic", "Data"]
    assert list(message["Data"])[-1] == "UUID"
    assert message["Data"]["UUID"] == UUID


def test_local_times_follow_the_site_time_zone_across_dst() -> None:
    london = ZoneInfo("Europe/London")
    assert clock_texts(1711846800, london) == ("2024-03-31 01:00:00", "2024-03-31 02:00:00")  # BST
    assert clock_texts(1711846799, london) == ("2024-03-31 00:59:59", "2024-03-31 00:59:59")  # GMT


def test_people_id_is_stable_and_small() -> None:
    assert people_id(crossing()) == people_id(crossing(at=1))
    assert 1 <= people_id(crossing()) <= 9999


def test_json_and_python_literal_round_trip_through_the_hub_parser() -> None:
    for metric, people_type, roi in ((1, 1, 1), (2, 2, 2)):
        message = event_message(crossing(metric=metric, roi=roi, people_type=people_type), KL, 1592363805)
        for literal in (False, True):
            text = encode(message, python_literal=literal)
            assert text.startswith("{'Topic'" if literal else '{"Topic"')
            event = parse_event(parse_message_text(text), now_ts=1592363900)
            assert isinstance(event, Event)
            assert event.serial == "000000006afce315"
            assert event.metric == Metric(metric)
            assert event.people_type == PeopleType(people_type)
            assert event.roi_id == roi
            assert event.start_ts == event.end_ts == 1592363801
            assert event.uploaded_ts == 1592363805
            assert event.identity == "u" + UUID.replace("-", "")


def test_clock_skew_shifts_every_reported_time() -> None:
    data = event_data(crossing(), KL, 1592363805, skew_s=-120)
    assert data["EventStartTime"] == data["EventEndTime"] == 1592363801 - 120
    assert data["EventStartUTCTime"] == "2020-06-17 03:14:41"
    assert data["UploadedUTCDateTime"] == "2020-06-17 03:14:45"
    event = parse_event(data, now_ts=1592363900)
    assert isinstance(event, Event) and event.start_ts == 1592363681


def test_test_message_is_a_connection_check_for_the_hub() -> None:
    text = encode(check_message("000000006afce315", KL, 1592363805))
    assert json.loads(text)["Topic"] == "generic-test-topic"
    assert parse_event(parse_message_text(text), now_ts=1592363900) == ConnectionCheck("000000006afce315")


def test_malformed_text_is_refused_by_the_hub_parser() -> None:
    broken = malformed(encode(event_message(crossing(), KL, 1592363805)))
    try:
        parse_event(parse_message_text(broken), now_ts=1592363900)
    except ValueError:
        pass
    else:
        raise AssertionError("a broken message parsed")


def test_mqtt_counting_payload_has_the_seeds_fields_in_order_and_parses() -> None:
    payload = counting_payload(crossing(metric=2), KL)
    assert list(payload) == [*SEED_COUNTING_KEYS, "UUID"]
    assert payload["CombineObjectTypeId"] == 11
    assert payload["EventStartLocalTime"] == "2020-06-17 11:16:41"
    event = parse_event(json.loads(json.dumps(payload)), now_ts=1592363900)
    assert isinstance(event, Event)
    assert (event.metric, event.roi_id, event.start_ts) == (Metric.OUT, 1, 1592363801)


def test_mqtt_occupancy_payload_has_the_seeds_fields_in_order() -> None:
    payload = occupancy_payload("100000008c76409d", 1, 0, 1672889540, KL)
    assert list(payload) == SEED_OCCUPANCY_KEYS
    assert payload == {
        "RoiId": 1, "CombineObjectTypeId": 1, "ObjectCount": 0, "Timestamp": 1672889540,
        "LocalTime": "2023-01-05 11:32:20", "UTCTime": "2023-01-05 03:32:20", "OccupancyTypeId": 1,
        "ObjectCountUnit": 1, "CameraSerial": "100000008c76409d",
    }
