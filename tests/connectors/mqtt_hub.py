"""Helpers for the MQTT subscriber tests: a simulated site, a hub subscriber, and reading its rows."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import aiomqtt
from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.connectors.mqtt import MqttConfig, MqttSubscriber
from footfall.ingest.core import IngestCore
from footfall.simulator.fleet import CounterSpec, Fleet, SiteSpec
from footfall.storage.engine import read_tx
from footfall.storage.tables import channel_fault, counter, event, zone_occupancy

WINDOW = int(datetime(2025, 6, 10, 11, 0, tzinfo=UTC).timestamp())  # a Tuesday, 12:00 in London
TZ = "Europe/London"


def fleet(doors: int = 2, seed: int = 7, outside_line: bool = True) -> Fleet:
    """One busy London site with `doors` counters (fresh serials: tests share one Mosquitto).

    With `outside_line` the first door also counts passers-by on a street line (RoiId 2).
    """
    site = SiteSpec("S1", "High Street", TZ, ((540, 1050),) * 7, 4000)
    counters = tuple(
        CounterSpec(secrets.token_hex(8), f"FFC-2025-{100000 + i}", "S1", i + 1, 1.0,
                    outside_line and i == 0, ("mqtt",))
        for i in range(doors))
    return Fleet(seed, (site,), counters)


def topic_prefix() -> str:
    """A topic root of its own, so concurrent runs on one broker never see each other's messages."""
    return f"ff-test-{secrets.token_hex(4)}"


def hub_config(url: str, company_id: int, prefix: str, **overrides: Any) -> MqttConfig:
    """The subscriber's settings for a test: quick retries and batches."""
    values: dict[str, Any] = {
        "company_id": company_id, "url": url, "topics": (f"{prefix}/status/+",),
        "client_id": f"hub-{secrets.token_hex(4)}", "batch_wait_s": 0.02,
        "reconnect_min_s": 0.05, "reconnect_max_s": 0.2, **overrides}
    return MqttConfig(**values)


@asynccontextmanager
async def running(config: MqttConfig, core: IngestCore) -> AsyncIterator[MqttSubscriber]:
    """A subscriber started on `core` and subscribed; stopped on the way out."""
    subscriber = MqttSubscriber(config)
    await subscriber.start(core)
    try:
        await subscriber.wait_subscribed()
        yield subscriber
    finally:
        await subscriber.stop()


@asynccontextmanager
async def publisher(url: str) -> AsyncIterator[aiomqtt.Client]:
    """A plain MQTT client to publish hand-made payloads."""
    parts = urlsplit(url)
    async with aiomqtt.Client(parts.hostname or "", parts.port or 1883,
                              identifier=f"pub-{secrets.token_hex(4)}") as client:
        yield client


class Witness:
    """Another subscriber on the same topics, counting what the broker dispatched."""

    def __init__(self) -> None:
        self.seen = 0


@asynccontextmanager
async def witness(url: str, topic: str) -> AsyncIterator[Witness]:
    """Count every message the broker dispatches on `topic` while the block runs."""
    found = Witness()

    async def listen(client: aiomqtt.Client) -> None:
        async for _message in client.messages:
            found.seen += 1

    async with publisher(url) as client:
        await client.subscribe(topic, qos=0)
        task = asyncio.create_task(listen(client))
        try:
            yield found
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def publish(client: aiomqtt.Client, topic: str, payload: dict[str, Any] | str | bytes) -> None:
    """Publish at QoS 0, as counters do."""
    await client.publish(topic, payload if isinstance(payload, str | bytes) else json.dumps(payload), qos=0)


async def until(check: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait until `check()` holds (TimeoutError after `seconds`)."""
    async with asyncio.timeout(seconds):
        while not check():
            await asyncio.sleep(0.02)


def events_by_minute(engine: Engine, company_id: int) -> dict[tuple[str, int, int], list[int]]:
    """Stored events as (serial, line, minute) → [in, out, staff in, staff out]."""
    cells: dict[tuple[str, int, int], list[int]] = {}
    with read_tx(engine) as conn:
        rows = conn.execute(
            select(counter.c.serial, event.c.roi_id, event.c.start_ts, event.c.metric, event.c.people_type)
            .join(counter, counter.c.id == event.c.counter_id).where(counter.c.company_id == company_id))
        for serial, roi, start, metric, people_type in rows:
            cell = cells.setdefault((serial, roi, start - start % 60), [0, 0, 0, 0])
            cell[(people_type - 1) * 2 + metric - 1] += 1
    return cells


def event_count(engine: Engine, company_id: int) -> int:
    """How many events the company has stored."""
    return sum(sum(cell) for cell in events_by_minute(engine, company_id).values())


def offline_at(engine: Engine, company_id: int, serial: str) -> datetime | None:
    """The counter's `offline_at` (None if it is online or unknown)."""
    with read_tx(engine) as conn:
        return conn.execute(select(counter.c.offline_at).where(
            counter.c.company_id == company_id, counter.c.serial == serial)).scalar()


def faults(engine: Engine, company_id: int) -> dict[str, tuple[int, str]]:
    """channel_fault rows of the MQTT channel: serial → (count, last error)."""
    with read_tx(engine) as conn:
        rows = conn.execute(select(channel_fault.c.serial, channel_fault.c.count, channel_fault.c.last_error)
                            .where(channel_fault.c.company_id == company_id,
                                   channel_fault.c.channel == "mqtt"))
        return {serial: (count, error) for serial, count, error in rows}


def occupancy_rows(engine: Engine, company_id: int) -> Counter[str]:
    """How many zone-occupancy rows each counter has."""
    with read_tx(engine) as conn:
        rows = conn.execute(select(counter.c.serial).join(zone_occupancy, zone_occupancy.c.counter_id
                                                          == counter.c.id)
                            .where(counter.c.company_id == company_id))
        return Counter(serial for (serial,) in rows)
