"""Ingest-core throughput and counts latency, each next to a ceiling measured in the same run.

    python bench/ingest.py [--events 1000000] [--counters 1000] [--batch 20] [--backends sqlite,postgresql]

Ingest: events of a fleet, as the wire texts a WebSocket or MQTT channel receives, go through
the ingest core (decode and check, dedupe, group commit, durable commit, dirty marks) with one
submission in flight per counter, as counters waiting for their `OK` keep it. Ceiling: the
same rows bulk-inserted in one transaction into a bare table with the same unique key, with the
same bulk-insert technique (multi-row VALUES on SQLite, unnest arrays on PostgreSQL), timed
just before and just after the ingest. Counts: GET /api/v1/counts for one site × one year,
hourly, among 100 sites, in a process of its own; ceiling: a bare SELECT of the same hour rows,
in turns with it.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import time
from concurrent.futures import Future, wait
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import BigInteger, Column, Integer, MetaData, SmallInteger, String, Table, UniqueConstraint
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).parent))
from backends import hub_database, timed_bare_insert
from footfall.estate.companies import create_company
from footfall.ingest.batch import prepare
from footfall.ingest.core import IngestCore
from footfall.ingest.writer import EVENT_COLUMNS
from footfall.rollup.refresher import refresh
from footfall.storage.engine import write_tx
from footfall.storage.tables import event
from workload import as_wire, fleet_events


def bench_ingest(engine: Engine, batches: list[list[str]], events: int, in_flight: int) -> float:
    """Print ingest throughput, the bare bulk-insert ceiling and their ratio; return the ratio.

    The ceiling is measured just before and just after the ingest, and the ratio taken
    against their mean: these machines change speed within a run, and a ceiling taken at one
    end alone would judge the ingest by the speed of that moment.
    """
    with write_tx(engine) as conn:
        company_id = create_company(conn, f"bench-{time.time_ns()}")["id"]
    rows = _ceiling_rows(batches, company_id)
    # The ceiling's million rows are the benchmark's, not the hub's heap: kept out of the
    # collector's sight, they do not slow every full collection during the ingest.
    gc.freeze()
    before_s = _ceiling(engine, rows)
    core = IngestCore(engine)
    started = time.perf_counter()
    pending: list[Future] = []
    for batch in batches:
        pending.append(core.submit(company_id, channel="bench", messages=batch))
        if len(pending) >= in_flight:
            wait(pending[: in_flight // 2])
            pending = pending[in_flight // 2 :]
    wait(pending)
    ingest_s = time.perf_counter() - started
    groups = core.groups_committed
    core.close()
    after_s = _ceiling(engine, rows)
    started = time.perf_counter()
    rolled = refresh(engine)
    rollup_s = time.perf_counter() - started
    rate = events / ingest_s
    ceiling_rate = (events / before_s + events / after_s) / 2
    ratio = rate / ceiling_rate
    print(f"  ingest   {events:>9,} events  {ingest_s:7.2f} s  {rate:>9,.0f} events/s  "
          f"({len(batches):,} submissions of ≤{len(batches[0])}, {groups:,} group commits)")
    print(f"  ceiling  {events:>9,} rows    {before_s:7.2f} s before, {after_s:.2f} s after: "
          f"{ceiling_rate:>9,.0f} rows/s (bare table, same unique key, one transaction)")
    print(f"  ratio    {ratio:.0%} of the ceiling (target ≥ 50%)")
    print(f"  rollup   {rolled:>9,} counter-hours  {rollup_s:7.2f} s  "
          f"{events / rollup_s:>9,.0f} events/s folded into hours")
    return ratio


def _ceiling_rows(batches: list[list[str]], company_id: int) -> list[tuple]:
    """The rows the ingest stores, as the writer's column order (EVENT_COLUMNS) with counter ids."""
    now = int(time.time())
    serials: dict[str, int] = {}
    rows: list[tuple] = []
    for batch in batches:
        for e in prepare(company_id, now, messages=batch).events:
            cid = serials.setdefault(e.serial, len(serials) + 1)
            rows.append((cid, *e[1:], now))
    return rows


def _ceiling(engine: Engine, rows: list[tuple]) -> float:
    """Seconds to bulk-insert `rows` into a fresh bare table shaped like the event table."""
    metadata = MetaData()
    bare = Table(
        f"bench_bare_{time.time_ns()}", metadata,
        Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
        Column("counter_id", BigInteger, nullable=False), Column("start_ts", BigInteger),
        Column("identity", String(33)), Column("roi_id", Integer), Column("metric", SmallInteger),
        Column("people_type", SmallInteger), Column("people_id", BigInteger),
        Column("end_ts", BigInteger), Column("uploaded_ts", BigInteger),
        Column("received_ts", BigInteger),
        UniqueConstraint(*_event_key()),
    )
    return timed_bare_insert(engine, bare, EVENT_COLUMNS, rows)


def _event_key() -> list[str]:
    """The columns of the event table's unique key, in its order (the ceiling keeps the same)."""
    return next(c for c in event.constraints if isinstance(c, UniqueConstraint)).columns.keys()


def main() -> None:
    """Run the benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--counters", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"building workload: {args.events:,} events from {args.counters:,} counters …")
    batches = as_wire(fleet_events(args.events, args.counters, args.batch))
    # The workload stands for data still on the devices, not the hub's heap: keep the
    # collector from rescanning a million dicts on every full collection.
    gc.freeze()
    for name in args.backends.split(","):
        print(f"\n[{name}]")
        with ExitStack() as stack:
            engine = hub_database(stack, name)
            if engine is None:
                continue
            bench_ingest(engine, batches, args.events, in_flight=args.counters)
        _counts_alone(name, args.sites)


def _counts_alone(backend: str, sites: int) -> None:
    """Run the counts benchmark in a process of its own and print its figures.

    A server answering reports does not hold a benchmark's million messages and ceiling rows:
    in this process they slow every allocation of the report (a larger heap, colder caches)
    and the bare SELECT beside it, which would judge the report by this script's memory.
    """
    script = Path(__file__).with_name("counts_latency.py")
    done = subprocess.run([sys.executable, str(script), "--sites", str(sites), "--backends", backend],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"counts benchmark failed:\n{done.stderr}")
    print("".join(line for line in done.stdout.splitlines(keepends=True)
                  if line.startswith("  ")), end="")


if __name__ == "__main__":
    main()
