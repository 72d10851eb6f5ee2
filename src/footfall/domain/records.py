"""Typed records that every channel produces and the ingest core consumes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import NamedTuple


class Metric(IntEnum):
    """The seeds' MetricId: which way a person crossed a line."""

    IN = 1
    OUT = 2


class PeopleType(IntEnum):
    """The seeds' PeopleTypeId."""

    VISITOR = 1
    STAFF = 2


class LineKind(StrEnum):
    """What a counting line measures (DESIGN §2)."""

    ENTRANCE = "entrance"
    OUTSIDE = "outside"
    AREA = "area"


class LineDirection(StrEnum):
    """Whether the device's IN (MetricId 1) means into the site (`normal`) or out of it."""

    NORMAL = "normal"
    REVERSED = "reversed"


class Event(NamedTuple):
    """One line crossing pushed by a device (WebSocket / MQTT).

    A named tuple rather than a dataclass: ingest builds millions of them and a tuple is
    the cheapest immutable record Python has. `metric` and `people_type` hold the plain
    integer values of `Metric` and `PeopleType` (equal to the members): the database driver
    binds a plain int directly, an IntEnum only after an adapter lookup per value.
    """

    serial: str
    roi_id: int
    metric: int
    people_type: int
    people_id: int | None
    start_ts: int
    end_ts: int
    identity: str
    uploaded_ts: int | None = None


@dataclass(frozen=True, slots=True)
class ReportedCount:
    """Counts a device or connector reported for one line over one interval."""

    serial: str
    roi_id: int
    start_ts: int
    length_s: int
    source: str
    in_count: int
    out_count: int
    staff_in: int = 0
    staff_out: int = 0

    @property
    def end_ts(self) -> int:
        """Exclusive end of the interval, epoch seconds."""
        return self.start_ts + self.length_s


@dataclass(frozen=True, slots=True)
class AliveSpan:
    """Proof that a counter was alive (covering) from start to end, epoch seconds."""

    serial: str
    start_ts: int
    end_ts: int
    source: str


@dataclass(frozen=True, slots=True)
class RecordError:
    """Why the record at `index` of a batch was refused."""

    index: int
    error: str
