"""Streaming: memory stays bounded as the row count grows, and HTTP gets bytes chunk by chunk."""

from __future__ import annotations

import io
import random
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from footfall.domain.timegrid import Interval
from footfall.domain.verification import Policy
from footfall.estate.companies import create_company
from footfall.estate.counters import create_counter
from footfall.estate.sites import create_site
from footfall.export import ExportRequest, stream_export, write_export
from footfall.export import rows as export_rows
from footfall.ingest.core import IngestCore
from footfall.storage.engine import write_tx

FIRST = date(2024, 3, 4)
NOW_TS = 1_900_000_000


def _estate(engine: Engine, counters: int, days: int) -> int:
    """Counters with 15-minute counts in opening hours over `days` days; the company id."""
    with write_tx(engine) as conn:
        company_id = create_company(conn, "Streaming")["id"]
        site_id = create_site(conn, company_id, "S1", "Store", "Europe/London")["id"]
        serials = [f"stream{n}" for n in range(counters)]
        for serial in serials:
            create_counter(conn, company_id, serial, site_id=site_id)
    rng = random.Random(3)
    start = int(datetime(FIRST.year, FIRST.month, FIRST.day, tzinfo=UTC).timestamp())
    core = IngestCore(engine)
    for serial in serials:
        counts = [{"serial": serial, "line": 1, "start": start + q * 900, "length": 900,
                   "in": rng.randint(0, 20), "out": rng.randint(0, 20), "source": "device_api"}
                  for q in range(days * 96) if 36 <= q % 96 < 84]
        core.ingest(company_id, counts=counts)
    core.close()
    return company_id


def _request(company_id: int, fmt: str, days: int,
             columns: list[str] | None = None) -> ExportRequest:
    return ExportRequest(company_id, "counter", "all", "minute", FIRST,
                         FIRST + timedelta(days=days - 1), fmt, columns=columns)


def _peak(run: Callable[[], int]) -> tuple[int, int]:
    """(rows, peak traced bytes) of one run."""
    tracemalloc.start()
    try:
        rows = run()
        return rows, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class _Discard(io.RawIOBase):
    """A write-only sink that keeps nothing (the file itself must not count as memory)."""

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return len(data)


@pytest.fixture
def day_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Minute exports in chunks of one day (half the default): smaller, quicker tests."""
    monkeypatch.setitem(export_rows.CHUNK_DAYS, Interval.MINUTE, 1)
    monkeypatch.setitem(export_rows.CHUNK_DAYS, Interval.HOUR, 2)


@pytest.mark.usefixtures("day_chunks")
@pytest.mark.parametrize(("fmt", "columns"), [
    ("csv", None), ("xlsx", ["code", "date", "time", "in", "out", "aggregation_status"])])
def test_peak_memory_does_not_grow_with_the_rows(sqlite_engine: Engine, fmt: str,
                                                 columns: list[str] | None) -> None:
    counters, days = 1, 4
    company_id = _estate(sqlite_engine, counters, days)
    write_export(sqlite_engine, _request(company_id, fmt, 1, columns), _Discard(), Policy(),
                 NOW_TS)  # warm caches first
    measured = {}
    for span in (1, days):  # the same chunks, 4 × as many of them
        measured[span] = _peak(lambda span=span: write_export(
            sqlite_engine, _request(company_id, fmt, span, columns), _Discard(), Policy(),
            NOW_TS).rows)
    (small_rows, small_peak), (large_rows, large_peak) = measured[1], measured[days]
    assert large_rows == 4 * small_rows == counters * 1440 * 4
    # The peak is one chunk of report rows: 4 × the rows may not even add a quarter to it
    # (holding every row would quadruple it; holding two chunks would double it).
    assert large_peak - small_peak < small_peak // 4, (small_peak, large_peak)
    assert large_peak < 40_000_000


@pytest.mark.usefixtures("day_chunks")
def test_http_stream_yields_chunk_by_chunk(sqlite_engine: Engine) -> None:
    company_id = _estate(sqlite_engine, 2, 3)
    chunks = stream_export(sqlite_engine, _request(company_id, "csv", 3), Policy())
    sizes = [chunk.count(b"\r\n") for chunk in chunks]
    assert sum(sizes) == 1 + 2 * 3 * 1440
    assert len(sizes) == 6 and max(sizes) <= 1 + 1440  # one item-day of rows at a time


@pytest.mark.usefixtures("day_chunks")
def test_stream_and_file_are_the_same_bytes(sqlite_engine: Engine) -> None:
    company_id = _estate(sqlite_engine, 2, 9)
    for fmt in ("csv", "json", "xml", "txt", "xlsx"):
        request = ExportRequest(company_id, "counter", "all", "hour", FIRST,
                                FIRST + timedelta(days=8), fmt)  # 5 chunks per counter
        out = io.BytesIO()
        stats = write_export(sqlite_engine, request, out, Policy(), NOW_TS)
        streamed = b"".join(stream_export(sqlite_engine, request, Policy()))
        assert stats.rows == 2 * 9 * 24 and stats.bytes == len(out.getvalue())
        if fmt != "xlsx":  # a zip carries its own timestamps
            assert streamed == out.getvalue(), fmt


def test_a_metric_added_to_the_report_is_exported(sqlite_engine: Engine,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from footfall.domain import metrics

    monkeypatch.setattr(metrics, "METRICS", (
        *metrics.METRICS, metrics.Metric("probe_count", "Probe count", "count", "a test metric"),
        metrics.Metric("probe_rate", "Probe rate", "ratio", "a test ratio")))
    real = export_rows.report

    def with_sales(*args: object, **kwargs: object) -> list[dict]:
        rows = real(*args, **kwargs)  # type: ignore[arg-type]
        for row in rows:
            row["probe_count"], row["probe_rate"] = row["in"] // 2, 0.5
        return rows

    monkeypatch.setattr(export_rows, "report", with_sales)
    company_id = _estate(sqlite_engine, 1, 1)
    request = ExportRequest(company_id, "counter", "all", "hour", FIRST, FIRST, "csv")
    out = io.BytesIO()
    write_export(sqlite_engine, request, out, Policy(), NOW_TS)
    lines = out.getvalue().decode().splitlines()
    header = lines[0].split(",")
    assert header[-2:] == ["Probe count", "Probe rate"]
    noon = lines[13].split(",")
    assert int(noon[-2]) == int(noon[header.index("Visitors in")]) // 2 and noon[-1] == "0.5"


def test_xlsx_to_a_pipe_and_to_a_file_both_open(sqlite_engine: Engine, tmp_path: Path) -> None:
    import openpyxl

    company_id = _estate(sqlite_engine, 1, 1)
    request = ExportRequest(company_id, "counter", "all", "hour", FIRST, FIRST, "xlsx")
    path = tmp_path / "out.xlsx"
    with path.open("wb") as file:  # seekable: a plain zip
        stats = write_export(sqlite_engine, request, file, Policy(), NOW_TS)
    assert stats.bytes == path.stat().st_size and stats.rows == 24
    piped = _Collect()  # not seekable: zip entries carry data descriptors
    assert write_export(sqlite_engine, request, piped, Policy(), NOW_TS).bytes == len(piped.data)
    for data in (path.read_bytes(), bytes(piped.data)):
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert sheet is not None and sheet.max_row == 25


class _Collect(io.RawIOBase):
    """A write-only, non-seekable sink that keeps the bytes."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.data += data
        return len(data)
