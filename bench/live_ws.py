"""WebSocket live push: acknowledged events/s with 1,000 counters, next to the same run's ceiling.

    python bench/live_ws.py [--connections 1000] [--events 200] [--backlog-counters 100]
                            [--backlog-events 10000] [--backends sqlite,postgresql]

The hub (`create_app` under uvicorn, as `footfall serve` runs it) is a child process; the
counters are this process (bench/ws_load.py), so they do not share the hub's CPU. Each counter
sends its connection check, then events with up to 16 unanswered, as the devices do.
Ceiling: the same server in the same run with the ingest core swapped for a stand-in that
parses each batch and answers at once (no storage). Memory: the hub's resident set growth
per idle connection. Backlog: counters arriving with 10,000 buffered events each; every one
must be acknowledged and stored.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import Future
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent))
from backends import scratch_url
from footfall.estate.companies import create_company
from footfall.ingest.batch import IngestResult, prepare
from footfall.simulator.runner import raise_open_file_limit
from footfall.storage.engine import make_engine, read_tx, write_tx
from footfall.storage.migrate import upgrade
from footfall.storage.tables import event
from ws_load import Link, frame, open_links

HOST, PATH = "127.0.0.1", "/ws"
BASE_TS = int(time.time()) - 3 * 86400
EVENT = ('{"Topic": "ffc-eventrawdata", "Data": {"EventStartUTCTime": "2026-01-01 10:00:00", '
         '"EventEndLocalTime": "2026-01-01 18:00:00", "EventStartTime": %d, "MetricId": %d, "RoiId": 1, '
         '"CameraSerial": "%s", "PeopleId": %d, "EventEndUTCTime": "2026-01-01 10:00:00", '
         '"UploadedLocalDateTime": "2026-01-01 18:00:05", "EventEndTime": %d, '
         '"EventStartLocalTime": "2026-01-01 18:00:00", "UploadedUTCDateTime": "2026-01-01 10:00:05", '
         '"PeopleTypeId": 1, "UUID": "%08x-0000-4000-8000-%012x"}}')
CHECK = '{"Topic": "generic-test-topic", "Data": {"CameraSerial": "%s", "Message": "Test connection"}}'


class ParseOnly:
    """The ceiling's stand-in for the ingest core: parse the batch, answer at once, store nothing."""

    groups_committed = 0

    def submit(self, company_id: int, **records: Any) -> Future[IngestResult]:
        """Parse like the core does; resolved immediately."""
        submission = prepare(company_id, int(time.time()), **records)
        future: Future[IngestResult] = Future()
        future.set_result(IngestResult(accepted=len(submission.events), errors=submission.errors))
        return future

    def listen(self, _listener: Any) -> Any:
        """No commits to tell anyone about."""
        return lambda: None

    def close(self) -> None:
        """Nothing queued."""


def serve_hub(url: str, port: int, storage: bool) -> None:
    """The child process: the hub's app under uvicorn, as `footfall serve` runs it."""
    import uvicorn

    from footfall.api.app import create_app
    from footfall.connectors.websocket import WebSocketConfig, uvicorn_options
    from footfall.settings import Settings

    config = WebSocketConfig()
    engine = make_engine(url)
    app = create_app(Settings(data_dir=Path(tempfile.mkdtemp())), engine, config)
    if not storage:
        app.state.ingest.close()
        app.state.ingest = ParseOnly()
    uvicorn.run(app, host=HOST, port=port, log_level="warning", **uvicorn_options(config))


class Hub:
    """A hub child process on a free port."""

    def __init__(self, url: str, storage: bool) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind((HOST, 0))
            self.port = sock.getsockname()[1]
        self.process = subprocess.Popen([sys.executable, __file__, "hub", url, str(self.port),
                                         "storage" if storage else "parse-only"])
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://{HOST}:{self.port}/healthz", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the hub did not start") from None
                time.sleep(0.1)

    def rss(self) -> int:
        """Resident memory of the hub process, bytes."""
        return int(psutil.Process(self.process.pid).memory_info().rss)

    def stop(self) -> None:
        """Graceful stop (SIGINT, as Ctrl-C)."""
        self.process.send_signal(2)
        self.process.wait(timeout=60)


def serial(i: int) -> str:
    """The serial of bench counter i."""
    return f"{0xBE000000 + i:016x}"


def maker(i: int, ns: int) -> Any:
    """Frames of counter i's events (namespace `ns` keeps phases' events distinct)."""
    text = serial(i)

    def make(k: int) -> bytes:
        ts = BASE_TS + k
        return frame(EVENT % (ts, 1 + k % 2, text, k % 9999 + 1, ts, ns << 20 | i, k))
    return make


async def checked(links: list[Link], first: int) -> None:
    """Each link sends its connection check and gets its answer (a counter's first act)."""
    await asyncio.gather(*(link.push(1, lambda _k, i=first + n: frame(CHECK % serial(i)))
                           for n, link in enumerate(links)))


async def push(links: list[Link], first: int, events: int, ns: int) -> tuple[float, int, int]:
    """Every link pushes `events`; returns (seconds, OKs, refusals)."""
    before_ok, before_refused = sum(x.ok for x in links), sum(x.refused for x in links)
    started = time.perf_counter()
    await asyncio.gather(*(link.push(events, maker(first + n, ns)) for n, link in enumerate(links)))
    elapsed = time.perf_counter() - started
    return (elapsed, sum(x.ok for x in links) - before_ok, sum(x.refused for x in links) - before_refused)


async def run(hub: Hub, args: argparse.Namespace, ns: int) -> dict[str, float]:
    """Warm up, measure idle memory and push throughput with `args.connections` counters."""
    warm = await open_links(HOST, hub.port, PATH, 20)
    await checked(warm, 900_000)
    await push(warm, 900_000, 200, ns)
    for link in warm:
        link.close()
    await asyncio.sleep(0.5)
    rss0 = hub.rss()
    links = await open_links(HOST, hub.port, PATH, args.connections)
    await checked(links, 0)
    await asyncio.sleep(1.0)
    per_connection = (hub.rss() - rss0) / args.connections
    hub_cpu, own_cpu = _cpu(hub.process.pid), time.process_time()
    elapsed, ok, refused = await push(links, 0, args.events, ns)
    hub_cpu, own_cpu = _cpu(hub.process.pid) - hub_cpu, time.process_time() - own_cpu
    for link in links:
        link.close()
    return {"rate": ok / elapsed, "ok": ok, "refused": refused, "seconds": elapsed, "rss": per_connection,
            "hub_cpu": hub_cpu / elapsed, "client_cpu": own_cpu / elapsed}


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


async def backlog(hub: Hub, args: argparse.Namespace, ns: int) -> tuple[float, int, int]:
    """Counters reconnecting with a full buffer: (seconds, OKs, refusals)."""
    links = await open_links(HOST, hub.port, PATH, args.backlog_counters)
    await checked(links, 500_000)
    result = await push(links, 500_000, args.backlog_events, ns)
    for link in links:
        link.close()
    return result


def stored(url: str) -> int:
    """Events in the hub's database."""
    engine = make_engine(url)
    try:
        with read_tx(engine) as conn:
            return int(conn.execute(select(func.count()).select_from(event)).scalar_one())
    finally:
        engine.dispose()


def database(stack: ExitStack, name: str) -> str | None:
    """A fresh, migrated database with one company (connections without auth belong to it)."""
    url = scratch_url(stack, name)
    if url is None:
        return None
    engine = make_engine(url)
    upgrade(engine)
    with write_tx(engine) as conn:
        create_company(conn, "Bench")
    engine.dispose()
    return url


def main() -> None:
    """Run the benchmark and print its figures next to the ceiling."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--events", type=int, default=200, help="events per connection")
    parser.add_argument("--backlog-counters", type=int, default=100)
    parser.add_argument("--backlog-events", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    raise_open_file_limit()
    n = args.connections
    print(f"{n:,} WebSocket counters × {args.events} events, window 16, ack after commit "
          f"(hub: one uvicorn process; counters: this process)")
    with ExitStack() as stack:
        url = database(stack, "sqlite")
        assert url is not None
        hub = Hub(url, storage=False)
        try:
            ceiling = asyncio.run(run(hub, args, ns=1))
        finally:
            hub.stop()
    print(f"\n[ceiling: parse + OK, no storage]\n  {ceiling['rate']:>9,.0f} events/s  "
          f"({ceiling['ok']:,} OK in {ceiling['seconds']:.2f} s)  "
          f"{ceiling['rss'] / 1024:5.1f} KiB per idle connection   CPU: hub {ceiling['hub_cpu']:.0%}, "
          f"counters {ceiling['client_cpu']:.0%}")
    for ns, name in enumerate(args.backends.split(","), start=2):
        print(f"\n[{name}]")
        with ExitStack() as stack:
            url = database(stack, name)
            if url is None:
                continue
            hub = Hub(url, storage=True)
            try:
                figures = asyncio.run(run(hub, args, ns))
                before = stored(url)
                seconds, ok, refused = asyncio.run(backlog(hub, args, ns))
                absorbed = stored(url) - before
            finally:
                hub.stop()
        rate, top = figures["rate"], ceiling["rate"]
        print(f"  acknowledged {rate:>9,.0f} events/s  ({figures['ok']:,} OK, {figures['refused']:,} "
              f"refused, {figures['seconds']:.2f} s)   ceiling {top:,.0f}/s   ratio {rate / top:.0%}"
              "   (targets: ≥ 50% and ≥ 20,000/s)")
        print(f"  CPU          hub {figures['hub_cpu']:.0%} of a core, counters {figures['client_cpu']:.0%} "
              f"(2 cores: {os.cpu_count()})")
        print(f"  memory       {figures['rss'] / 1024:9.1f} KiB per idle connection   (target ≤ 20 KiB)")
        wanted = args.backlog_counters * args.backlog_events
        verdict = "no loss" if absorbed == wanted == ok and not refused else "LOSS OR REFUSALS"
        print(f"  backlog      {args.backlog_counters} counters × {args.backlog_events:,} events: {ok:,} OK, "
              f"{absorbed:,} stored of {wanted:,} in {seconds:.1f} s ({ok / seconds:,.0f}/s): {verdict}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "hub":
        serve_hub(sys.argv[2], int(sys.argv[3]), sys.argv[4] == "storage")
    else:
        main()
