"""The simulated counter's MQTT publishing, against a real broker and an aiomqtt subscriber."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import aiomqtt
import pytest

from footfall.domain.events import parse_event
from footfall.domain.records import Event, Metric
from footfall.simulator.clock import SimClock
from footfall.simulator.devices.mqtt_publish import MqttPublishDevice
from footfall.simulator.devices.payloads import counting_payload
from footfall.simulator.faults import FaultPlan
from footfall.simulator.fleet import CounterSpec, SiteSpec
from footfall.simulator.traffic import Crossing
from tests.simulator.mqtt_broker import free_port, mqtt_broker

T0 = 1_749_999_980   # 20 s past a whole minute
SITE = SiteSpec("S001", "Sydney S001", "Australia/Sydney", ((540, 1050),) * 7, 1000)


@pytest.fixture(params=["mosquitto", "amqtt"])
def broker_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Mosquitto on 127.0.0.1:1883 (skipped if down, required with CI=true) and in-process amqtt."""
    with mqtt_broker(request.param) as url:
        yield url


def counter() -> CounterSpec:
    """A counter with a fresh serial: tests sharing one Mosquitto never see each other's topics."""
    return CounterSpec(secrets.token_hex(8), "FFC-2021-000042", "S001", 1, 1.0, True, ("mqtt",))


def crossings(serial: str, n: int) -> list[Crossing]:
    return [Crossing(T0 - 60 + i, serial, 1 + i % 2, 1 + i // 2 % 2, 1, str(uuid.UUID(int=i + 1)))
            for i in range(n)]


class Subscriber:
    """An aiomqtt client collecting every JSON payload on one topic."""

    def __init__(self, url: str, topic: str) -> None:
        self.url, self.topic = url, topic
        self.payloads: list[dict[str, Any]] = []
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Subscriber:
        self._task = asyncio.create_task(self._listen())
        async with asyncio.timeout(5):
            await self._ready.wait()
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _listen(self) -> None:
        parts = urlsplit(self.url)
        async with aiomqtt.Client(parts.hostname or "", parts.port or 1883,
                                  identifier=f"sub-{secrets.token_hex(4)}") as client:
            await client.subscribe(self.topic, qos=0)
            self._ready.set()
            async for message in client.messages:
                self.payloads.append(json.loads(bytes(message.payload)))  # type: ignore[arg-type]

    def having(self, key: str) -> list[dict[str, Any]]:
        return [p for p in self.payloads if key in p]


async def until(check: Callable[[], bool], seconds: float = 10.0) -> None:
    async with asyncio.timeout(seconds):
        while not check():
            await asyncio.sleep(0.01)


def test_counting_and_occupancy_payloads_reach_a_subscriber(broker_url: str) -> None:
    spec = counter()
    offered = crossings(spec.serial, 40)

    async def scenario() -> None:
        async with Subscriber(broker_url, f"/status/{spec.serial}") as sub:
            dev = MqttPublishDevice(spec, SITE, broker_url, clock=SimClock(start=T0), auth=("user", "pw"))
            task = asyncio.create_task(dev.run())
            await until(lambda: dev.stats.state == "connected")
            dev.offer(offered)
            await until(lambda: len(sub.having("MetricId")) == 40 and bool(sub.having("ObjectCount")))
            stats = dev.stats
            assert (stats.acknowledged, stats.dropped, stats.buffered) == (40, 0, 0)
            await dev.stop()
            await task
            await asyncio.sleep(0.2)
            counting, occupancy = sub.having("MetricId"), sub.having("ObjectCount")
            assert not sub.having("Status"), "a clean stop must not fire the last will"

        tz = ZoneInfo(SITE.timezone)
        assert counting == [counting_payload(c, tz) for c in offered]
        event = parse_event(counting[1], now_ts=T0)
        assert isinstance(event, Event)
        assert (event.serial, event.metric, event.roi_id) == (spec.serial, Metric.IN, 2)
        assert event.start_ts == T0 - 59
        first = occupancy[0]
        assert first["Timestamp"] == T0 - 20 and first["CameraSerial"] == spec.serial
        assert (first["RoiId"], first["OccupancyTypeId"], first["ObjectCount"]) == (1, 1, 0)

    asyncio.run(scenario())


def test_the_last_will_fires_when_the_counter_goes_offline_and_it_comes_back(broker_url: str) -> None:
    spec = counter()
    offered = crossings(spec.serial, 30)
    # At 100x: online for 0.3 s, offline (no DISCONNECT sent) for 0.4 s, then back.
    plan = FaultPlan(offline=((T0 + 30, T0 + 70),), duplicate_rate=0.3, clock_skew_s=45, seed=1)

    async def scenario() -> None:
        clock = SimClock(speed=100, start=T0)
        async with Subscriber(broker_url, f"/status/{spec.serial}") as sub:
            dev = MqttPublishDevice(spec, SITE, broker_url, clock=clock, faults=plan, retry_s=(0.05, 0.2),
                                    occupancy_every_s=None)
            task = asyncio.create_task(dev.run())
            await until(lambda: dev.stats.state == "connected")
            dev.offer(offered[:10])
            await until(lambda: dev.stats.state == "offline")
            dev.offer(offered[10:20])                            # QoS 0: nothing to send them on
            await until(lambda: sub.having("Status") != [])
            await until(lambda: dev.stats.state == "connected")
            dev.offer(offered[20:])
            await until(lambda: len({p["UUID"] for p in sub.having("MetricId")}) == 20)
            stats = dev.stats
            await dev.stop()
            await task

        assert sub.having("Status") == [{"CameraSerial": spec.serial, "Status": "offline"}]
        assert (stats.acknowledged, stats.dropped, stats.connects) == (20, 10, 2)
        received = sub.having("MetricId")
        assert len(received) > 20                                 # the plan's duplicates
        assert {p["UUID"] for p in received} == {c.uuid for c in offered[:10] + offered[20:]}
        assert all(p["EventStartTime"] == int(p["UUID"][-4:], 16) + T0 - 61 + 45 for p in received)

    asyncio.run(scenario())


def test_an_unreachable_broker_is_retried_and_crossings_meanwhile_are_dropped() -> None:
    spec = counter()
    url = f"mqtt://127.0.0.1:{free_port()}"

    async def scenario() -> None:
        dev = MqttPublishDevice(spec, SITE, url, clock=SimClock(start=T0), retry_s=(0.01, 0.05))
        task = asyncio.create_task(dev.run())
        await until(lambda: dev.stats.last_error is not None)
        dev.offer(crossings(spec.serial, 5))
        assert dev.stats.state in ("connecting", "idle") and dev.stats.dropped == 5
        await dev.stop()
        await task
        assert dev.stats.state == "stopped" and dev.stats.sent == 0

    asyncio.run(scenario())


def test_a_bad_broker_address_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="mqtt://host:1883"):
        MqttPublishDevice(counter(), SITE, "http://example.org", clock=SimClock(start=T0))
