"""Live out: a site's crossings and occupancy as server-sent events, and the pure pieces behind it."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from footfall.domain.records import Event, Metric, PeopleType
from footfall.domain.timegrid import zone
from footfall.estate.counters import create_counter
from footfall.estate.sites import create_site
from footfall.live.fanout import Subscription
from footfall.live.occupancy import SiteLive
from footfall.query.scope import Role
from footfall.storage.engine import write_tx
from tests.api.helpers import Tenant, make_tenant
from tests.connectors.ws_harness import SERIAL, HubServer, event_message, exchange_sync

Sse = tuple[str, dict[str, Any]]


class SseReader:
    """Reads an event stream in a thread; `next(kind)` returns the next message of that kind."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.messages: queue.Queue[Sse] = queue.Queue()
        self.status: queue.Queue[int] = queue.Queue()
        self._client = httpx.Client(timeout=httpx.Timeout(5, read=30))
        self._thread = threading.Thread(target=self._read, args=(url, headers), daemon=True)
        self._thread.start()

    def _read(self, url: str, headers: dict[str, str]) -> None:
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                self.status.put(response.status_code)
                kind = ""
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: "):
                        self.messages.put((kind, json.loads(line[6:])))
        except httpx.HTTPError:
            pass  # closed by the test

    def next(self, kind: str, seconds: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while True:
            found, data = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            if found == kind:
                return data

    def close(self) -> None:
        self._client.close()


@pytest.fixture
def site_hub(engine: Engine, tmp_path: Path) -> Iterator[tuple[HubServer, Tenant, Tenant]]:
    """A hub with company A's site KUL (counter SERIAL on it) and an unrelated company B."""
    a, b = make_tenant(engine, "Company A"), make_tenant(engine, "Company B")
    with write_tx(engine) as conn:
        site = create_site(conn, a.company_id, "KUL", "Pavilion", "Asia/Kuala_Lumpur")
        create_counter(conn, a.company_id, SERIAL, site_id=site["id"])
    with HubServer(engine, tmp_path) as hub:
        yield hub, a, b


def push(hub: HubServer, a: Tenant, first: int, metrics: list[int]) -> None:
    now = int(time.time()) - 2  # just now: today in the site's zone (barring the last seconds of a day)
    messages = [json.dumps(event_message(first + i, metric=m, start=now - first - i))
                for i, m in enumerate(metrics)]
    assert exchange_sync(hub.ws_url, messages, additional_headers=a.headers) == ["OK"] * len(metrics)


def test_a_site_streams_its_crossings_and_occupancy(site_hub: tuple[HubServer, Tenant, Tenant]) -> None:
    hub, a, _b = site_hub
    push(hub, a, 0, [1, 1, 1])  # three in before anyone watches: the stream starts from them
    reader = SseReader(f"{hub.http_url}/api/v1/sites/KUL/live", a.headers)
    try:
        assert reader.status.get(timeout=10) == 200
        first = reader.next("occupancy")
        assert (first["site"], first["in"], first["out"], first["occupancy"]) == ("KUL", 3, 0, 3)
        push(hub, a, 10, [2, 1, 2])
        crossings = [reader.next("crossing") for _ in range(3)]
        assert [c["direction"] for c in crossings] == ["out", "in", "out"]
        assert crossings[0]["serial"] == SERIAL and crossings[0]["people_type"] == "visitor"
        assert crossings[0]["time"].endswith("+08:00")
        latest = reader.next("occupancy")
        assert (latest["in"], latest["out"], latest["occupancy"]) == (4, 2, 2)
    finally:
        reader.close()


def test_another_companys_token_gets_404_and_none_gets_401(
        site_hub: tuple[HubServer, Tenant, Tenant]) -> None:
    hub, _a, b = site_hub
    url = f"{hub.http_url}/api/v1/sites/KUL/live"
    assert httpx.get(url, headers=b.headers).status_code == 404
    assert httpx.get(url).status_code == 401


def test_a_slow_subscriber_loses_its_oldest_messages_and_is_told() -> None:
    async def scenario() -> list[Sse]:
        feed = Subscription(company_id=1, site_id=1, limit=4)
        for n in range(10):
            feed.put(("crossing", {"n": n}))
        return await feed.get(timeout_s=1)

    got = asyncio.run(scenario())
    assert got[0] == ("lagged", {"dropped": 6})
    assert [data["n"] for _kind, data in got[1:]] == [6, 7, 8, 9]


def test_occupancy_counts_visitors_through_entrances_never_below_zero() -> None:
    tz = zone("Europe/London")
    noon = 1_750_000_000 - 1_750_000_000 % 86400 + 12 * 3600  # a summer noon, local 13:00
    roles = {(1, 1): Role.IN, (1, 2): Role.OUTSIDE, (2, 1): Role.REVERSED, (3, 1): None}
    live = SiteLive(7, "LDN", tz, roles, noon)

    def cross(counter_id: int, roi: int, metric: Metric, people: PeopleType = PeopleType.VISITOR,
              at: int = noon) -> None:
        live.count(counter_id, Event(SERIAL, roi, metric, people, None, at, at, f"c{at}{metric}"))

    cross(1, 1, Metric.OUT)                     # nobody inside yet: stays at zero
    cross(1, 1, Metric.IN)
    cross(2, 1, Metric.OUT)                     # a reversed line: its OUT is into the site
    cross(1, 2, Metric.IN)                      # passers-by: not in the site
    cross(3, 1, Metric.IN)                      # an area line: not the site's door
    cross(1, 1, Metric.IN, PeopleType.STAFF)    # staff are counted apart
    cross(4, 1, Metric.IN)                      # a line ingest just created: an entrance
    cross(1, 1, Metric.IN, at=noon - 86400)     # yesterday's late event: not today's figure
    assert (live.visitors_in, live.visitors_out, live.occupancy) == (3, 1, 3)
    assert live.snapshot(noon)["day"] == "2025-06-15"
    assert live.roll(noon + 86400) and live.occupancy == 0 and not live.roll(noon + 86400)
