"""Run the BACnet poller inside the hub; idle while no counter is on channel "bacnet"."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from footfall.connectors.bacnet.store import CHANNEL
from footfall.settings import Settings
from footfall.storage.engine import read_tx
from footfall.storage.tables import counter

IDLE_CHECK_S = 300.0


def _any_counter(engine: Engine) -> bool:
    with read_tx(engine) as conn:
        return bool(conn.execute(select(func.count()).select_from(counter)
                                 .where(counter.c.channel == CHANNEL)).scalar_one())


@asynccontextmanager
async def bacnet_running(settings: Settings, engine: Engine, ingest: Any) -> AsyncIterator[list[Any]]:
    """Poll hourly while the hub runs; yields [] that holds the poller once it started.

    bacpypes3 is imported and the UDP port opened only once a counter is on channel "bacnet",
    so a hub without BACnet counters starts (and restarts) without paying for either.
    """
    started: list[Any] = []

    async def lifecycle() -> None:
        while not await asyncio.to_thread(_any_counter, engine):
            await asyncio.sleep(IDLE_CHECK_S)
        from footfall.connectors.bacnet.connector import BacnetPoller

        poller = BacnetPoller(engine, ingest)
        await poller.start()
        started.append(poller)
        await poller.run()

    task = asyncio.create_task(lifecycle(), name="bacnet-poller")
    try:
        yield started
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for poller in started:
            await poller.stop()
