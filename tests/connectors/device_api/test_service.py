"""The poller as a hub background service: registered, idle without counters, polling, stopping promptly."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from footfall.api.background import services
from footfall.connectors.device_api import DeviceApiPoller, PollerLimits, device_api_running
from footfall.connectors.device_api.windows import first_start
from footfall.ingest.core import IngestCore
from footfall.security.secrets import SecretBox, secret_box
from footfall.settings import Settings
from footfall.simulator.clock import SimClock
from footfall.simulator.devices.http_api import DeviceApiServer
from footfall.simulator.faults import FaultPlan
from tests.connectors.device_api.fleet import FLEET, NOW, SERIALS, ZONES
from tests.connectors.device_api.harness import (
    Devices,
    SteppedClock,
    hub_minutes,
    register,
    state,
    truth_minutes,
)


async def wait_for(condition: object, timeout_s: float = 60.0) -> None:
    """Wait until `condition()` holds (checked every 50 ms), failing after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


def test_the_service_is_registered_and_runs_in_the_app(client: TestClient) -> None:
    assert "device_api" in [name for name, _ in services()]
    assert isinstance(client.app.state.services["device_api"], DeviceApiPoller)  # type: ignore[attr-defined]


def test_the_service_polls_due_counters_and_stops_promptly(sqlite_engine: Engine, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    ingest = IngestCore(sqlite_engine)
    limits = PollerLimits(tick_s=0.05)

    async def scenario() -> None:
        async with device_api_running(settings, sqlite_engine, ingest, limits) as idle:
            rounds = 0
            real = idle.poll_due

            async def counted() -> list[object]:
                nonlocal rounds
                rounds += 1
                return await real()  # type: ignore[return-value]

            idle.poll_due = counted  # type: ignore[method-assign]
            await wait_for(lambda: rounds >= 3)  # idle: it keeps looking, finds nothing, pulls nothing

        clock = SimClock(start=time.time())  # the devices in real time: they hold yesterday and today
        with Devices(DeviceApiServer(FLEET, SERIALS, clock)) as server:
            ids = register(sqlite_engine, FLEET, server, secret_box(settings))
            async with device_api_running(settings, sqlite_engine, ingest, limits) as poller:
                await wait_for(lambda: all(state(sqlite_engine, i).get("watermark_ts") for i in ids.values()))
                assert all(state(sqlite_engine, i)["failures"] == 0 for i in ids.values())
                stopping = time.monotonic()
            assert time.monotonic() - stopping < 30  # a sanity bound: the loop is cancelled, not drained
            assert poller.limits.tick_s == 0.05
            for serial in SERIALS:  # each pulled from a day back to its watermark, as counted
                mark = state(sqlite_engine, ids[serial])["watermark_ts"]
                since = first_start(mark, 1, 60, ZONES[serial])
                hub = {k: v for k, v in hub_minutes(sqlite_engine, since, mark).items() if k[0] == serial}
                truth = {k: v for k, v in truth_minutes(FLEET, since, mark).items() if k[0] == serial}
                assert hub == truth

    asyncio.run(scenario())
    ingest.close()


class Counting(httpx.AsyncBaseTransport):
    """A real transport that counts the requests in flight at once (the boundary, not a fake)."""

    in_flight = 0
    most = 0

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport(retries=0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Pass the request on, counting it while it is open."""
        Counting.in_flight += 1
        Counting.most = max(Counting.most, Counting.in_flight)
        try:  # the device's delay comes before its headers: open until they arrive
            return await self.inner.handle_async_request(request)
        finally:
            Counting.in_flight -= 1

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self.inner.aclose()


@pytest.mark.parametrize("limit", [1, 2])
def test_no_more_counters_than_the_limit_are_pulled_at_once(sqlite_engine: Engine, limit: int) -> None:
    clock, box = SteppedClock(NOW), SecretBox.generate()
    slow = {s: FaultPlan(slow_response_s=0.3) for s in SERIALS}
    Counting.in_flight = Counting.most = 0
    ingest = IngestCore(sqlite_engine)
    with Devices(DeviceApiServer(FLEET, SERIALS, clock, slow)) as server:
        register(sqlite_engine, FLEET, server, box)
        poller = DeviceApiPoller(sqlite_engine, ingest, box, PollerLimits(concurrency=limit), clock=clock,
                                 transport_factory=Counting)
        outcomes = asyncio.run(poller.poll_due())
    ingest.close()
    assert [o.error for o in outcomes] == [None] * len(SERIALS)
    assert Counting.most == limit
