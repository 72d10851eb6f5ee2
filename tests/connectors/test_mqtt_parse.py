"""MQTT payload parsing, data-driven: each `mqtt_cases/<name>/` holds `input.json` and `expected.json`.

`input.json` is the payload exactly as it comes off the wire (so it may be broken on purpose);
`expected.json` is the record it becomes, or `{"error": <part of the message>, "serial": …}`.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from footfall.connectors.mqtt.parse import (
    Counting,
    Fault,
    Occupancy,
    PayloadError,
    Record,
    parse_payload,
    serial_from_topic,
    split_batch,
)
from footfall.domain.event_wire import read_wire
from footfall.simulator.devices.payloads import counting_payload, occupancy_payload, will_payload
from footfall.simulator.traffic import Crossing

CASES = Path(__file__).parent / "mqtt_cases"
NOW = 1_750_000_000  # 2025-06-15T15:06:40Z
SEEDS_SERIAL = "000000007b77a260"  # the seeds' counting sample


def as_dict(record: Record) -> dict[str, Any]:
    """A record as the expected.json files spell it."""
    if isinstance(record, Counting):
        return {"kind": "counting", **{k: int(v) if isinstance(v, int) else v
                                       for k, v in record.event._asdict().items()}}
    fields = {k: v for k, v in dataclasses.asdict(record).items() if k != "payload"}
    return {"kind": type(record).__name__.lower(), **fields}


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir()), ids=str)
def test_case(case: str) -> None:
    raw = (CASES / case / "input.json").read_bytes()
    expected = json.loads((CASES / case / "expected.json").read_text())
    if "error" in expected:
        with pytest.raises(PayloadError) as caught:
            parse_payload(raw, NOW)
        assert expected["error"] in str(caught.value)
        assert caught.value.serial == expected["serial"]
    else:
        assert as_dict(parse_payload(raw, NOW)) == expected


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir()), ids=str)
def test_a_payload_read_at_speed_reads_as_the_full_reader_reads_it(case: str) -> None:
    raw = (CASES / case / "input.json").read_bytes()
    fast, others = read_wire([raw], NOW)
    if not others:
        assert parse_payload(raw, NOW) == Counting(fast[0].serial, fast[0])


def test_a_batch_hands_counting_texts_on_as_received() -> None:
    tz = ZoneInfo("Europe/London")
    crossing = Crossing(NOW - 60, "0123456789abcdef", 1, 1, 1, "2b1c9a1e-0d4f-4c8e-9a7b-1e2f3a4b5c6d")
    usual = json.dumps(counting_payload(crossing, tz)).encode()
    assert read_wire([usual], NOW)[1] == []  # the simulator's devices take the fast path
    seeds = case("seeds_python_literal")  # read in full: the seeds' quoting is not JSON
    assert read_wire([seeds], NOW)[1] == [0]
    batch = split_batch([("/status/0123456789abcdef", usual), ("/status/000000007b77a260", seeds)], NOW)
    assert batch.messages == [usual, seeds]
    assert batch.event_serials == ["0123456789abcdef", SEEDS_SERIAL]
    assert batch.presence == {"0123456789abcdef": True, SEEDS_SERIAL: True}


def test_text_and_bytes_read_the_same() -> None:
    raw = (CASES / "seeds_occupancy" / "input.json").read_bytes()
    assert parse_payload(raw, NOW) == parse_payload(raw.decode(), NOW)


def test_the_simulators_payloads_parse_to_what_it_counted() -> None:
    tz = ZoneInfo("Europe/London")
    crossing = Crossing(NOW - 3600, "0123456789abcdef", 1, 2, 1, "2b1c9a1e-0d4f-4c8e-9a7b-1e2f3a4b5c6d")
    counting = parse_payload(json.dumps(counting_payload(crossing, tz)), NOW)
    assert isinstance(counting, Counting)
    event = counting.event
    assert (counting.serial, event.start_ts, event.metric) == (crossing.serial, NOW - 3600, 2)
    assert counting.event.identity == "u" + crossing.uuid.replace("-", "")
    occupancy = parse_payload(json.dumps(occupancy_payload(crossing.serial, 1, 3, NOW - 60, tz)), NOW)
    assert occupancy == Occupancy(crossing.serial, 1, NOW - 60, 3, 1)
    assert as_dict(parse_payload(json.dumps(will_payload(crossing.serial)), NOW)) == {
        "kind": "presence", "serial": crossing.serial, "online": False}


@pytest.mark.parametrize(("topic", "serial"), [
    ("/status/000000006AFCE315", "000000006afce315"), ("/status/", None), ("", None),
    ("site/a/counter-7", "counter-7"), ("/status/not a serial", None)])
def test_serial_from_topic(topic: str, serial: str | None) -> None:
    assert serial_from_topic(topic) == serial


def case(name: str) -> bytes:
    return (CASES / name / "input.json").read_bytes()


def test_a_batch_sorts_messages_and_keeps_the_last_word_on_presence() -> None:
    will = json.dumps(will_payload("000000006afce315"))
    batch = split_batch([
        ("/status/000000007b77a260", case("seeds_counting")),
        ("/status/000000006afce315", will),                       # offline …
        ("/status/000000006afce315", case("test_topic_wrapper")),  # … then back: online
        ("/status/100000008c76409d", case("seeds_occupancy")),
        ("/status/100000008c76409d", will.replace("6afce315", "8c76409d").replace("00000000", "10000000")),
        ("/status/0000000000c0ffee", case("truncated_json")),
        ("/status/", case("binary_payload")),
        ("/status/000000007b77a260", case("bad_metric")),
    ], NOW)
    assert batch.messages == [case("seeds_counting"), case("test_topic_wrapper")]  # as received
    assert batch.event_serials == ["000000007b77a260", "000000006afce315"]
    assert [o.serial for o in batch.occupancy] == ["100000008c76409d"]
    assert batch.presence == {"000000007b77a260": True, "000000006afce315": True, "100000008c76409d": False}
    assert [f.serial for f in batch.faults] == ["0000000000c0ffee", "", "000000007b77a260"]
    assert all(isinstance(f, Fault) and f.error for f in batch.faults)


def test_every_case_has_an_input_and_an_expectation() -> None:
    for folder in CASES.iterdir():
        assert {p.name for p in folder.iterdir()} == {"input.json", "expected.json"}, folder.name
