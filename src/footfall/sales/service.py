"""The background service that runs due automated sales imports (registered in api/background)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from footfall.sales.pickup import RunReport, claim_due, run_schedule
from footfall.security.secrets import SecretBox, secret_box
from footfall.settings import Settings

log = logging.getLogger(__name__)
TICK_S = 30.0


@dataclass
class SalesScheduler:
    """Looks for due schedules every `tick_s` and runs them, one at a time."""

    settings: Settings
    engine: Engine
    tick_s: float = TICK_S
    runs: int = 0
    last: RunReport | None = None
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _box: SecretBox | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    @property
    def box(self) -> SecretBox:
        """The hub's secret box, opened on first need (the key file is made only then)."""
        if self._box is None:
            self._box = secret_box(self.settings)
        return self._box

    def wake(self) -> None:
        """Look for due schedules now (a schedule was just saved); safe from any thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run_due(self) -> int:
        """Run every schedule due now; how many ran."""
        rows = await asyncio.to_thread(claim_due, self.engine, int(time.time()))
        for row in rows:
            try:
                self.last = await run_schedule(self.engine, self.settings, row, self.box)
            except Exception:  # one broken schedule never stops the others
                log.exception("sales schedule %s: run failed", row["id"])
            self.runs += 1
        return len(rows)

    async def loop(self) -> None:
        """Run due schedules until cancelled."""
        self._loop = asyncio.get_running_loop()
        while True:
            try:
                await self.run_due()
            except Exception:  # the database may be briefly away; try again next tick
                log.exception("sales schedules: could not look for due runs")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.tick_s)
            self._wake.clear()


@asynccontextmanager
async def sales_schedules_running(settings: Settings, engine: Engine,
                                  _ingest: Any) -> AsyncIterator[SalesScheduler]:
    """The scheduler running for the app's lifetime; stopped promptly on shutdown."""
    scheduler = SalesScheduler(settings, engine)
    task = asyncio.create_task(scheduler.loop(), name="sales-schedules")
    try:
        yield scheduler
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
