"""The device API poller pulling 500 simulated counters for one day at minute resolution.

    python bench/device_api_poll.py [--counters 500] [--sites 200] [--concurrency N]
                                    [--backends sqlite,postgresql]

The counters are the simulator's real device API (one server, one port per counter) in another
process, so the devices' work does not share the hub's CPU. Each counter is registered on a
fresh hub database with its watermark a day back; the real poller (`poll_due`: token, apiCount
JSON, parse, ingest, watermark) then pulls the day, and the hub's cells are checked against the
simulator's ground truth, minute by minute. Ceilings measured in the same run: the same
fetches with the same client and concurrency, parsed into the same rows but not stored
(fetch + parse), and the same rows bulk-inserted in one transaction into a bare table with
count_cell's key (storage). For reference, the same submissions go straight into the ingest
core of a second fresh database: the poll can hardly beat fetching and then ingesting, since
both share one process (and its CPU time is printed beside each wall time).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, wait
from contextlib import ExitStack
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, Table, select
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).parent))
from backends import hub_database, timed_bare_insert
from footfall.connectors.device_api import DeviceApiPoller, PollerLimits, store
from footfall.connectors.device_api.client import DeviceClient
from footfall.connectors.device_api.parse import parse_reply, reported_counts
from footfall.connectors.device_api.store import PullTarget
from footfall.connectors.device_api.windows import plan, query
from footfall.estate.companies import create_company
from footfall.estate.counters import create_counter
from footfall.estate.sites import create_site
from footfall.ingest.core import IngestCore
from footfall.security.secrets import SecretBox
from footfall.simulator.devices.http_api import DeviceApiServer
from footfall.simulator.fleet import Fleet, build_fleet
from footfall.simulator.runner import raise_open_file_limit
from footfall.simulator.traffic import warm
from footfall.simulator.truth import truth_rows
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import count_cell, counter

SEED = 11
DAY_S = 86400
NOW = int(datetime(2025, 11, 21, 12, 0, tzinfo=UTC).timestamp())   # a Friday noon UTC
SINCE = NOW - DAY_S
CELL_COLUMNS = ("counter_id", "roi_id", "start_ts", "length_s", "source", "in_count", "out_count",
                "staff_in", "staff_out", "received_ts")
Row = tuple[int, int, int, int, str, int, int, int, int, int]
T = TypeVar("T")


class FixedClock:
    """The devices' clock: always NOW (they hold everything up to it)."""

    def now(self) -> float:
        """NOW, epoch seconds."""
        return float(NOW)


def serve_devices(counters: int, sites: int, ready: Queue, stop: Event) -> None:
    """The fleet's device API (another process): its site-days generated first, then served until `stop`."""
    raise_open_file_limit()
    fleet = build_fleet(counters=counters, sites=sites, seed=SEED)
    warm(fleet, SINCE - DAY_S, NOW + DAY_S)

    async def main() -> None:
        async with DeviceApiServer(fleet, [c.serial for c in fleet.counters], FixedClock()) as server:
            ready.put(server.endpoints)
            while not stop.is_set():
                await asyncio.sleep(0.2)

    asyncio.run(main())


def register(engine: Engine, fleet: Fleet, endpoints: dict[str, str], box: SecretBox) -> int:
    """A company holding the fleet as device_api counters, each pulled up to a day ago; its id."""
    with write_tx(engine) as conn:
        company_id = int(create_company(conn, "Polled Retail")["id"])
        sites = {s.code: create_site(conn, company_id, s.code, s.name, s.timezone)["id"] for s in fleet.sites}
        for spec in fleet.counters:
            address = urlsplit(endpoints[spec.serial])
            row = create_counter(conn, company_id, spec.serial, f"door {spec.door}", sites[spec.site_code],
                                 channel="device_api", host=address.hostname, port=address.port,
                                 username=spec.username, password_sealed=box.seal(spec.password),
                                 data_type="json", resolution="minute", resolution_step=1)
            store.advance(conn, row["id"], SINCE)
    return company_id


Batch = list[dict[str, Any]]   # one window's reported counts, as the poller submits them


async def fetch_only(targets: list[PullTarget], limits: PollerLimits) -> list[Batch]:
    """The ceiling: every target's windows fetched and parsed into reported counts, nothing stored."""
    slots = asyncio.Semaphore(limits.concurrency)

    async def one(target: PullTarget) -> list[Batch]:
        batches: list[Batch] = []
        async with slots, DeviceClient(target.config, limits) as client:
            zone = ZoneInfo(target.zone)
            for window in plan(SINCE, NOW, zone, target.config.window_s):
                body = await client.count(query(window, zone, target.config))
                reply = await asyncio.to_thread(parse_reply, body, target.config.data_type)
                batches.append(reported_counts(target.serial, reply, SINCE, NOW))
        return batches

    return [batch for batches in await asyncio.gather(*(one(t) for t in targets)) for batch in batches]


def ingest_only(engine: Engine, company_id: int, batches: list[Batch], in_flight: int) -> float:
    """For reference: the same submissions straight into the ingest core, no device; seconds."""
    core = IngestCore(engine)
    started = time.perf_counter()
    pending: list[Future[Any]] = []
    for batch in batches:
        pending.append(core.submit(company_id, channel="device_api", counts=batch))
        if len(pending) >= in_flight:
            pending.pop(0).result()
    wait(pending)
    elapsed = time.perf_counter() - started
    core.close()
    return elapsed


def cell_rows(engine: Engine, batches: list[Batch]) -> list[Row]:
    """The batches as count_cell rows (counter ids looked up by serial)."""
    with read_tx(engine) as conn:
        ids = {serial: counter_id for serial, counter_id
               in conn.execute(select(counter.c.serial, counter.c.id))}
    return [(ids[c["serial"]], c["line"], c["start"], c["length"], c["source"], c["in"], c["out"],
             c["staff_in"], c["staff_out"], NOW) for batch in batches for c in batch]


def bulk_insert(engine: Engine, rows: list[Row]) -> float:
    """The storage ceiling: `rows` into a bare table with count_cell's key, one transaction; seconds."""
    metadata = MetaData()
    bare = Table(f"bench_cells_{time.time_ns()}", metadata,
                 *(Column(c.name, c.type) for c in count_cell.c),
                 PrimaryKeyConstraint("counter_id", "start_ts", "roi_id", "length_s", "source"))
    return timed_bare_insert(engine, bare, CELL_COLUMNS, rows)


def check_truth(engine: Engine, fleet: Fleet) -> int:
    """Hub cells == the simulator's truth for every counter, line and minute of the day; cells checked."""
    hub: dict[tuple[str, int, int], tuple[int, ...]] = {}
    query_cells = (select(counter.c.serial, count_cell.c.roi_id, count_cell.c.start_ts, count_cell.c.in_count,
                          count_cell.c.out_count, count_cell.c.staff_in, count_cell.c.staff_out)
                   .join(counter, counter.c.id == count_cell.c.counter_id)
                   .where(count_cell.c.source == "device_api"))
    with read_tx(engine) as conn:
        for serial, roi, start, *values in conn.execute(query_cells):
            hub[(serial, roi, start)] = tuple(values)
    truth: dict[tuple[str, int, int], tuple[int, ...]] = defaultdict(lambda: (0, 0, 0, 0))
    for r in truth_rows(fleet, SINCE, NOW):
        truth[(r.serial, r.line, r.minute_ts)] = (r.in_, r.out, r.staff_in, r.staff_out)
    expected = {(c.serial, roi, t) for c in fleet.counters for roi in c.rois for t in range(SINCE, NOW, 60)}
    missing, extra = expected - hub.keys(), hub.keys() - expected
    wrong = [key for key in expected & hub.keys() if hub[key] != truth[key]]
    if missing or extra or wrong:
        raise SystemExit(f"  FAILED: hub != truth: {len(missing):,} cells missing, {len(extra):,} extra, "
                         f"{len(wrong):,} differ (first: {sorted(wrong)[:1]})")
    return len(hub)


def timed(run: Callable[[], T]) -> tuple[T, float, float]:
    """What `run` returns, its wall seconds and this process's CPU seconds (every thread)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def bench(engine: Engine, spare: Engine, fleet: Fleet, endpoints: dict[str, str],
          limits: PollerLimits) -> None:
    """Measure the fetch ceiling, poll for real, check the truth, measure the storage references."""
    box = SecretBox.generate()
    register(engine, fleet, endpoints, box)
    with read_tx(engine) as conn:
        targets = store.load_targets(conn, box)[0]
    batches, fetch_s, fetch_cpu = timed(lambda: asyncio.run(fetch_only(targets, limits)))

    ingest = IngestCore(engine)
    poller = DeviceApiPoller(engine, ingest, box, limits, clock=lambda: float(NOW))
    outcomes, poll_s, poll_cpu = timed(lambda: asyncio.run(poller.poll_due()))
    ingest.close()
    failed = [(o.serial, o.error) for o in outcomes if o.error or o.behind]
    if failed or len(outcomes) != len(fleet.counters):
        raise SystemExit(f"  FAILED: {len(outcomes)} pulls, {len(failed)} failed or behind: {failed[:3]}")
    records, windows = sum(o.records for o in outcomes), sum(o.windows for o in outcomes)
    cells = check_truth(engine, fleet)
    rows = cell_rows(engine, batches)
    if len(rows) != records:
        raise SystemExit(f"  FAILED: the poll stored {records:,} rows, the fetch parsed {len(rows):,}")
    insert_s = bulk_insert(engine, rows)
    company_id = register(spare, fleet, endpoints, box)
    _, core_s, core_cpu = timed(lambda: ingest_only(spare, company_id, batches, limits.concurrency))

    rate = records / poll_s
    print(f"  poll     {len(outcomes):>5} counters, {windows} requests, {records:,} rows: {poll_s:.2f} s, "
          f"{rate:,.0f} rows/s, cpu {poll_cpu:.1f} s (hub == truth: {cells:,} cells checked)")
    for name, seconds, what in (("fetch", fetch_s, f"fetch + parse, same client and concurrency, no storage; "
                                                   f"cpu {fetch_cpu:.1f} s"),
                                ("insert", insert_s, "bare bulk insert of the same rows, one transaction")):
        ceiling = len(rows) / seconds
        print(f"  ceiling  {name:<7} {seconds:7.2f} s  {ceiling:>9,.0f} rows/s  ratio {rate / ceiling:4.0%}  "
              f"({what})")
    print(f"  ceiling  both in turn: {fetch_s + insert_s:.2f} s, ratio {(fetch_s + insert_s) / poll_s:.0%}")
    print(f"  for reference: the ingest core alone takes the same submissions in {core_s:.2f} s "
          f"({len(rows) / core_s:,.0f} rows/s, cpu {core_cpu:.1f} s); fetch then ingest in turn "
          f"{fetch_s + core_s:.2f} s, ratio {(fetch_s + core_s) / poll_s:.0%}")


def main() -> None:
    """Start the devices, run the bench on each backend, stop the devices."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counters", type=int, default=500)
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=PollerLimits().concurrency)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    raise_open_file_limit()
    limits = PollerLimits(concurrency=args.concurrency)
    print(f"device API poll: {args.counters} simulated counters ({args.sites} sites), one day of minutes, "
          f"concurrency {limits.concurrency}")
    ctx = mp.get_context("spawn")
    ready: Queue = ctx.Queue()
    stop = ctx.Event()
    devices = ctx.Process(target=serve_devices, args=(args.counters, args.sites, ready, stop), daemon=True)
    devices.start()
    try:
        fleet = build_fleet(counters=args.counters, sites=args.sites, seed=SEED)
        warm(fleet, SINCE - DAY_S, NOW + DAY_S)  # the truth check's site-days, before any timing
        endpoints = ready.get(timeout=600)
        for name in args.backends.split(","):
            print(f"\n[{name}]")
            with ExitStack() as stack:
                engines = [hub_database(stack, name) for _ in range(2)]
                if engines[0] is not None and engines[1] is not None:
                    bench(engines[0], engines[1], fleet, endpoints, limits)
    finally:
        stop.set()
        devices.join(30)


if __name__ == "__main__":
    main()
