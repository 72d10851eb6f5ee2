"""Taking one file: all or nothing, bad lines named, the same file twice, a failure half-way,
and a huge file streamed with bounded memory (measured with tracemalloc, not timed)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.connectors.ftp_drop.config import FileFormat
from footfall.connectors.ftp_drop.inbox import FileTaker, Inbox
from footfall.ingest.core import IngestCore
from footfall.simulator.devices.daily_file import day_bounds, render_daily_file
from footfall.simulator.fleet import CounterSpec, Fleet, SiteSpec
from footfall.storage.engine import read_tx
from footfall.storage.tables_file_drop import drop_file
from tests.connectors.ftp_drop.simhub import cell_count, fleet_estate, stored_cells, truth_cells

ALL_DAY = ((0, 1440),) * 7
FLEET = Fleet(seed=21, sites=(SiteSpec("LIS", "Lisbon", "Europe/Lisbon", ALL_DAY, daily_visitors=900),),
              counters=(CounterSpec("00000000000e0001", "FFC-2024-000501", "LIS", 1, 1.0, True, ("ftp",)),))
SERIAL = FLEET.counters[0].serial
DAY = date(2025, 9, 9)


@pytest.fixture
def core(engine: Engine) -> Iterator[IngestCore]:
    ingest = IngestCore(engine)
    yield ingest
    ingest.close()


def _inbox(engine: Engine, tmp_path: Path) -> Inbox:
    company_id = fleet_estate(engine, FLEET)
    folder = tmp_path / "inbox"
    folder.mkdir()
    return Inbox(company_id, "watch:test", folder, FileFormat())


def _drop(inbox: Inbox, day: date = DAY, data: bytes | None = None) -> Path:
    path = inbox.folder / f"{SERIAL}_{day:%Y%m%d}.csv"
    path.write_bytes(render_daily_file(FLEET, SERIAL, day) if data is None else data)
    return path


def _log(engine: Engine) -> list[tuple[str, str, int]]:
    with read_tx(engine) as conn:
        query = select(drop_file.c.name, drop_file.c.status, drop_file.c.rows).order_by(drop_file.c.id)
        rows = conn.execute(query)
        return [tuple(r) for r in rows]


def test_a_file_is_stored_whole_archived_and_the_same_file_twice_changes_nothing(
        engine: Engine, core: IngestCore, tmp_path: Path) -> None:
    inbox = _inbox(engine, tmp_path)
    taker = FileTaker(engine, core, batch_rows=700)  # several batches per file
    first = asyncio.run(taker.take(inbox, _drop(inbox)))
    assert first.status == "done" and first.rows == 2 * 1440
    assert first.moved_to is not None and first.moved_to.parent.parent == inbox.archive
    start, end = day_bounds(DAY, "Europe/Lisbon")
    truth = truth_cells(FLEET, start, end)
    assert stored_cells(engine, "ftp") == truth and sum(map(sum, truth.values())) > 500
    cells = cell_count(engine)
    again = asyncio.run(taker.take(inbox, _drop(inbox)))  # re-uploaded: replaces, never adds
    assert again.status == "done" and again.moved_to is not None and again.moved_to.name.endswith(".csv.1")
    assert stored_cells(engine, "ftp") == truth and cell_count(engine) == cells == 2 * 1440
    assert [p.name for p in inbox.folder.iterdir() if p.is_file()] == []
    assert not any(inbox.processing.iterdir())
    assert _log(engine) == [(first.name, "done", 2880), (first.name, "done", 2880)]


def test_one_bad_line_keeps_the_whole_file_out_and_the_report_names_it(
        engine: Engine, core: IngestCore, tmp_path: Path) -> None:
    inbox = _inbox(engine, tmp_path)
    lines = render_daily_file(FLEET, SERIAL, DAY).decode().split("\r\n")
    fields = lines[1000].split(",")
    fields[5] = "x" + fields[5]  # the In of file line 1001
    lines[1000] = ",".join(fields)
    outcome = asyncio.run(FileTaker(engine, core).take(inbox, _drop(inbox, data="\r\n".join(lines).encode())))
    assert outcome.status == "rejected" and outcome.rows == 0
    assert [(p.line, p.field) for p in outcome.problems] == [(1001, "In")]
    assert stored_cells(engine, "ftp") == {} and cell_count(engine) == 0  # nothing, not even line 2
    assert outcome.moved_to == inbox.rejected / f"{SERIAL}_{DAY:%Y%m%d}.csv"
    report = (inbox.rejected / f"{SERIAL}_{DAY:%Y%m%d}.csv.errors.txt").read_text()
    assert "line 1001, field In: not a whole number" in report and "nothing from it was stored" in report
    assert _log(engine) == [(outcome.name, "rejected", 0)]


class _FailsOnce:
    """The real ingest core, except that its `fail_at`-th call fails like a database going away."""

    def __init__(self, core: IngestCore, fail_at: int) -> None:
        self.core, self.calls, self.fail_at = core, 0, fail_at

    async def ingest_async(self, company_id: int, **records: Any) -> Any:
        self.calls += 1
        if self.calls == self.fail_at:
            raise ConnectionError("database went away")
        return await self.core.ingest_async(company_id, **records)


def test_a_failure_half_way_leaves_the_file_to_be_taken_again_whole(
        engine: Engine, core: IngestCore, tmp_path: Path) -> None:
    inbox = _inbox(engine, tmp_path)
    failing = FileTaker(engine, _FailsOnce(core, fail_at=3), batch_rows=500)  # type: ignore[arg-type]
    outcome = asyncio.run(failing.take(inbox, _drop(inbox)))
    assert outcome.status == "failed" and outcome.rows == 1000
    assert "database went away" in (outcome.error or "")
    [left] = inbox.unfinished()
    assert left.name == f"{SERIAL}_{DAY:%Y%m%d}.csv"
    assert _log(engine) == [(left.name, "ingesting", 1000)]  # the log says it is not whole yet
    again = asyncio.run(FileTaker(engine, core, batch_rows=500).resume(inbox, left))
    assert again.status == "done" and again.rows == 2880 and inbox.unfinished() == []
    start, end = day_bounds(DAY, "Europe/Lisbon")
    assert stored_cells(engine, "ftp") == truth_cells(FLEET, start, end)
    assert cell_count(engine) == 2880
    assert _log(engine) == [(left.name, "ingesting", 1000), (left.name, "done", 2880)]


def _many_days(first: date, days: int) -> bytes:
    parts = [render_daily_file(FLEET, SERIAL, first + timedelta(days=n)) for n in range(days)]
    return parts[0] + b"".join(p.split(b"\r\n", 1)[1] for p in parts[1:])


_TAKE = """
import asyncio, json, resource, sys
from pathlib import Path
from footfall.connectors.ftp_drop.config import FileFormat
from footfall.connectors.ftp_drop.inbox import FileTaker, Inbox
from footfall.ingest.core import IngestCore
from footfall.storage.engine import make_engine
url, company, folder, name = sys.argv[1:5]
engine = make_engine(url)
core = IngestCore(engine)
inbox = Inbox(int(company), "watch:huge", Path(folder), FileFormat())
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
outcome = asyncio.run(FileTaker(engine, core, batch_rows=2000).take(inbox, Path(folder) / name))
core.close()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"status": outcome.status, "rows": outcome.rows, "grew": (after - before) * 1024}))
"""


def _take_in_a_process(engine: Engine, inbox: Inbox, data: bytes, name: str) -> dict[str, Any]:
    """Take one file in a fresh process and report how much its peak memory (max RSS) grew."""
    (inbox.folder / name).write_bytes(data)
    done = subprocess.run([sys.executable, "-c", _TAKE, str(engine.url), str(inbox.company_id),
                           str(inbox.folder), name], capture_output=True, text=True, timeout=600, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_huge_file_is_streamed_with_memory_that_does_not_grow_with_its_size(
        sqlite_engine: Engine, tmp_path: Path) -> None:
    inbox = _inbox(sqlite_engine, tmp_path)
    small, huge = _many_days(date(2025, 1, 1), 1), _many_days(date(2025, 2, 1), 16)
    one_day = _take_in_a_process(sqlite_engine, inbox, small, f"{SERIAL}_20250101.csv")
    sixteen = _take_in_a_process(sqlite_engine, inbox, huge, f"{SERIAL}_20250201.csv")
    assert (one_day["status"], sixteen["status"]) == ("done", "done")
    assert sixteen["rows"] == 16 * 2880 and cell_count(sqlite_engine) == 17 * 2880
    assert len(huge) > 2_000_000
    # Held whole, 46,080 rows would take tens of MB (over ten times the file). Streamed in batches
    # of 2,000, the sixteen-day file's peak grows by less than the file's own size over one day's.
    assert sixteen["grew"] - one_day["grew"] < len(huge), (one_day, sixteen, len(huge))
