"""Export throughput and peak memory of a 1 M-row minute export, beside the bare report ceiling.

The ceiling is the same run's `report()` iteration over the same items and chunks with no
file written (the rows have to be computed whatever the format); a raw `csv.writer` over
rows already in hand is printed too, for the cost of the writing itself.
"""

from __future__ import annotations

import csv
import os
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil
from sqlalchemy.engine import Engine

from footfall.domain.verification import Policy
from footfall.estate.companies import create_company
from footfall.estate.counters import create_counter
from footfall.estate.sites import create_site
from footfall.export import ExportRequest, write_export
from footfall.export.rows import iter_chunks, plan
from footfall.ingest.core import IngestCore
from footfall.rollup.refresher import refresh
from footfall.storage.engine import make_engine, write_tx
from footfall.storage.migrate import upgrade

FIRST = date(2024, 3, 4)
COUNTERS = int(os.environ.get("EXPORT_BENCH_COUNTERS", "35"))
DAYS = int(os.environ.get("EXPORT_BENCH_DAYS", "20"))  # 35 × 20 × 1,440 = 1,008,000 rows
NOW_TS = 1_900_000_000
FORMATS = os.environ.get("EXPORT_BENCH_FORMATS", "csv,xlsx").split(",")  # json, xml, txt too


def build_estate(engine: Engine, counters: int, days: int, first: date = FIRST) -> int:
    """A company with `counters` counters over 5 sites and 15-minute counts for `days` days."""
    with write_tx(engine) as conn:
        company_id = create_company(conn, f"export-bench-{time.time_ns()}")["id"]
        sites = [create_site(conn, company_id, f"S{n}", f"Site {n}", "Europe/London")["id"]
                 for n in range(5)]
        serials = [f"bench{n:04d}" for n in range(counters)]
        for n, serial in enumerate(serials):
            create_counter(conn, company_id, serial, name=f"Door {n}", site_id=sites[n % 5])
    rng = random.Random(7)
    start = int(datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp())
    core = IngestCore(engine)
    for serial in serials:
        counts = [{"serial": serial, "line": 1, "start": start + q * 900, "length": 900,
                   "in": rng.randint(0, 30), "out": rng.randint(0, 30), "source": "device_api"}
                  for q in range(days * 96) if 36 <= q % 96 < 84]  # 09:00–21:00
        coverage = [{"serial": serial, "start": start, "end": start + days * 86400}]
        for i in range(0, len(counts), 5_000):
            core.ingest(company_id, counts=counts[i:i + 5_000], coverage=coverage)
    core.close()
    refresh(engine)
    return company_id


def request_for(company_id: int, fmt: str, counters: int = COUNTERS, days: int = DAYS) -> ExportRequest:
    """The minute export of every counter over `days` days."""
    return ExportRequest(company_id, "counter", "all", "minute", FIRST,
                         FIRST + timedelta(days=days - 1), fmt)


class PeakRss:
    """The process's peak resident memory while the block runs (sampled every 10 ms)."""

    def __enter__(self) -> PeakRss:
        self.process, self.peak, self.done = psutil.Process(), 0, threading.Event()
        self.base = self.process.memory_info().rss
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self.done.wait(0.01)

    def __exit__(self, *_exc: object) -> None:
        self.done.set()
        self.thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def report_ceiling(engine: Engine, request: ExportRequest, policy: Policy) -> tuple[float, list]:
    """Rows/s of the bare `report()` iteration over the request's chunks; and its last chunk."""
    started, rows, last = time.perf_counter(), 0, []
    for _item, chunk in iter_chunks(engine, request, plan(engine, request), NOW_TS, policy):
        rows += len(chunk)
        last = chunk
    return rows / (time.perf_counter() - started), last


def main() -> None:
    """Build the estate, then time each export format right after its report ceiling."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(os.environ.get("EXPORT_BENCH_DB") or f"sqlite:///{folder}/bench.db")
        upgrade(engine)
        print(f"  export   building {COUNTERS} counters × {DAYS} days …", file=sys.stderr)
        company_id = build_estate(engine, COUNTERS, DAYS)
        policy = Policy()
        # The ceiling runs on a fifth of the counters just before each export (the machine's
        # load drifts over a long run): same chunks, same rows per chunk, warm caches.
        sample = ExportRequest(company_id, "counter", [f"bench{n:04d}" for n in
                                                       range(max(1, COUNTERS // 5))],
                               "minute", FIRST, FIRST + timedelta(days=DAYS - 1))
        _warm, rows = report_ceiling(engine, sample, policy)
        keys = list(rows[0])[:14]
        started = time.perf_counter()
        with open(os.devnull, "w", newline="") as sink:
            csv.writer(sink).writerows([row[k] for k in keys] for _ in range(100) for row in rows)
        raw = 100 * len(rows) / (time.perf_counter() - started)
        print(f"  export   raw csv.writer of report rows in hand: {raw:10,.0f} rows/s")
        for fmt in FORMATS:
            ceiling, _rows = report_ceiling(engine, sample, policy)
            out = Path(folder) / f"bench.{fmt}"
            with out.open("wb") as file, PeakRss() as memory:
                started = time.perf_counter()
                stats = write_export(engine, request_for(company_id, fmt), file, policy, NOW_TS)
                elapsed = time.perf_counter() - started
            rate = stats.rows / elapsed
            print(f"  export   {fmt:<4} {stats.rows:,} minute rows ({stats.bytes / 1e6:5.1f} MB): "
                  f"{rate:8,.0f} rows/s = {rate / ceiling:4.0%} of the bare report() ceiling "
                  f"({ceiling:,.0f} rows/s); peak RSS {memory.peak / 1e6:5.1f} MB "
                  f"(+{(memory.peak - memory.base) / 1e6:.1f} MB during the export; target < 200 MB)")
            out.unlink()
        engine.dispose()


if __name__ == "__main__":
    main()
