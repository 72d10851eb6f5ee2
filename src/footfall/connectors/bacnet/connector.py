"""The BACnet/IP poller's lifecycle: one bacpypes3 client, counters read concurrently, state kept.

Each poll reads a counter's complete hours with ReadPropertyMultiple, hands them to the ingest
core (source `bacnet`, replace-by-key, so reading them again changes nothing) and only then
moves its watermark. One counter that does not answer never stops the others: its failure is
counted in `pull_state` and logged once when it starts and once when it recovers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bacpypes3.apdu import ErrorRejectAbortNack
from bacpypes3.app import Application
from bacpypes3.local.device import DeviceObject
from bacpypes3.local.networkport import NetworkPortObject
from bacpypes3.pdu import Address
from sqlalchemy.engine import Engine

from footfall.connectors.bacnet.config import BacnetConfig, CounterTarget
from footfall.connectors.bacnet.parse import (
    HOUR,
    BadReading,
    device_hour,
    hour_start,
    hour_values,
    hours_to_read,
    payloads,
    request,
)
from footfall.connectors.bacnet.store import load_targets, record_failure, record_success
from footfall.storage.engine import read_tx, write_tx

log = logging.getLogger(__name__)


class PollFailed(Exception):
    """A counter could not be read; the message says what happened, with its address."""


@dataclass(frozen=True, slots=True)
class Reading:
    """What one poll read: the device's current hour start and {X: [in, out]}."""

    h0: int
    counts: dict[int, list[int]]


class BacnetPoller:
    """Reads In-C-X / Out-C-X from every counter on channel "bacnet" and stores the complete hours."""

    def __init__(self, engine: Engine, ingest: Any, config: BacnetConfig | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine, self.ingest, self.clock = engine, ingest, clock
        self.config = config or BacnetConfig()
        self._app: Application | None = None

    async def start(self) -> None:
        """Open the hub's BACnet/IP port."""
        device = DeviceObject(objectIdentifier=("device", self.config.device_instance),
                              objectName="footfall hub", vendorIdentifier=999,
                              apduTimeout=int(self.config.timeout_s * 1000), numberOfApduRetries=1)
        port = NetworkPortObject(self.config.local_address, objectIdentifier=("network-port", 1),
                                 objectName="NetworkPort-1")
        self._app = Application.from_object_list([device, port])

    async def stop(self) -> None:
        """Close the port."""
        if self._app is not None:
            self._app.close()
            self._app = None

    async def read(self, target: CounterTarget, hours: range) -> Reading:
        """Read hours X in `hours` from one device; PollFailed when it does not answer sensibly."""
        assert self._app is not None, "start() the poller first"
        size = self.config.hours_per_request
        counts: dict[int, list[int]] = {}
        h0: int | None = None
        for first in range(hours.start, hours.stop, size):
            chunk = range(first, min(first + size, hours.stop))
            try:
                async with asyncio.timeout(self.config.timeout_s * 3):
                    results = await self._app.read_property_multiple(
                        Address(target.address), request(chunk, target.device_instance))
                if not isinstance(results, list):
                    raise BadReading(f"unexpected answer {results!r}")
                start = hour_start(device_hour(results), target.timezone, self.clock())
                if h0 is not None and start != h0:
                    raise BadReading("the device's hour changed between requests; read again")
                h0 = start
                counts.update(hour_values(results))
            except TimeoutError:
                waited = self.config.timeout_s * 3
                raise PollFailed(f"{target.address}: no answer within {waited:g} s") from None
            except ErrorRejectAbortNack as error:
                told = f"{type(error).__name__} {error}"
                if "no-response" in told:
                    told = f"no answer (the device is off or unreachable: {told})"
                raise PollFailed(f"{target.address}: {told}") from None
            except BadReading as error:
                raise PollFailed(f"{target.address}: {error}") from None
        assert h0 is not None
        return Reading(h0, counts)

    async def poll(self, target: CounterTarget) -> int:
        """Read and store one counter's complete hours since its watermark; returns hours stored."""
        estimate = int(self.clock()) // HOUR * HOUR
        try:
            reading = await self.read(target, hours_to_read(estimate, target.watermark_ts))
        except PollFailed as error:
            with write_tx(self.engine) as conn:
                failures = record_failure(conn, target.counter_id, str(error))
            if failures == 1:
                log.warning("BACnet: counter %s failing: %s", target.serial, error)
            raise
        rows = payloads(target.serial, reading.h0, reading.counts)
        result = await self.ingest.ingest_async(target.company_id, counts=rows, channel="bacnet")
        if result.errors:
            message = f"{target.address}: refused {result.errors[0].error}"
            with write_tx(self.engine) as conn:
                record_failure(conn, target.counter_id, message)
            raise PollFailed(message)
        with write_tx(self.engine) as conn:
            recovered = record_success(conn, target.counter_id, reading.h0)
        if recovered:
            log.info("BACnet: counter %s recovered after %d failures", target.serial, recovered)
        return len(rows)

    async def poll_all(self, company_id: int | None = None) -> dict[str, int | str]:
        """Poll every counter on channel "bacnet" (a few at once); serial → hours stored or the error."""
        with read_tx(self.engine) as conn:
            targets, broken = load_targets(conn, company_id)
        for counter_id, _serial, problem in broken:
            with write_tx(self.engine) as conn:
                record_failure(conn, counter_id, problem)
        gate = asyncio.Semaphore(self.config.concurrency)
        outcome: dict[str, int | str] = {serial: problem for _, serial, problem in broken}

        async def one(target: CounterTarget) -> None:
            async with gate:
                try:
                    outcome[target.serial] = await self.poll(target)
                except PollFailed as error:
                    outcome[target.serial] = str(error)

        await asyncio.gather(*(one(t) for t in targets))
        return outcome

    async def run(self, sleep: Callable[[float], Any] = asyncio.sleep) -> None:
        """Poll now, then every `every_s` (hourly, a little after the top of the hour) until cancelled."""
        while True:
            try:
                await self.poll_all()
            except Exception:  # the database hiccuped: the next hour tries again
                log.exception("BACnet: poll round failed")
            now = self.clock()
            wait = self.config.every_s - (now % self.config.every_s) + self.config.after_hour_s
            await sleep(min(wait, self.config.every_s + self.config.after_hour_s))
