"""The fast reader for canonical device messages agrees with the full reader on everything."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.domain.events import _canonical_event, _read_event, parse_event
from footfall.domain.fields import FieldError

NOW = 1_800_000_000

# Values that are right, almost right (same value, wrong type) or plainly wrong.
whole = st.one_of(st.integers(-2, 3), st.booleans(), st.sampled_from([1.0, "1", "2", None]))
instants = st.one_of(st.integers(NOW - 10**9, NOW + 2 * 86400), st.sampled_from([True, "1700000000", 1.5e9]),
                     st.none())
uuids = st.one_of(st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()),
                  st.uuids().map(lambda u: u.hex), st.sampled_from(["", "not-a-uuid", None]), st.integers())
serials = st.one_of(st.sampled_from(["000000006afce315", "000000006AFCE315", " 000000006afce315",
                                     "bad serial", ""]), st.integers(0, 99))


@st.composite
def messages(draw: st.DrawFn) -> dict:
    """A valid device message with up to two fields swapped for odd or wrong values."""
    start = draw(st.integers(NOW - 10**9, NOW + 86400))
    data: dict = {"CameraSerial": "000000006afce315", "EventStartTime": start, "EventEndTime": start,
                  "MetricId": draw(st.sampled_from([1, 2])), "PeopleTypeId": draw(st.sampled_from([1, 2])),
                  "RoiId": draw(st.integers(0, 3)), "PeopleId": draw(st.integers(0, 99)),
                  "UUID": str(draw(st.uuids()))}
    odd = {"CameraSerial": serials, "EventStartTime": instants, "EventEndTime": instants,
           "MetricId": whole, "PeopleTypeId": whole, "RoiId": whole, "PeopleId": whole, "UUID": uuids}
    for name in draw(st.lists(st.sampled_from(sorted(odd)), max_size=2, unique=True)):
        value = draw(odd[name])
        if value is None and draw(st.booleans()):
            del data[name]
        else:
            data[name] = value
    if draw(st.booleans()):
        data["UploadedUTCDateTime"] = draw(st.sampled_from(["2027-01-15 08:00:00", "garbage", 1_799_999_000]))
    return {"Topic": "ffc-eventrawdata", "Data": data} if draw(st.booleans()) else data


def _full(payload: dict) -> object:
    try:
        return _read_event(payload, NOW)
    except FieldError as error:
        return error.__class__


@settings(max_examples=3000, deadline=None)
@given(messages())
def test_fast_reader_never_disagrees_with_the_full_reader(payload: dict) -> None:
    data = payload.get("Data", payload)
    fast = _canonical_event(data, NOW)
    if fast is not None:
        assert fast == _full(payload)


def test_canonical_device_message_takes_the_fast_path() -> None:
    message = {"Topic": "ffc-eventrawdata", "Data": {
        "CameraSerial": "000000006afce315", "EventStartTime": 1592363801, "EventEndTime": 1592363801,
        "MetricId": 1, "RoiId": 1, "PeopleId": 1, "PeopleTypeId": 1, "UUID": str(uuid.uuid4())}}
    assert _canonical_event(message["Data"], NOW) is not None
    assert parse_event(message, NOW) == _read_event(message, NOW)
