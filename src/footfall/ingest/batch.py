"""A submission to the ingest core: parsed records, their errors, and the result shape."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from footfall.domain.counts import parse_alive_span, parse_reported_count
from footfall.domain.event_batch import canonical_events
from footfall.domain.event_wire import read_wire
from footfall.domain.events import ConnectionCheck, parse_event, parse_message_text
from footfall.domain.fields import FieldError
from footfall.domain.records import AliveSpan, Event, RecordError, ReportedCount
from footfall.ingest.count_batch import canonical_counts


@dataclass(slots=True)
class IngestResult:
    """What happened to one submission (the API returns it as JSON)."""

    accepted: int = 0
    duplicates: int = 0
    unassigned: int = 0
    checks: int = 0
    errors: list[RecordError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The API's response body."""
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "unassigned": self.unassigned,
            "checks": self.checks,
            "errors": [{"index": e.index, "error": e.error} for e in self.errors],
        }


@dataclass(slots=True)
class Submission:
    """One caller's records for one company, waiting for the group commit.

    It arrives as received (`raw`) and is read in the writer's thread (`read`), so that the
    callers' threads and the writer do not take the interpreter from each other per record.
    """

    company_id: int
    channel: str
    events: list[Event] = field(default_factory=list)
    counts: list[ReportedCount] = field(default_factory=list)
    spans: list[AliveSpan] = field(default_factory=list)
    checks: list[ConnectionCheck] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    raw: tuple[Sequence[Any], Sequence[Any], Sequence[Any], Sequence[Any]] | None = None
    received_ts: int = 0

    @property
    def size(self) -> int:
        """Records to write (or to read, before `read`)."""
        if self.raw is not None:
            return sum(map(len, self.raw))
        return len(self.events) + len(self.counts) + len(self.spans) + len(self.checks)


def receive(company_id: int, now_ts: int, *, channel: str = "api", events: Iterable[Any] = (),
            counts: Iterable[Any] = (), coverage: Iterable[Any] = (),
            messages: Iterable[str | bytes] = ()) -> Submission:
    """A submission of raw payloads received at `now_ts`, to be `read` later.

    `events` are decoded event objects; `messages` are event messages as their wire texts
    (a WebSocket frame, an MQTT payload), read straight from the text. A submission carries
    one or the other: an error's index counts within its own list, and events' and messages'
    indexes would be told apart by nothing.
    """
    raw = tuple(r if isinstance(r, list | tuple) else list(r) for r in (events, counts, coverage, messages))
    if raw[0] and raw[3]:
        raise ValueError("a submission carries decoded events or message texts, not both")
    return Submission(company_id, channel, raw=raw, received_ts=now_ts)  # type: ignore[arg-type]


def prepare(company_id: int, now_ts: int, *, channel: str = "api", events: Iterable[Any] = (),
            counts: Iterable[Any] = (), coverage: Iterable[Any] = (),
            messages: Iterable[str | bytes] = ()) -> Submission:
    """Parse raw payloads; a bad record becomes an error with its index, the rest go on."""
    submission = receive(company_id, now_ts, channel=channel, events=events, counts=counts,
                         coverage=coverage, messages=messages)
    read(submission)
    return submission


def read(submission: Submission) -> None:
    """Parse a received submission's payloads in place (a no-op once read)."""
    if submission.raw is None:
        return
    (events, counts, coverage, messages), now_ts = submission.raw, submission.received_ts
    submission.raw = None
    if events:
        _read_events(submission, events, now_ts, wire=False)
    if messages:
        _read_events(submission, messages, now_ts, wire=True)
    _read_counts(submission, counts, now_ts)
    for index, payload in enumerate(coverage):
        try:
            submission.spans.append(parse_alive_span(payload, now_ts))
        except FieldError as error:
            submission.errors.append(RecordError(index, str(error)))


def _read_events(submission: Submission, events: Sequence[Any], now_ts: int, wire: bool) -> None:
    # What devices send is read at speed (from the wire texts when the channel kept them, else
    # from decoded objects); anything else gets the full reader and its errors.
    fast, others = read_wire(events, now_ts) if wire else canonical_events(events, now_ts)
    if not others:
        submission.events += fast
        return
    slow: dict[int, Event | ConnectionCheck | None] = {}
    for index in others:
        try:
            slow[index] = _read_event(events[index], now_ts)
        except FieldError as error:
            submission.errors.append(RecordError(index, str(error)))
            slow[index] = None
    read_fast = iter(fast)  # in input order, between the others
    for index in range(len(events)):
        parsed = slow[index] if index in slow else next(read_fast)
        if isinstance(parsed, ConnectionCheck):
            submission.checks.append(parsed)
        elif parsed is not None:
            submission.events.append(parsed)


def _read_event(payload: Any, now_ts: int) -> Event | ConnectionCheck:
    """The full reader on one payload: a decoded object, or a message's wire text."""
    if type(payload) is bytes:
        try:
            payload = payload.decode("utf-8")
        except UnicodeDecodeError:
            raise FieldError("message is not UTF-8 text") from None
    if type(payload) is str:
        payload = parse_message_text(payload)
    return parse_event(payload, now_ts)


def _read_counts(submission: Submission, counts: Sequence[Any], now_ts: int) -> None:
    # The connectors' usual shape is read at speed; anything else gets the full reader.
    fast, others = canonical_counts(counts, now_ts)
    if not others:
        submission.counts = fast
        return
    read_fast, slow = iter(fast), set(others)
    for index, payload in enumerate(counts):  # in input order: the last report of a cell wins
        if index not in slow:
            submission.counts.append(next(read_fast))
            continue
        try:
            submission.counts.append(parse_reported_count(payload, now_ts))
        except FieldError as error:
            submission.errors.append(RecordError(index, str(error)))
