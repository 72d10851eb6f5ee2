"""Many connections share commits; slow storage holds replies back and loses nothing."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from sqlalchemy.engine import Engine
from websockets.asyncio.client import connect

from tests.api.helpers import make_tenant
from tests.connectors.ws_harness import HubServer, event_message, exchange, stored_events

CONNECTIONS, PER_CONNECTION = 40, 25


def test_many_connections_pipeline_and_share_group_commits(sqlite_engine: Engine, tmp_path: Path) -> None:
    make_tenant(sqlite_engine, "Acme")

    async def fleet(url: str) -> list[list[str]]:
        return await asyncio.gather(*(
            exchange(url, [json.dumps(event_message(c * 1000 + n, serial=f"00000000{c:08x}"))
                           for n in range(PER_CONNECTION)])
            for c in range(CONNECTIONS)))

    with HubServer(sqlite_engine, tmp_path) as hub:
        replies = asyncio.run(fleet(hub.ws_url))
        assert hub.app is not None
        commits = hub.app.state.ingest.groups_committed
    assert all(r == ["OK"] * PER_CONNECTION for r in replies)
    assert stored_events(sqlite_engine) == CONNECTIONS * PER_CONNECTION
    # 1,000 messages, each acknowledged after its commit, in far fewer transactions.
    assert commits < CONNECTIONS * PER_CONNECTION / 5


def test_slow_storage_holds_replies_back_and_loses_nothing(sqlite_engine: Engine, tmp_path: Path) -> None:
    make_tenant(sqlite_engine, "Acme")
    database = sqlite_engine.url.database
    assert database is not None

    async def scenario(url: str) -> list[str]:
        blocker = sqlite3.connect(database, timeout=30)
        blocker.execute("BEGIN IMMEDIATE")  # storage is stuck: nobody else can write
        async with connect(url, compression=None) as ws:
            for n in range(20):
                await ws.send(json.dumps(event_message(n)))
            try:
                early = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                early = None
            assert early is None, "a reply came while nothing could be committed"
            blocker.rollback()  # storage is back
            blocker.close()
            return [str(await ws.recv()) for _ in range(20)]

    with HubServer(sqlite_engine, tmp_path) as hub:
        assert asyncio.run(scenario(hub.ws_url)) == ["OK"] * 20
    assert stored_events(sqlite_engine) == 20
