"""The integration tool's live feed through a real hub (uvicorn): a counter's WebSocket messages,
`generic-test-topic` first, reach the watcher of its company, by serial, and nobody else; the
MQTT subscriber (real broker) feeds the same tap."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from websockets.asyncio.client import connect

from footfall.ingest.core import IngestCore
from footfall.live.tap import TAP
from tests.connectors.mqtt_hub import hub_config, publisher, running, topic_prefix
from tests.core.helpers import make_estate
from tests.portal.conftest import Hub, csrf_of
from tests.portal.seed import PASSWORD, Company
from tests.simulator.mqtt_broker import mqtt_broker

CHECK = "{'Topic': 'generic-test-topic', 'Data': {'CameraSerial': '%s', 'Message': 'Test connection'}}"


async def signed_in(hub: Hub, company: Company) -> httpx.AsyncClient:
    """An HTTP client with the session of the company's manager."""
    client = httpx.AsyncClient(base_url=hub.url, follow_redirects=True, timeout=20)
    form = await client.get("/portal/sign-in")
    done = await client.post("/portal/sign-in", data={"email": company.users["manager"], "password": PASSWORD,
                                                      "csrf_token": csrf_of(form.text)})
    assert done.url.path == "/portal/dashboard", done.text
    return client


async def events(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """Server-sent events as (name, data)."""
    name = ""
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            yield name, json.loads(line[6:])


async def push(hub: Hub, company: Company, text: str) -> None:
    """One message from a counter of the company over the hub's WebSocket; the hub answers OK."""
    async with connect(f"ws{hub.url[4:]}/ws", additional_headers=company.headers) as ws:
        await ws.send(text)
        assert await asyncio.wait_for(ws.recv(), 20) == "OK"


async def first_message(feed: AsyncIterator[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The first tapped message of a feed (after its `watching` notice)."""
    async with asyncio.timeout(20):
        async for name, data in feed:
            if name == "message":
                return data
    raise AssertionError("the feed ended")


def test_a_counters_messages_reach_only_its_companys_watchers(hub: Hub) -> None:
    a, b = hub.seeded.a, hub.seeded.b

    async def scenario() -> None:
        watcher_a, watcher_b = await signed_in(hub, a), await signed_in(hub, b)
        try:
            live = "/portal/integration/live"
            async with watcher_a.stream("GET", live, params={"serial": "00000000A0000002"}) as by_serial, \
                    watcher_b.stream("GET", live) as any_b:
                feed_a, feed_b = events(by_serial), events(any_b)
                assert (await anext(feed_a))[0] == "watching" and (await anext(feed_b))[0] == "watching"
                await push(hub, a, CHECK % "00000000a0000001")  # another counter of A: not watched
                await push(hub, a, CHECK % "00000000a0000002")
                await push(hub, b, CHECK % "00000000b0000001")
                seen_a, seen_b = await first_message(feed_a), await first_message(feed_b)
        finally:
            await watcher_a.aclose()
            await watcher_b.aclose()
        assert seen_a["serial"] == "00000000a0000002" and seen_a["topic"] == "generic-test-topic"
        assert seen_a["channel"] == "ws" and seen_a["text"] == CHECK % "00000000a0000002"
        assert seen_b["serial"] == "00000000b0000001"  # A's messages never reach B
        for _ in range(100):  # the streams are closed: the watchers are forgotten
            if not TAP.watched:
                break
            await asyncio.sleep(0.05)
        assert not TAP.watched

    asyncio.run(scenario())


def test_a_bad_serial_to_watch_is_refused(hub: Hub) -> None:
    async def scenario() -> httpx.Response:
        client = await signed_in(hub, hub.seeded.a)
        try:
            return await client.get("/portal/integration/live", params={"serial": "no such thing"})
        finally:
            await client.aclose()

    refused = asyncio.run(scenario())
    assert refused.status_code == 422 and "is not a counter serial" in refused.json()["detail"]


def test_mqtt_messages_are_tapped_too(sqlite_engine: Engine) -> None:
    serial = secrets.token_hex(8)
    company_id = make_estate(sqlite_engine, "Europe/London", [serial])
    prefix = topic_prefix()

    async def scenario() -> dict[str, Any]:
        core = IngestCore(sqlite_engine)
        try:
            with mqtt_broker("auto") as url:
                async with running(hub_config(url, company_id, prefix), core), publisher(url) as client:
                    feed = TAP.subscribe(company_id, serial)
                    try:
                        await client.publish(f"{prefix}/status/{serial}", CHECK % serial)
                        async with asyncio.timeout(20):
                            while True:
                                found = [m for kind, m in await feed.get(1.0) if kind == "message"]
                                if found:
                                    return found[0]
                    finally:
                        TAP.unsubscribe(feed)
        finally:
            await asyncio.to_thread(core.close)

    seen = asyncio.run(scenario())
    assert seen["channel"] == "mqtt" and seen["serial"] == serial and seen["topic"] == "generic-test-topic"
    assert not TAP.watched
