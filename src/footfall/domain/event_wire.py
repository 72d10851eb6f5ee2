"""Read device event messages straight from their wire text, in C, in the shape devices send.

A counter's WebSocket frame or MQTT payload is one JSON object. Decoding it with the json
module and then checking the dict field by field costs a few microseconds per event; a
typed msgspec decoder does both in one pass in C. Only the canonical shape is read here
(`ffc-eventrawdata` with integer epochs, wrapped in Topic/Data or bare); a text this reader
does not take — the seeds' Python-literal quoting, a test topic, another spelling, an error —
is left, by index, to the full reader (`events.parse_message_text` + `events.parse_event`),
which gives the precise answer. On everything this reader accepts, both agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import attrgetter
from typing import Annotated, Any, Literal, cast

import msgspec

from footfall.domain.event_batch import (
    EVENT_TOPIC,
    MAX_MESSAGE_CHARS,
    checked_serial,
    content_identity,
    upload_ts,
)
from footfall.domain.fields import EARLIEST_TS, FUTURE_TOLERANCE_S
from footfall.domain.records import Event

_ABSENT: Any = object()  # a wrapper key in a bare message: the full reader decides


class _Data(msgspec.Struct):
    """An event's fields; anything else in the object is ignored, as the full reader does."""

    CameraSerial: str
    EventStartTime: Annotated[int, msgspec.Meta(ge=EARLIEST_TS)]
    EventEndTime: int
    RoiId: Annotated[int, msgspec.Meta(ge=0)]
    MetricId: Literal[1, 2]
    PeopleTypeId: Literal[1, 2] | None = None
    PeopleId: int | None = None
    UUID: Annotated[str, msgspec.Meta(min_length=36, max_length=36)] | None = None
    UploadedUTCDateTime: str | int | None = None


class _Bare(_Data):
    """An event sent without the Topic/Data wrapper; a stray wrapper key sends it to the full reader."""

    Topic: Any = _ABSENT
    Data: Any = _ABSENT


class _Wrapped(msgspec.Struct):
    Topic: Literal["ffc-eventrawdata"]
    Data: _Data


class _Named(msgspec.Struct):
    """Only the serial of a message: the rest is skipped unread."""

    CameraSerial: str


class _NamedWrapped(msgspec.Struct):
    Data: _Named


assert EVENT_TOPIC == "ffc-eventrawdata"  # the literal in `_Wrapped` must follow the topic
_read_wrapped = msgspec.json.Decoder(_Wrapped).decode
_read_bare = msgspec.json.Decoder(_Bare).decode
_read_named_wrapped = msgspec.json.Decoder(_NamedWrapped).decode
_read_named = msgspec.json.Decoder(_Named).decode
_DATA = attrgetter("Data")
_COLUMNS = attrgetter("CameraSerial", "EventStartTime", "EventEndTime", "RoiId", "MetricId", "PeopleTypeId",
                      "PeopleId", "UUID", "UploadedUTCDateTime")
_new_tuple, _from_hex = tuple.__new__, bytes.fromhex
_TEXT = {str, bytes}


def read_wire(texts: Sequence[str | bytes], now_ts: int) -> tuple[list[Event], list[int]]:
    """The events of the wire `texts` this reader takes (in order) and the indexes of the rest."""
    if not texts or not set(map(type, texts)) <= _TEXT or max(map(len, texts)) > MAX_MESSAGE_CHARS:
        return _one_by_one(texts, now_ts)
    try:  # a WebSocket session's frames: every one wrapped in Topic/Data
        datas = list(map(_DATA, map(_read_wrapped, texts)))
    except msgspec.MsgspecError:
        try:  # MQTT payloads: every one bare
            datas = list(map(_read_bare, texts))
        except msgspec.MsgspecError:  # a mix, or an unusual message among them
            return _one_by_one(texts, now_ts)
        if any(d.Topic is not _ABSENT or d.Data is not _ABSENT for d in datas):
            return _one_by_one(texts, now_ts)
    events = _events(datas, now_ts)
    return (events, []) if events is not None else _one_by_one(texts, now_ts)


def wire_serial(text: str | bytes) -> str | None:
    """The CameraSerial a JSON message names (in `Data` or at the top), as written; None if none.

    A channel uses it to group messages by counter without decoding them: everything else
    in the message is skipped in C.
    """
    try:
        return _read_named_wrapped(text).Data.CameraSerial
    except msgspec.MsgspecError:
        try:
            return _read_named(text).CameraSerial
        except msgspec.MsgspecError:
            return None


def _one_by_one(texts: Sequence[str | bytes], now_ts: int) -> tuple[list[Event], list[int]]:
    """Decode each text alone (a batch mixing shapes: bare and wrapped, MQTT's occupancy and
    status beside counting), then check what decoded column by column, all together."""
    decoded: list[_Data] = []
    taken: list[int] = []
    others: list[int] = []
    for index, text in enumerate(texts):
        data = _decode(text) if type(text) in _TEXT and len(text) <= MAX_MESSAGE_CHARS else None
        if data is None:
            others.append(index)
        else:
            decoded.append(data)
            taken.append(index)
    if not decoded:
        return [], others
    events = _events(decoded, now_ts)
    if events is not None:
        return events, others
    events = []  # some decoded message needs the full reader: judge each alone
    for index, data in zip(taken, decoded, strict=True):
        one = _events([data], now_ts)
        if one is None:
            others.append(index)
        else:
            events += one
    return events, sorted(others)


def _decode(text: str | bytes) -> _Data | None:
    """The event fields of one message, wrapped or bare; None if it is neither."""
    try:
        return _read_wrapped(text).Data
    except msgspec.MsgspecError:
        pass
    try:
        data = _read_bare(text)
    except msgspec.MsgspecError:
        return None
    return data if data.Topic is _ABSENT and data.Data is _ABSENT else None


def _events(datas: list[_Data], now_ts: int) -> list[Event] | None:
    """The events of decoded `datas` (types already checked), or None if any needs the full reader.

    Column by column: each remaining check runs over a whole column in C.
    """
    cameras, starts, ends, rois, metrics, people_types, people_ids, uuids, uploads = zip(
        *map(_COLUMNS, datas), strict=True)
    if ends != starts or max(starts) > now_ts + FUTURE_TOLERANCE_S:
        return None
    serials = _serials(cameras)
    if serials is None:
        return None
    if None in people_types:  # absent or null: a visitor, as devices default
        people_types = tuple(1 if p is None else p for p in people_types)
    identities = _identities(uuids, serials, rois, metrics, starts, people_ids, people_types)
    if identities is None:
        return None
    times: Any = uploads
    if uploads.count(None) != len(uploads):  # devices upload a batch within a second or two
        read = {u: None if u is None else upload_ts(u, now_ts) for u in set(uploads)}
        times = list(map(read.__getitem__, uploads))
    fields = (serials, rois, metrics, people_types, people_ids, starts, starts, identities, times)
    return list(map(_new_tuple, repeat(Event), zip(*fields, strict=True)))


def _serials(cameras: tuple[str, ...]) -> list[str] | None:
    """The checked serial of each CameraSerial (a batch names a handful), or None if one is not."""
    found = {camera: checked_serial(camera) for camera in set(cameras)}
    if None in found.values():
        return None
    checked = cast(dict[str, str], found)
    if len(checked) == 1:
        return [checked[cameras[0]]] * len(cameras)
    return list(map(checked.__getitem__, cameras))


def _identities(uuids: tuple[str | None, ...], serials: list[str], rois: tuple[int, ...],
                metrics: tuple[int, ...], starts: tuple[int, ...], people_ids: tuple[int | None, ...],
                people_types: tuple[int, ...]) -> list[str] | None:
    """Each event's identity: "u" + its UUID's 32 lower-case hex digits, or a digest of its content.

    A UUID is taken here only as exactly what uuid.UUID(raw).hex gives the full reader: 36
    characters, 32 once the four dashes are gone, lower-case hex (one round trip in C for the
    column). Any other text returns None and the full reader judges it.
    """
    if None in uuids:
        if uuids.count(None) != len(uuids):
            return None  # a mix: rare enough for the full reader
        contents = zip(serials, rois, metrics, starts, starts, people_ids, people_types, strict=True)
        return [content_identity(*fields) for fields in contents]
    digits = list(map(str.replace, cast(tuple[str, ...], uuids), repeat("-"), repeat("")))
    if set(map(len, digits)) != {32}:
        return None
    joined = "".join(digits)
    try:
        if _from_hex(joined).hex() != joined:
            return None
    except ValueError:
        return None
    return list(map("u".__add__, digits))
