"""The group committer survives a failing submission: the rest of its group still lands."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from footfall.ingest import committer
from footfall.ingest.committer import StorageUnavailable
from footfall.ingest.core import IngestCore
from footfall.ingest.writer import Writer
from tests.core.helpers import make_estate

SERIAL = "00000000000000c3"


def _event(ts: int) -> dict:
    return {"CameraSerial": SERIAL, "EventStartTime": ts, "MetricId": 1, "RoiId": 1, "PeopleId": ts}


def test_a_crashing_submission_fails_alone_and_the_writer_keeps_going(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = Writer.write

    def write(self, conn, group, now_ts):  # type: ignore[no-untyped-def]
        if any(s.channel == "poison" for s in group):
            raise RuntimeError("bug in a parser")
        return real_write(self, conn, group, now_ts)

    monkeypatch.setattr(Writer, "write", write)
    _poison_fails_alone(sqlite_engine, "RuntimeError")


def test_a_submission_that_cannot_be_read_fails_alone(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_read = committer.read

    def read(submission):  # type: ignore[no-untyped-def]
        if submission.channel == "poison":
            raise RuntimeError("bug in a reader")
        real_read(submission)

    monkeypatch.setattr(committer, "read", read)
    _poison_fails_alone(sqlite_engine, "could not be read")


def _poison_fails_alone(engine: Engine, failure: str) -> None:
    """The "poison" channel's submission fails with `failure`; its neighbour and later ones land."""
    company_id = make_estate(engine, "UTC", [SERIAL])
    core = IngestCore(engine)
    try:
        poisoned = core.submit(company_id, channel="poison", events=[_event(1_600_000_000)])
        healthy = core.submit(company_id, channel="api", events=[_event(1_600_000_060)])
        with pytest.raises(StorageUnavailable, match=failure):
            poisoned.result(timeout=30)
        assert healthy.result(timeout=30).accepted == 1
        assert core.ingest(company_id, events=[_event(1_600_000_120)]).accepted == 1  # the writer lives on
    finally:
        core.close()
