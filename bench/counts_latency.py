"""GET /counts latency for one site × one year hourly among many sites, beside a bare SELECT.

    python bench/counts_latency.py [--sites 100] [--backends sqlite,postgresql]

Run by `bench/ingest.py` (after its ingest figures) or alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.api.app import create_app
from footfall.estate.companies import create_company
from footfall.estate.counters import create_counter
from footfall.estate.sites import create_site
from footfall.estate.tokens import create_token
from footfall.ingest.core import IngestCore
from footfall.query.collector import collector_paused
from footfall.rollup.refresher import refresh
from footfall.settings import Settings
from footfall.storage import dialect
from footfall.storage.engine import make_engine, read_tx, write_tx
from footfall.storage.migrate import upgrade
from footfall.storage.tables import counter_hour, line_hour

sys.path.insert(0, str(Path(__file__).parent))
from backends import scratch_url
from workload import hourly_counts, serial

YEAR_START = 1_735_660_800  # 2024-12-31T16:00:00Z = 2025-01-01 00:00 in Asia/Kuala_Lumpur
HOURS = 365 * 24
COUNTERS_PER_SITE = 2
RUNS = 20


def bench_counts(engine: Engine, sites: int) -> None:
    """Print the median and p95 latency of a one-site, one-year hourly report and its ceiling."""
    token, ids = build(engine, sites)
    measure(engine, token, ids)


def build(engine: Engine, sites: int) -> tuple[str, list[int]]:
    """A company of `sites` sites with a year of hours each; (its token, the measured counter ids)."""
    with write_tx(engine) as conn:
        company_id = create_company(conn, f"counts-bench-{time.time_ns()}")["id"]
        token = create_token(conn, company_id, "bench")[1]
        site_ids = [create_site(conn, company_id, f"S{n:03}", f"Site {n}", "Asia/Kuala_Lumpur")["id"]
                    for n in range(sites)]
        counter_ids = {}
        for n, site_id in enumerate(site_ids):
            for k in range(COUNTERS_PER_SITE):
                s = serial(50_000 + n * COUNTERS_PER_SITE + k)
                counter_ids[s] = create_counter(conn, company_id, s, site_id=site_id)["id"]
    # The measured site goes through the real pipeline (ingest, rollup) ...
    measured = [serial(50_000 + k) for k in range(COUNTERS_PER_SITE)]
    core = IngestCore(engine)
    for k, s in enumerate(measured):
        rows = hourly_counts(s, HOURS, YEAR_START, seed=k)
        for i in range(0, len(rows), 5_000):
            core.ingest(company_id, counts=rows[i:i + 5_000],
                        coverage=[{"serial": s, "start": YEAR_START, "end": YEAR_START + 28 * 86400}])
    core.close()
    refresh(engine)
    # ... the other sites' hours are bulk-loaded so the tables hold 100 sites' worth of rows.
    _fill_background(engine, [cid for s, cid in counter_ids.items() if s not in measured])
    return token, [counter_ids[s] for s in measured]


def measure(engine: Engine, token: str, ids: list[int]) -> None:
    """Time the report through the API and the bare SELECT of its rows, in turns; print both
    and their ratio (the median of each pair's: a machine whose speed drifts during the run
    moves both figures of a pair alike)."""
    app = create_app(Settings(), engine=engine)
    url = (f"/api/v1/counts?level=site&id=S000&interval=hour&from={date(2025, 1, 1)}"
           f"&to={date(2025, 12, 31)}")
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {token}"}
        first = client.get(url, headers=headers)
        assert first.status_code == 200, first.text
        assert len(first.json()["data"]) == HOURS
        timings, cpu, ceiling = [], [], []
        for _ in range(RUNS):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url, headers=headers).raise_for_status()
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            ceiling.append(_bare_select(engine, ids))
    median, p95 = statistics.median(timings), sorted(timings)[int(RUNS * 0.95) - 1]
    bare = statistics.median(ceiling)
    ratio = statistics.median(t / c for t, c in zip(timings, ceiling, strict=True))
    print(f"  counts   1 site × 1 year hourly ({HOURS:,} rows): "
          f"median {median * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms (target < 100 ms); "
          f"CPU median {statistics.median(cpu) * 1000:.1f} ms")
    print(f"  ceiling  bare SELECT of the same hour rows, in turns with the report: median "
          f"{bare * 1000:6.1f} ms; ratio {ratio:.1f}× (median of the pairs)")


def _bare_select(engine: Engine, ids: list[int]) -> float:
    """Seconds to read the report's hour rows as they are stored, with nothing made of them."""
    started = time.perf_counter()
    # Read as the report reads (collector paused), so the floor is the database's alone.
    with collector_paused(), read_tx(engine) as conn:
        conn.execute(select(line_hour).where(line_hour.c.counter_id.in_(ids))).all()
        conn.execute(select(counter_hour).where(counter_hour.c.counter_id.in_(ids))).all()
    return time.perf_counter() - started


def _fill_background(engine: Engine, counter_ids: list[int]) -> None:
    now_us = time.time_ns() // 1000
    with write_tx(engine) as conn:
        for cid in counter_ids:
            dialect.insert_many(conn, counter_hour,
                                ("counter_id", "start_ts", "length_s", "covered_s", "revised_us"),
                                [(cid, YEAR_START + h * 3600, 3600, 3600, now_us) for h in range(HOURS)])
            dialect.insert_many(conn, line_hour,
                                ("counter_id", "start_ts", "roi_id", "in_count", "out_count",
                                 "staff_in", "staff_out"),
                                [(cid, YEAR_START + h * 3600, 1, 10, 10, 0, 0) for h in range(HOURS)])


def main() -> None:
    """Build the estate on each backend and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for name in args.backends.split(","):
        print(f"\n[{name}] {args.sites} sites")
        with ExitStack() as stack:
            url = scratch_url(stack, name)
            if url is None:
                continue
            engine = make_engine(url)
            upgrade(engine)
            stack.callback(engine.dispose)
            bench_counts(engine, args.sites)


if __name__ == "__main__":
    main()
