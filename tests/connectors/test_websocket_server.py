"""The hub's WebSocket server on loopback: `OK` only after commit, in order, and clear refusals."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from footfall.storage.engine import read_tx
from footfall.storage.tables import alive_span, channel_fault, connection_check, counter, event
from tests.api.helpers import make_tenant
from tests.connectors.ws_harness import (
    SERIAL,
    HubServer,
    check_message,
    event_message,
    exchange_sync,
    stored_events,
)


@pytest.fixture
def hub(engine: Engine, tmp_path: Path) -> Iterator[HubServer]:
    """A hub whose only company owns every connection without credentials."""
    make_tenant(engine, "Acme")
    with HubServer(engine, tmp_path) as server:
        yield server


def identity(n: int) -> str:
    """The stored identity of `event_message(n)`."""
    return "u" + f"00000000-0000-4000-8000-{n:012d}".replace("-", "")


def rows(engine: Engine, query: Any) -> list[Any]:
    with read_tx(engine) as conn:
        return list(conn.execute(query).all())


def eventually(check: Callable[[], Any], seconds: float = 10.0) -> Any:
    """Poll until `check()` is truthy (faults are stored just after their reply is sent)."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_ok_arrives_only_after_the_event_is_committed(hub: HubServer, engine: Engine) -> None:
    async def scenario() -> None:
        async with connect(hub.ws_url, compression=None) as ws:
            for n in range(40):  # pipelined: all on the wire before the first reply is read
                await ws.send(json.dumps(event_message(n)))
            for n in range(40):
                assert await ws.recv() == "OK"
                stored = rows(engine, select(event.c.seq).where(event.c.identity == identity(n)))
                assert len(stored) == 1, f"OK for message {n} came before its commit"

    asyncio.run(scenario())


def test_json_and_literal_quoting_with_and_without_uuid(hub: HubServer, engine: Engine) -> None:
    messages = [json.dumps(event_message(1)), repr(event_message(2)),
                json.dumps(event_message(3, with_uuid=False)), repr(event_message(4, with_uuid=False))]
    assert exchange_sync(hub.ws_url, messages) == ["OK"] * 4
    kinds = sorted(i[0] for (i,) in rows(engine, select(event.c.identity)))
    assert kinds == ["c", "c", "u", "u"]  # content identity without UUID, the UUID otherwise


def test_connection_check_is_answered_and_recorded_never_counted(hub: HubServer, engine: Engine) -> None:
    assert exchange_sync(hub.ws_url, [json.dumps(check_message()), repr(check_message())]) == ["OK", "OK"]
    checks = rows(engine, select(connection_check.c.serial, connection_check.c.channel))
    assert checks == [(SERIAL, "ws"), (SERIAL, "ws")]
    assert stored_events(engine) == 0
    (checked_at,) = rows(engine, select(counter.c.last_check_at).where(counter.c.serial == SERIAL))[0]
    assert checked_at is not None


def test_bad_input_gets_a_clear_answer_and_the_connection_goes_on(hub: HubServer, engine: Engine) -> None:
    bad_metric = event_message(3)
    bad_metric["Data"]["MetricId"] = 7
    unknown_topic = {"Topic": "ffc-something", "Data": {"CameraSerial": SERIAL}}

    async def scenario() -> list[str]:
        async with connect(hub.ws_url, compression=None) as ws:
            await ws.send(json.dumps(check_message()))
            assert await ws.recv() == "OK"  # the connection now speaks for SERIAL
            for message in (json.dumps(event_message(1))[:60], json.dumps(unknown_topic),
                            json.dumps(bad_metric), b"\x00\x01binary", json.dumps(event_message(2))):
                await ws.send(message)
            return [str(await ws.recv()) for _ in range(5)]

    replies = asyncio.run(scenario())
    assert [r.split(" ")[0] for r in replies] == ["ERROR:"] * 4 + ["OK"]
    for reply, words in zip(replies, ("neither JSON nor a literal", "unknown Topic", "MetricId", "binary"),
                            strict=False):
        assert words in reply and len(reply) < 250
    assert rows(engine, select(event.c.identity)) == [(identity(2),)]
    fault = eventually(lambda: rows(engine, select(channel_fault.c.serial, channel_fault.c.channel,
                                                   channel_fault.c.count).where(channel_fault.c.count >= 4)))
    assert fault == [(SERIAL, "ws", 4)]


def test_oversized_frame_is_refused_with_1009_and_the_hub_survives(hub: HubServer, engine: Engine) -> None:
    async def scenario() -> int | None:
        async with connect(hub.ws_url, compression=None) as ws:
            await ws.send(json.dumps(check_message()))
            assert await ws.recv() == "OK"
            try:
                await ws.send("x" * 10 * 1024 * 1024)
                await ws.recv()
            except ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None
        return None

    assert asyncio.run(scenario()) == 1009
    assert exchange_sync(hub.ws_url, [json.dumps(event_message(1))]) == ["OK"]
    fault = eventually(lambda: rows(engine, select(channel_fault.c.serial, channel_fault.c.last_error)))
    assert fault[0][0] == SERIAL and "1009" in fault[0][1]


def test_duplicates_and_resends_are_answered_ok_and_stored_once(hub: HubServer, engine: Engine) -> None:
    message = json.dumps(event_message(7))
    assert exchange_sync(hub.ws_url, [message, message, repr(event_message(7))]) == ["OK"] * 3
    assert exchange_sync(hub.ws_url, [message]) == ["OK"]  # a re-send on a new connection
    assert rows(engine, select(event.c.identity)) == [(identity(7),)]


def test_unknown_serial_becomes_an_unassigned_counter(hub: HubServer, engine: Engine) -> None:
    assert exchange_sync(hub.ws_url, [json.dumps(event_message(1, serial="00000000cafe0001"))]) == ["OK"]
    assert rows(engine, select(counter.c.site_id).where(counter.c.serial == "00000000cafe0001")) == [(None,)]


def test_an_open_session_is_recorded_as_coverage(hub: HubServer, engine: Engine) -> None:
    async def scenario() -> None:
        async with connect(hub.ws_url, compression=None) as ws:
            await ws.send(json.dumps(check_message()))
            assert await ws.recv() == "OK"
            await asyncio.sleep(1.1)  # spans are whole seconds: let one pass

    asyncio.run(scenario())
    spans = eventually(lambda: rows(engine, select(alive_span.c.source, alive_span.c.start_ts,
                                                   alive_span.c.end_ts)))
    assert [s[0] for s in spans] == ["live"] and spans[0][2] > spans[0][1]
