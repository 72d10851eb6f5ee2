"""The group committer survives a failing submission: the rest of its group still lands."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

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
    company_id = make_estate(sqlite_engine, "UTC", [SERIAL])
    real_write = Writer.write

    def write(self, conn, group, now_ts):  # type: ignore[no-untyped-def]
        if any(s.channel == "poison" for s in group):
            raise RuntimeError("bug in a parser")
        return real_write(self, conn, group, now_ts)

    monkeypatch.setattr(Writer, "write", write)
    core = IngestCore(sqlite_engine)
    try:
        poisoned = core.submit(company_id, channel="poison", events=[_event(1_600_000_000)])
        healthy = core.submit(company_id, channel="api", events=[_event(1_600_000_060)])
        with pytest.raises(StorageUnavailable, match="RuntimeError"):
            poisoned.result(timeout=30)
        assert healthy.result(timeout=30).accepted == 1
        later = core.ingest(company_id, events=[_event(1_600_000_120)])  # the thread is alive
        assert later.accepted == 1
    finally:
        core.close()
