"""The wire-text reader agrees with the full reader on every message it takes, alone or in batches."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.domain.event_wire import read_wire, wire_serial
from footfall.domain.events import _read_event, parse_message_text
from footfall.domain.fields import FieldError
from footfall.ingest.batch import prepare
from tests.domain.test_event_fast_path import NOW, messages

SERIAL = "000000006afce315"


def _full(text: str) -> object:
    try:
        return _read_event(parse_message_text(text), NOW)
    except FieldError as error:
        return error.__class__


def _wire(message: dict) -> st.SearchStrategy[str]:
    """The message as a device might write it: compact or spaced JSON, or the seeds' literal quoting."""
    return st.sampled_from([json.dumps(message), json.dumps(message, separators=(",", ":")), repr(message)])


@settings(max_examples=3000, deadline=None)
@given(st.data())
def test_wire_reader_never_disagrees_with_the_full_reader(data: st.DataObject) -> None:
    text = data.draw(messages().flatmap(_wire))
    events, others = read_wire([text], NOW)
    if not others:
        assert events == [_full(text)]


@settings(max_examples=500, deadline=None)
@given(st.lists(messages().flatmap(_wire), min_size=1, max_size=12))
def test_a_batch_of_texts_reads_as_its_messages_one_by_one(texts: list[str]) -> None:
    _reads_as_one_by_one(texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(messages().map(lambda m: m.get("Data", m)).flatmap(_wire), min_size=1, max_size=12))
def test_a_batch_of_bare_texts_reads_as_its_messages_one_by_one(texts: list[str]) -> None:
    _reads_as_one_by_one(texts)  # MQTT payloads: every one without the wrapper


def _reads_as_one_by_one(texts: list[str]) -> None:
    from_texts = prepare(1, NOW, messages=texts)
    one_by_one = [prepare(1, NOW, events=[_decoded(t)]) for t in texts]
    assert from_texts.events == [e for s in one_by_one for e in s.events]
    assert from_texts.checks == [c for s in one_by_one for c in s.checks]
    assert [(e.index, e.error) for e in from_texts.errors] == [
        (index, e.error) for index, s in enumerate(one_by_one) for e in s.errors]


def _decoded(text: str) -> object:
    try:
        return parse_message_text(text)
    except FieldError:
        return text  # read again by the full reader in `prepare`, which gives the same error


def _message(**fields: object) -> dict:
    data = {"CameraSerial": SERIAL, "EventStartTime": 1_799_990_000, "EventEndTime": 1_799_990_000,
            "MetricId": 1, "PeopleTypeId": 1, "RoiId": 1, "PeopleId": 7, "UUID": str(uuid.uuid4())}
    data.update(fields)
    return {"Topic": "ffc-eventrawdata", "Data": {k: v for k, v in data.items() if v is not None}}


def test_what_devices_send_takes_the_fast_path() -> None:
    wrapped = [_message(), _message(UUID=None), _message(PeopleTypeId=None, PeopleId=None),
               _message(UploadedUTCDateTime="2027-01-15 08:00:00")]
    texts = [json.dumps(m) for m in wrapped] + [json.dumps(wrapped[0]["Data"])]
    events, others = read_wire(texts, NOW)
    assert others == [] and len(events) == 5
    assert events == [_full(t) for t in texts]
    bare = [json.dumps(m["Data"]) for m in wrapped]  # MQTT payloads come without the wrapper
    assert read_wire(bare, NOW) == ([_full(t) for t in bare], [])


def test_anything_unusual_is_left_to_the_full_reader_by_index() -> None:
    texts = [json.dumps(_message()), repr(_message()), json.dumps(_message(MetricId=3)),
             json.dumps({"Topic": "generic-test-topic", "Data": {"CameraSerial": SERIAL}}),
             json.dumps({**_message()["Data"], "Topic": "generic-test-topic"}),
             json.dumps(_message(UUID=str(uuid.uuid4()).upper())), "[" * 5000, json.dumps(_message())[:40]]
    events, others = read_wire(texts, NOW)
    assert others == [1, 2, 3, 4, 5, 6, 7] and len(events) == 1
    submission = prepare(1, NOW, messages=texts)
    assert len(submission.events) == 3 and len(submission.checks) == 2  # literal and upper-case UUID read
    assert [e.index for e in submission.errors] == [2, 6, 7]
    assert "MetricId" in submission.errors[0].error


def test_a_decoded_message_among_texts_is_read_by_the_full_reader() -> None:
    events, others = read_wire([json.dumps(_message()), _message()], NOW)  # type: ignore[list-item]
    assert len(events) == 1 and others == [1]
    assert len(prepare(1, NOW, messages=[json.dumps(_message()), _message()]).events) == 2  # type: ignore[list-item]


def test_deep_nesting_is_an_error_of_its_message_only() -> None:
    submission = prepare(1, NOW, messages=["[" * 30_000 + "]" * 30_000, json.dumps(_message())])
    assert [(e.index, e.error) for e in submission.errors] == [(0, "message is nested too deeply")]
    assert len(submission.events) == 1


def test_the_serial_is_found_without_decoding_the_rest() -> None:
    assert wire_serial(json.dumps(_message())) == SERIAL
    assert wire_serial(json.dumps(_message()["Data"])) == SERIAL
    assert wire_serial(repr(_message())) is None and wire_serial("{") is None


def test_a_submission_of_events_and_texts_at_once_is_refused() -> None:
    # Their error indexes would be ambiguous: each counts within its own list.
    with pytest.raises(ValueError, match="not both"):
        prepare(1, NOW, events=[_message()], messages=[json.dumps(_message())])
