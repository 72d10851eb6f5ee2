"""The BACnet poller against the simulator's real bacpypes3 devices on loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.connectors.bacnet import SPEC
from footfall.connectors.bacnet.config import BacnetConfig
from footfall.connectors.bacnet.connector import BacnetPoller
from footfall.connectors.bacnet.parse import BadReading, device_hour, hour_start, hour_values, hours_to_read
from footfall.connectors.bacnet.probe import ProbeConfig
from footfall.connectors.spec import ProbeFailed
from footfall.ingest.core import IngestCore
from footfall.simulator.clock import SimClock
from footfall.simulator.devices.bacnet_device import BacnetDevice, current_hour_start
from footfall.simulator.faults import FaultPlan
from footfall.simulator.fleet import CounterSpec, Fleet, SiteSpec
from footfall.simulator.truth import truth_rows
from footfall.storage.engine import read_tx
from footfall.storage.tables import counter
from footfall.storage.tables_pull import pull_state
from tests.connectors.ftp_drop.simhub import (
    cell_count,
    fleet_estate,
    live_day,
    site_hours,
    stored_cells,
    truth_hours,
)

ALL_DAY = ((0, 1440),) * 7
FLEET = Fleet(
    seed=5,
    sites=(SiteSpec("LON", "London", "Europe/London", ALL_DAY, daily_visitors=3000),),
    counters=(CounterSpec("00000000000b0101", "FFC-2024-000731", "LON", 1, 0.5, False, ("bacnet",)),
              CounterSpec("00000000000b0102", "FFC-2024-000732", "LON", 2, 0.5, False, ("bacnet",))),
)
# Thursday 2025-06-19 13:20 in London (12:20 UTC): mid-hour, so no hour ends during the test.
NOW = datetime(2025, 6, 19, 12, 20, tzinfo=UTC).timestamp()
H0 = int(NOW) - 20 * 60
CONFIG = BacnetConfig(local_address="127.0.0.1/32:0", timeout_s=1.0)


class Devices:
    """The fleet's counters as BACnet devices on free UDP ports of 127.0.0.1."""

    def __init__(self, clock: SimClock, faults: dict[str, FaultPlan]) -> None:
        self.devices = {c.serial: BacnetDevice(c, FLEET.site("LON"), FLEET, clock, port=0,
                                               faults=faults.get(c.serial, FaultPlan()))
                        for c in FLEET.counters}

    async def __aenter__(self) -> Devices:
        for device in self.devices.values():
            await device.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        for device in self.devices.values():
            await device.stop()


@pytest.fixture
def core(engine: Engine) -> Iterator[IngestCore]:
    ingest = IngestCore(engine)
    yield ingest
    ingest.close()


def _estate(engine: Engine, devices: Devices) -> int:
    fields = {s: {"host": "127.0.0.1", "port": d.port, "channel": "bacnet"}
              for s, d in devices.devices.items()}
    return fleet_estate(engine, FLEET, **fields)


def _hourly_truth() -> dict[tuple[str, int, int], tuple[int, int, int, int]]:
    """Visitors per counter and hour of the entrance line, as BACnet reports them (no staff)."""
    hours: dict[tuple[str, int, int], list[int]] = {}
    for row in truth_rows(FLEET, H0 - 47 * 3600, H0):
        if row.line == 1 and (row.in_ or row.out):
            cell = hours.setdefault((row.serial, 1, row.minute_ts - row.minute_ts % 3600), [0, 0])
            cell[0] += row.in_
            cell[1] += row.out
    return {k: (i, o, 0, 0) for k, (i, o) in hours.items()}


def _state(engine: Engine, serial: str) -> dict[str, Any]:
    with read_tx(engine) as conn:
        return dict(conn.execute(select(pull_state).join(counter, counter.c.id == pull_state.c.counter_id)
                                 .where(counter.c.serial == serial, pull_state.c.channel == "bacnet"))
                    .mappings().one())


def test_hourly_poll_matches_the_truth_repairs_a_live_gap_and_twice_changes_nothing(
        engine: Engine, core: IngestCore) -> None:
    clock = SimClock(start=NOW)
    gap_serial = FLEET.counters[0].serial
    gap = (H0 - 30 * 3600, H0 - 27 * 3600)  # 2025-06-18 08:00-11:00 local: live push lost it

    async def scenario() -> None:
        async with Devices(clock, {}) as devices:
            company_id = _estate(engine, devices)
            events, coverage = live_day(FLEET, H0 - 47 * 3600, H0, {gap_serial: gap})
            await core.ingest_async(company_id, events=events, coverage=coverage)
            before = site_hours(engine, company_id, "LON", date(2025, 6, 18))
            partial = [r for r in before if r["aggregation_status"] == "partial"]
            assert [r["utc_start"] for r in partial] == list(range(gap[0], gap[1], 3600))
            poller = BacnetPoller(engine, core, CONFIG, clock=clock.now)
            await poller.start()
            try:
                assert await poller.poll_all() == {s: 47 for s in devices.devices}
                first = stored_cells(engine, "bacnet", 3600)
                cells = cell_count(engine)
                assert await poller.poll_all() == {s: 1 for s in devices.devices}  # only since the watermark
                assert stored_cells(engine, "bacnet", 3600) == first and cell_count(engine) == cells
            finally:
                await poller.stop()
            after = site_hours(engine, company_id, "LON", date(2025, 6, 18))
            assert {r["aggregation_status"] for r in after} == {"complete"}
            both = truth_hours(FLEET, H0 - 47 * 3600, H0)
            assert [(r["in"], r["out"]) for r in after] == [both.get(r["utc_start"], (0, 0)) for r in after]
            assert sum(r["in"] for r in after) > 1000

    asyncio.run(scenario())
    assert stored_cells(engine, "bacnet", 3600) == _hourly_truth()
    state = _state(engine, gap_serial)
    assert state["watermark_ts"] == H0 and state["failures"] == 0 and state["last_success_at"] is not None


def test_a_counter_that_does_not_answer_is_isolated_counted_and_catches_up(engine: Engine,
                                                                           core: IngestCore) -> None:
    clock = SimClock(start=NOW)
    down = FLEET.counters[1].serial

    async def scenario() -> None:
        async with Devices(clock, {down: FaultPlan(offline=((int(NOW) - 60, int(NOW) + 86400),))}) as devices:
            _estate(engine, devices)
            poller = BacnetPoller(engine, core, CONFIG, clock=clock.now)
            await poller.start()
            try:
                result = await poller.poll_all()
                assert result[FLEET.counters[0].serial] == 47
                assert "no answer" in str(result[down])
                assert str(devices.devices[down].port) in str(result[down])
                assert _state(engine, down)["failures"] == 1 and _state(engine, down)["watermark_ts"] is None
                devices.devices[down].faults = FaultPlan()  # back on the network
                assert (await poller.poll_all())[down] == 47
            finally:
                await poller.stop()

    asyncio.run(scenario())
    state = _state(engine, down)
    assert state["failures"] == 0 and state["watermark_ts"] == H0 and "no answer" in state["last_error"]


def test_the_probe_reads_one_hour_or_says_why_not() -> None:
    clock = SimClock(start=NOW)

    async def scenario() -> None:
        async with Devices(clock, {}) as devices:
            device = devices.devices[FLEET.counters[0].serial]
            config = ProbeConfig(host="127.0.0.1", port=device.port, timezone="Europe/London",
                                 local_address="127.0.0.1/32:0", timeout_s=1.0,
                                 company_serial=FLEET.counters[0].company_serial)
            assert SPEC.probe is not None and SPEC.kind == "poll" and SPEC.source == "bacnet"
            assert "last complete hour" in await SPEC.probe(config)
            await device.stop()
            with pytest.raises(ProbeFailed, match="no answer"):
                await SPEC.probe(config)

    asyncio.run(scenario())


def test_the_device_clock_fixes_the_hour_and_bad_answers_are_refused() -> None:
    day, clock = (125, 10, 26, 7), (1, 30, 0, 0)  # 01:30 on the fall-back night in London
    local = device_hour([("d", "local-date", None, day), ("d", "local-time", None, clock)] * 2)
    first = hour_start(local, "Europe/London", datetime(2025, 10, 26, 0, 40, tzinfo=UTC).timestamp())
    second = hour_start(local, "Europe/London", datetime(2025, 10, 26, 1, 40, tzinfo=UTC).timestamp())
    assert second - first == 3600  # the repeated 01:00 hour, told apart by the hub's clock
    with pytest.raises(BadReading, match="changed during the request"):
        device_hour([("d", "local-date", None, day), ("d", "local-time", None, clock),
                     ("d", "local-date", None, day), ("d", "local-time", None, (2, 0, 0, 0))])
    with pytest.raises(BadReading, match="not a whole count"):
        hour_values([("av1", "object-name", None, "In-C-1"), ("av1", "present-value", None, -1.0),
                     ("av49", "object-name", None, "Out-C-1"), ("av49", "present-value", None, 2.0)])
    with pytest.raises(BadReading, match="not In-C-X"):
        hour_values([("av1", "object-name", None, "Temperature"), ("av1", "present-value", None, 21.5)])
    assert hours_to_read(H0, None) == range(1, 48) and hours_to_read(H0, H0 - 3 * 3600) == range(1, 4)
    assert hours_to_read(H0, H0) == range(1, 2) and current_hour_start(NOW, "Europe/London") == H0
    assert time.time() > NOW
