"""The fleet runner against real loopback servers: every crossing pushed, figures adding up, a clean stop."""

from __future__ import annotations

import asyncio
import io
import json
import secrets
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import aiomqtt
import httpx
import pytest
from rich.console import Console
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from footfall.simulator.clock import SimClock
from footfall.simulator.fleet import CounterSpec, Fleet, SiteSpec
from footfall.simulator.runner import FleetRunner, TargetError, Targets
from footfall.simulator.summary import LiveSummary, channel_figures, endpoint_line, plain_line, total
from footfall.simulator.traffic import fleet_crossings
from tests.simulator.mqtt_broker import mqtt_broker

T0 = int(datetime(2025, 11, 22, 11, 0, tzinfo=UTC).timestamp())   # a Saturday, shops open everywhere
ALL_DAY = ((0, 1440),) * 7
SPEED = 1200.0                                                    # 20 simulated minutes a second
SIM_SPAN = 1800                                                   # push half an hour of traffic


def _fleet() -> Fleet:
    """Six counters at two sites: ws, mqtt or both, every one with its device API; fresh serials."""
    channels = [("ws", "http"), ("mqtt", "http"), ("ws", "mqtt", "http")] * 2
    sites = ("LDN", "KUL")
    counters = tuple(
        CounterSpec(secrets.token_hex(8), f"FFC-2024-{100 + i:06d}", sites[i // 3], i % 3 + 1, 1.0,
                    i % 3 == 0, channels[i]) for i in range(6))
    return Fleet(seed=5, sites=(SiteSpec("LDN", "London", "Europe/London", ALL_DAY, 6000),
                                SiteSpec("KUL", "Kuala Lumpur", "Asia/Kuala_Lumpur", ALL_DAY, 6000)),
                 counters=counters)


class OkServer:
    """A WebSocket server that answers `OK` to every message and records the events' UUIDs."""

    def __init__(self) -> None:
        self.uuids: list[str] = []
        self.checks = 0
        self.close_codes: list[int | None] = []

    async def handle(self, ws: ServerConnection) -> None:
        try:
            async for text in ws:
                message = json.loads(text)
                if message["Topic"] == "ffc-eventrawdata":
                    self.uuids.append(message["Data"]["UUID"])
                else:
                    self.checks += 1
                await ws.send("OK")
        except ConnectionClosed:
            pass
        self.close_codes.append(ws.close_code)


async def _collect(url: str, found: list[str], ready: asyncio.Event) -> None:
    """Subscribe to every counter's status topic and keep the counting payloads' UUIDs."""
    parts = urlsplit(url)
    async with aiomqtt.Client(parts.hostname or "", parts.port or 1883,
                              identifier=f"test-{secrets.token_hex(4)}") as client:
        await client.subscribe("/status/+", qos=0)
        ready.set()
        async for message in client.messages:
            payload = json.loads(bytes(message.payload))  # type: ignore[arg-type]
            if "UUID" in payload:
                found.append(payload["UUID"])


async def until(check: Callable[[], bool], seconds: float = 15.0) -> None:
    async with asyncio.timeout(seconds):
        while not check():
            await asyncio.sleep(0.02)


def test_every_crossing_is_pushed_the_figures_add_up_and_stop_is_clean() -> None:
    fleet, hub, heard = _fleet(), OkServer(), list[str]()
    report: dict[str, object] = {}

    async def scenario(broker: str) -> None:
        ready = asyncio.Event()
        listener = asyncio.create_task(_collect(broker, heard, ready))
        await ready.wait()
        async with serve(hub.handle, "127.0.0.1", 0) as server:
            ws_url = f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}/"
            targets = Targets(ws_url=ws_url, mqtt_url=broker)
            runner = FleetRunner(fleet, SimClock(SPEED, T0), targets, tick_s=0.05)
            await runner.start()
            report["lines"] = [endpoint_line(runner, c) for c in fleet.counters]
            endpoint = runner.http.endpoint(fleet.counters[0].serial) if runner.http else ""
            await until(lambda: runner.cursor >= T0 + SIM_SPAN)
            await runner.stop()
            report["runner"] = runner
            mqtt_expected = sum(1 for c in fleet_crossings(fleet, *runner.window)
                                if "mqtt" in fleet.counter(c.serial).channels)
            await until(lambda: len(heard) >= mqtt_expected, 5)
            with pytest.raises(httpx.ConnectError):   # the device API is gone with the runner
                httpx.get(f"{endpoint}/cgi-bin/access_token.cgi")
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)

    with mqtt_broker() as broker:
        asyncio.run(scenario(broker))
    runner = report["runner"]
    assert isinstance(runner, FleetRunner)
    start, end = runner.window
    assert start == T0 and end >= T0 + SIM_SPAN
    model = fleet_crossings(fleet, start, end)
    by_channel = {channel: [c.uuid for c in model if channel in fleet.counter(c.serial).channels]
                  for channel in ("ws", "mqtt")}
    assert len(by_channel["ws"]) > 100 and len(by_channel["mqtt"]) > 100
    # Every crossing of the window arrived exactly once, over each channel its counter speaks.
    assert Counter(hub.uuids) == Counter(by_channel["ws"])
    assert Counter(heard) == Counter(by_channel["mqtt"])
    assert hub.checks == 4 and hub.close_codes == [1000] * 4

    rows = {r.channel: r for r in channel_figures(runner)}
    assert set(rows) == {"ws", "mqtt", "http"}
    ws, mqtt = rows["ws"], rows["mqtt"]
    assert (ws.counters, mqtt.counters, rows["http"].counters) == (4, 4, 6)
    assert (ws.counted, ws.acknowledged, ws.buffered, ws.dropped) == (len(hub.uuids),) * 2 + (0, 0)
    assert ws.sent == ws.acknowledged + hub.checks
    assert (mqtt.counted, mqtt.acknowledged, mqtt.buffered, mqtt.dropped) == (len(heard),) * 2 + (0, 0)
    assert mqtt.sent is not None and mqtt.sent >= mqtt.acknowledged   # occupancy payloads too
    summed = total(rows.values())
    assert summed.values() == tuple(a + b for a, b in zip(ws.values(), mqtt.values(), strict=True))
    assert ws.state == mqtt.state == "4 stopped"

    lines = report["lines"]
    assert isinstance(lines, list) and len(lines) == 6
    for counter, line in zip(fleet.counters, lines, strict=True):
        assert line.startswith(f"{counter.serial} {counter.company_serial} site {counter.site_code}")
        assert "serves http://127.0.0.1:" in line
        assert ("ws ws://127.0.0.1:" in line) == ("ws" in counter.channels)
        assert (f"topic /status/{counter.serial}" in line) == ("mqtt" in counter.channels)

    text = io.StringIO()
    LiveSummary(runner, Console(file=text, width=200), live=False).final()
    assert "ws: counters 4 counted" in text.getvalue() and "total: counters 8" in text.getvalue()
    assert f"ws: sent {ws.sent} ack {ws.acknowledged} buf 0 drop 0" in plain_line(runner, 1.0)


def test_a_push_channel_without_its_address_is_refused_naming_it() -> None:
    fleet = _fleet()
    with pytest.raises(TargetError) as refused:
        FleetRunner(fleet, SimClock(1.0, T0), Targets(mqtt_url="mqtt://127.0.0.1:1883"))
    assert refused.value.option == "ws_url"
    with pytest.raises(TargetError) as malformed:
        FleetRunner(fleet, SimClock(1.0, T0), Targets(ws_url="ws://127.0.0.1:1/", mqtt_url="http://x"))
    assert malformed.value.option == "mqtt_url"


def test_a_server_that_is_down_leaves_events_buffered_not_lost() -> None:
    fleet = Fleet(seed=5, sites=(SiteSpec("LDN", "London", "Europe/London", ALL_DAY, 6000),), counters=(
        CounterSpec("00000000000000d1", "FFC-2024-000201", "LDN", 1, 1.0, True, ("ws",)),))

    async def scenario() -> FleetRunner:
        runner = FleetRunner(fleet, SimClock(SPEED, T0), Targets(ws_url="ws://127.0.0.1:9/"),
                             tick_s=0.05, connect_wait_s=2.0)
        await runner.start()
        await until(lambda: runner.cursor >= T0 + 600)
        await runner.stop(drain_s=0.1)
        return runner

    runner = asyncio.run(scenario())
    ws = channel_figures(runner)[0]
    assert ws.counted == ws.buffered == len(fleet_crossings(fleet, *runner.window)) > 0
    assert (ws.acknowledged, ws.dropped) == (0, 0)
