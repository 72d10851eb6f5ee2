"""One connected stretch of the MQTT subscriber: read messages, batch them, store each batch.

A reader task moves messages from the client into an inbox; the batcher takes up to
`batch_max` of them, or what came within `batch_wait_s` of the first, and stores them (events
through the ingest core, the rest in one short transaction in a worker thread) before it
takes the next. The reader keeps reading meanwhile, so a slow commit delays, never drops,
until `max_buffered` messages wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import aiomqtt
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from footfall.connectors.mqtt.config import MqttConfig
from footfall.connectors.mqtt.occupancy import CHANNEL, store_batch
from footfall.connectors.mqtt.parse import Batch, Fault, serial_from_topic, split_batch
from footfall.ingest.batch import IngestResult
from footfall.live.tap import TAP
from footfall.storage.engine import write_tx

log = logging.getLogger(__name__)
STORE_RETRY_S = (0.2, 10.0)


class Sink(Protocol):
    """Where the subscriber hands its records: the ingest core."""

    engine: Engine

    async def ingest_async(self, company_id: int, **records: Any) -> IngestResult: ...


@dataclass(slots=True)
class MqttStats:
    """What the subscriber has done so far (for the portal, `footfall counters` and tests)."""

    state: str = "idle"  # idle, connecting, subscribed, retrying, refused, failed, stopped
    connects: int = 0
    received: int = 0
    events: int = 0        # newly stored by the ingest core
    duplicates: int = 0
    occupancy: int = 0
    offline: int = 0       # last wills
    refused: int = 0       # payloads refused (see the channel_fault table)
    dropped: int = 0       # over max_buffered while storage was slow
    batches: int = 0
    last_error: str | None = None


class Session:
    """Batch and store the messages of one connection until it drops or the hub stops."""

    def __init__(self, config: MqttConfig, sink: Sink, stats: MqttStats, stopping: asyncio.Event,
                 clock: Callable[[], float], faulty: set[str]) -> None:
        self.config, self._sink, self._stats = config, sink, stats
        self._stopping, self._clock, self._faulty = stopping, clock, faulty
        self._inbox: list[tuple[str, bytes | str]] = []
        self._wake, self._full = asyncio.Event(), asyncio.Event()

    def wake(self) -> None:
        """Look at the stop flag now (called by `stop()`)."""
        self._wake.set()
        self._full.set()

    async def run(self, client: aiomqtt.Client) -> None:
        """Store batches until the link drops (MqttError) or the hub stops (returns)."""
        reader = asyncio.create_task(self._read(client))
        size, wait = self.config.batch_max, self.config.batch_wait_s
        try:
            while not self._stopping.is_set() and (self._inbox or not reader.done()):
                if not self._inbox:
                    await self._wake.wait()
                    self._wake.clear()
                    continue
                self._full.clear()
                if len(self._inbox) < size and not reader.done():
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(wait):
                            await self._full.wait()
                await self._store(self._take())
            if self._stopping.is_set() and not reader.done():
                await self._leave(client, reader)
            while self._inbox:
                await self._store(self._take())
            if not self._stopping.is_set():
                reader.result()  # the MqttError that ended the link
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def _read(self, client: aiomqtt.Client) -> None:
        try:
            async for message in client.messages:
                self._accept(message)
        finally:
            self.wake()

    def _accept(self, message: aiomqtt.Message) -> None:
        self._stats.received += 1
        if len(self._inbox) >= self.config.max_buffered:
            self._stats.dropped += 1
            return
        payload = message.payload
        if isinstance(payload, bytearray):
            payload = bytes(payload)
        elif not isinstance(payload, bytes | str):
            payload = b"" if payload is None else str(payload)
        self._inbox.append((message.topic.value, payload))
        if TAP.watched:  # the integration tool shows counters' raw messages live
            TAP.publish(self.config.company_id, serial_from_topic(message.topic.value), payload, CHANNEL)
        self._wake.set()
        if len(self._inbox) >= self.config.batch_max:
            self._full.set()

    def _take(self) -> list[tuple[str, bytes | str]]:
        size = self.config.batch_max
        taken, self._inbox = self._inbox[:size], self._inbox[size:]
        return taken

    async def _leave(self, client: aiomqtt.Client, reader: asyncio.Task[None]) -> None:
        """Stop the broker sending, then take what it already sent, so a clean stop loses nothing."""
        with contextlib.suppress(aiomqtt.MqttError, TimeoutError):
            await client.unsubscribe(list(self.config.subscriptions), timeout=5)
        while len(client.messages):  # let the reader move what arrived before UNSUBACK
            await asyncio.sleep(0)
        await asyncio.sleep(0.01)
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)

    async def _store(self, messages: list[tuple[str, bytes | str]]) -> None:
        now_ts = self._clock()
        batch = split_batch(messages, int(now_ts))
        now = datetime.fromtimestamp(now_ts, UTC)
        delay, failing = STORE_RETRY_S[0], False
        while True:
            try:
                await self._write(batch, now)
                break
            except (SQLAlchemyError, OSError) as error:
                if self._stopping.is_set():
                    log.error("MQTT: %d messages not stored at stop: %s", len(messages), error)
                    return
                if not failing:
                    log.warning("MQTT: storing a batch failed (%s); retrying", error)
                failing = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, STORE_RETRY_S[1])
        if failing:
            log.info("MQTT: storing batches works again")
        self._stats.batches += 1
        self._stats.occupancy += len(batch.occupancy)
        self._stats.offline += sum(not online for online in batch.presence.values())
        self._stats.refused += len(batch.faults)
        for fault in batch.faults:
            first = fault.serial not in self._faulty
            self._faulty.add(fault.serial)
            log.log(logging.WARNING if first else logging.DEBUG, "MQTT: refused a payload from %s: %s",
                    fault.serial or "an unknown counter", fault.error)

    async def _write(self, batch: Batch, now: datetime) -> None:
        if batch.messages:
            result = await self._sink.ingest_async(self.config.company_id, channel=CHANNEL,
                                                   messages=batch.messages)
            self._stats.events += result.accepted
            self._stats.duplicates += result.duplicates
            batch.faults.extend(Fault(batch.event_serials[e.index] or "", e.error) for e in result.errors)
            batch.messages.clear()  # committed: a retry of the rest must not send them again
        await asyncio.to_thread(self._write_rows, batch, now)

    def _write_rows(self, batch: Batch, now: datetime) -> None:
        with write_tx(self._sink.engine) as conn:
            store_batch(conn, self.config.company_id, batch, now)
