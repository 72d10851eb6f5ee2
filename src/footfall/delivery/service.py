"""The delivery scheduler inside the hub: wake up, claim due occurrences, run them.

Every hub process runs one; the claims in the database keep an occurrence to one run
however many processes share it. `run_due` is also what `footfall deliveries run --due`
calls, so a cron job can drive deliveries without a server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from footfall.delivery.destinations import DestinationError, probe
from footfall.delivery.model import Delivery
from footfall.delivery.planner import due_jobs, run_now_jobs
from footfall.delivery.runner import Hub, Job, execute
from footfall.estate.common import Row, utcnow
from footfall.security.secrets import SecretError
from footfall.settings import Settings

log = logging.getLogger(__name__)
TICK_S = 30.0
PARALLEL = 4  # runs at once per process: one slow destination does not hold the others


async def run_jobs(hub: Hub, jobs: list[Job]) -> list[Row]:
    """Execute claimed jobs, a few at a time; their finished history rows."""
    gate = asyncio.Semaphore(PARALLEL)

    async def one(job: Job) -> Row:
        async with gate:
            return await execute(hub, job)
    return list(await asyncio.gather(*(one(j) for j in jobs)))


async def run_due(hub: Hub, now: datetime | None = None) -> list[Row]:
    """Claim and run every occurrence due by `now`; the runs this process made."""
    jobs = await asyncio.to_thread(due_jobs, hub.engine, now or utcnow())
    return await run_jobs(hub, jobs)


async def run_now(hub: Hub, target: Delivery) -> list[Row]:
    """Run a delivery now for the period its schedule delivered last (a manual occurrence)."""
    jobs = await asyncio.to_thread(run_now_jobs, hub.engine, target, utcnow())
    return await run_jobs(hub, jobs)


async def test_destination(hub: Hub, target: Delivery) -> tuple[bool, str]:
    """Probe the destination: (worked, what happened)."""
    try:
        return True, await probe(target, hub.box, hub.mailer)
    except (DestinationError, SecretError) as error:
        return False, str(error)


class DeliveryService:
    """Runs due deliveries every `tick_s` seconds until stopped."""

    def __init__(self, hub: Hub, tick_s: float = TICK_S) -> None:
        self.hub, self.tick_s = hub, tick_s
        self.ticks = 0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start ticking in the background."""
        self._task = asyncio.create_task(self._loop(), name="deliveries")

    async def stop(self) -> None:
        """Stop after the current tick's runs are recorded (a run in flight is cancelled)."""
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), self.tick_s)
            if not self._task.done():
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task

    async def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                await run_due(self.hub)
            except Exception:  # one bad tick (database away) must not end the scheduler
                log.exception("deliveries: a scheduler tick failed; trying again in %.0f s", self.tick_s)
            self.ticks += 1
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.tick_s)


@asynccontextmanager
async def deliveries_running(settings: Settings, engine: Engine,
                             ingest: Any) -> AsyncIterator[DeliveryService]:
    """The hub's delivery scheduler, for `footfall.api.background.services()`."""
    service = DeliveryService(Hub.from_settings(settings, engine))
    await service.start()
    try:
        yield service
    finally:
        await service.stop()
