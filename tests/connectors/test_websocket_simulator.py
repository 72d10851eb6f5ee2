"""End to end: 50 simulated counters push a day over WebSocket to `footfall serve`, through faults.

The hub is killed (SIGKILL) mid-stream and started again on the same port and database;
acknowledgements get lost so counters re-send; some messages are sent twice or broken; one
counter is offline for an hour and then flushes its buffer. Afterwards the hub's events per
counter, line and minute must equal the simulator's ground truth: nothing lost, nothing twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from footfall.estate.companies import create_company
from footfall.simulator.clock import SimClock
from footfall.simulator.faults import FaultPlan
from footfall.simulator.fleet import Fleet, build_fleet, derived_int
from footfall.simulator.runner import FleetRunner, Targets
from footfall.simulator.truth import minute_iso, truth_rows
from footfall.storage.engine import make_engine, read_tx, write_tx
from footfall.storage.migrate import upgrade
from footfall.storage.tables import channel_fault, counter, event
from tests.connectors.ws_harness import free_port

DAY = int(datetime(2025, 11, 18, tzinfo=UTC).timestamp())  # a Tuesday, already over
SPEED = 86400 / 8                                           # the day in eight seconds
KILL_AT_S = 3.0                                             # real seconds into the day


def faulty_fleet() -> Fleet:
    """50 counters at 13 sites (entrance lines only), every one with lost OKs, copies and breakage."""
    fleet = build_fleet(counters=50, sites=13, seed=4, channels=("ws",))
    counters = tuple(dataclasses.replace(c, outside_line=False) for c in fleet.counters)
    offline = counters[0].serial
    faults = tuple(
        (c.serial, FaultPlan(drop_ok_rate=0.03, duplicate_rate=0.02, malformed_rate=0.005,
                             offline=((DAY + 10 * 3600, DAY + 11 * 3600),) if c.serial == offline else (),
                             seed=derived_int(4, "faults", c.serial)))
        for c in counters)
    return Fleet(fleet.seed, fleet.sites, counters, faults)


class ServeProcess:
    """`footfall serve` in its own process, so it can be killed like a crashed hub."""

    def __init__(self, data_dir: Path, port: int) -> None:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("FOOTFALL_") or k.startswith("FOOTFALL_TEST_")}
        env.update(FOOTFALL_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from footfall.cli.main import app; app()", "serve", "--port", str(port)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while not self._answers():
            assert self.process.poll() is None and time.monotonic() < deadline, "footfall serve did not start"
            time.sleep(0.05)

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown, nothing flushed."""
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate(timeout=15)

    def stop(self) -> str:
        """Ctrl-C; returns what it printed."""
        self.process.send_signal(signal.SIGINT)
        return self.process.communicate(timeout=30)[0]


FLUSH_WAIT_S = 120


def hub_minutes(engine: Engine) -> dict[tuple[str, int, str], list[int]]:
    """The hub's events as (serial, line, UTC minute) → [in, out, staff in, staff out]."""
    minute = event.c.start_ts - event.c.start_ts % 60
    keys = (counter.c.serial, event.c.roi_id, minute, event.c.metric, event.c.people_type)
    query = select(*keys, func.count()).join(counter, counter.c.id == event.c.counter_id).group_by(*keys)
    found: dict[tuple[str, int, str], list[int]] = {}
    with read_tx(engine) as conn:
        for serial, roi, start, metric, people_type, n in conn.execute(query):
            cell = found.setdefault((serial, roi, minute_iso(start)), [0, 0, 0, 0])
            cell[(people_type - 1) * 2 + metric - 1] = n
    return found


async def push_the_day(fleet: Fleet, hubs: list[ServeProcess], data_dir: Path,
                       port: int) -> tuple[FleetRunner, int]:
    """Run the fleet over the day, killing and restarting the hub on the way; returns the runner."""
    runner = FleetRunner(fleet, SimClock(speed=SPEED, start=DAY), Targets(ws_url=f"ws://127.0.0.1:{port}/ws"))
    await runner.start()
    await asyncio.sleep(KILL_AT_S)
    hubs[-1].kill()
    hubs.append(await asyncio.to_thread(ServeProcess, data_dir, port))  # same port, same database
    while runner.clock.now() < DAY + 86400:
        await asyncio.sleep(0.05)
    runner.request_stop()  # no more crossings: the window ends here
    await asyncio.sleep(2 * runner.tick_s)
    # Generous: the flush rate depends on the machine; the assertion is that it all arrives.
    deadline = time.monotonic() + FLUSH_WAIT_S
    while any(d.stats.buffered for _, d in runner.pushers()):  # each flushes once reconnected
        if time.monotonic() > deadline:
            stuck = [(s, d.stats) for s, d in runner.pushers() if d.stats.buffered]
            raise AssertionError(f"counters still holding events: {stuck}")
        await asyncio.sleep(0.05)
    await asyncio.gather(*(device.stop() for _, device in runner.pushers()))
    connects = sum(d.stats.connects for _, d in runner.pushers())
    return runner, connects


def test_a_faulty_day_over_websocket_matches_the_ground_truth(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "data", free_port()
    engine = make_engine(f"sqlite:///{data_dir / 'footfall.db'}")
    upgrade(engine)
    with write_tx(engine) as conn:
        create_company(conn, "Simulated Retail")  # the only company: counters need no login
    fleet = faulty_fleet()
    hubs = [ServeProcess(data_dir, port)]
    try:
        runner, connects = asyncio.run(push_the_day(fleet, hubs, data_dir, port))
    finally:
        output = hubs[-1].stop()
    assert f"WebSocket: ws://127.0.0.1:{port}/ws" in output
    start, end = runner.window
    truth = {(r.serial, r.line, r.minute_utc): [r.in_, r.out, r.staff_in, r.staff_out]
             for r in truth_rows(fleet, start, end)}
    stored = hub_minutes(engine)
    assert sum(map(sum, truth.values())) > 20_000
    assert stored == truth
    stats = Counter()
    for _, device in runner.pushers():
        stats.update({"resent": device.stats.resent, "malformed": device.stats.malformed,
                      "malformed_ok": device.stats.malformed_ok, "dropped": device.stats.dropped})
    assert stats["resent"] > 100 and stats["malformed"] > 10
    assert stats["malformed_ok"] == 0 and stats["dropped"] == 0
    # Counters that had something to send after the kill reconnected (idle ones never noticed).
    assert connects > len(fleet.counters) + 20
    with read_tx(engine) as conn:
        refused = conn.execute(select(func.sum(channel_fault.c.count))).scalar_one()
    assert refused and refused <= stats["malformed"]  # counted per counter (a kill may lose a few)
    engine.dispose()
