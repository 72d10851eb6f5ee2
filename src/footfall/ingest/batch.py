"""A submission to the ingest core: parsed records, their errors, and the result shape."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from footfall.domain.counts import parse_alive_span, parse_reported_count
from footfall.domain.events import ConnectionCheck, parse_event
from footfall.domain.fields import FieldError
from footfall.domain.records import AliveSpan, Event, RecordError, ReportedCount


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
    """One caller's parsed records for one company, waiting for the group commit."""

    company_id: int
    channel: str
    events: list[Event] = field(default_factory=list)
    counts: list[ReportedCount] = field(default_factory=list)
    spans: list[AliveSpan] = field(default_factory=list)
    checks: list[ConnectionCheck] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Records to write."""
        return len(self.events) + len(self.counts) + len(self.spans) + len(self.checks)


def prepare(
    company_id: int,
    now_ts: int,
    *,
    channel: str = "api",
    events: Iterable[Any] = (),
    counts: Iterable[Any] = (),
    coverage: Iterable[Any] = (),
) -> Submission:
    """Parse raw payloads; a bad record becomes an error with its index, the rest go on."""
    submission = Submission(company_id, channel)
    for index, payload in enumerate(events):
        try:
            parsed = parse_event(payload, now_ts)
        except FieldError as error:
            submission.errors.append(RecordError(index, str(error)))
            continue
        if isinstance(parsed, ConnectionCheck):
            submission.checks.append(parsed)
        else:
            submission.events.append(parsed)
    for index, payload in enumerate(counts):
        try:
            submission.counts.append(parse_reported_count(payload, now_ts))
        except FieldError as error:
            submission.errors.append(RecordError(index, str(error)))
    for index, payload in enumerate(coverage):
        try:
            submission.spans.append(parse_alive_span(payload, now_ts))
        except FieldError as error:
            submission.errors.append(RecordError(index, str(error)))
    return submission
