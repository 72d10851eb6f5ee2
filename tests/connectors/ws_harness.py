"""A real hub on loopback for the WebSocket and live tests: uvicorn in a thread, a real database."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from websockets.asyncio.client import connect

from footfall.api.app import create_app
from footfall.connectors.websocket import WebSocketConfig, uvicorn_options
from footfall.settings import Settings
from footfall.storage.engine import read_tx
from footfall.storage.tables import event

SERIAL = "000000006afce315"
T0 = 1_750_000_000


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class HubServer:
    """`create_app` over `engine` served by uvicorn on 127.0.0.1 in a thread; stop and start again."""

    def __init__(self, engine: Engine, tmp_path: Path, config: WebSocketConfig | None = None,
                 port: int | None = None) -> None:
        self.engine, self.tmp_path = engine, tmp_path
        self.config = config or WebSocketConfig()
        self.port = port or free_port()
        self.app: FastAPI | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def ws_url(self) -> str:
        """The counters' address."""
        return f"ws://127.0.0.1:{self.port}{self.config.path}"

    @property
    def http_url(self) -> str:
        """The API's base address."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HubServer:
        """Serve until `stop()`; returns once the port accepts connections."""
        self.app = create_app(Settings(data_dir=self.tmp_path), self.engine, self.config)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                timeout_graceful_shutdown=2, **uvicorn_options(self.config))
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="test-hub", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the hub did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Shut down gracefully (connections closed, queued records committed)."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=30)
        self._server = self._thread = None

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def event_message(n: int, *, serial: str = SERIAL, metric: int = 1, with_uuid: bool = True,
                  start: int = T0) -> dict[str, Any]:
    """The n-th distinct `ffc-eventrawdata` message of a counter."""
    data: dict[str, Any] = {
        "EventStartUTCTime": "2025-06-15 15:06:40", "EventStartTime": start + n, "EventEndTime": start + n,
        "MetricId": metric, "RoiId": 1, "CameraSerial": serial, "PeopleId": n % 9999 + 1, "PeopleTypeId": 1,
    }
    if with_uuid:
        data["UUID"] = f"00000000-0000-4000-8000-{n:012d}"
    return {"Topic": "ffc-eventrawdata", "Data": data}


def check_message(serial: str = SERIAL) -> dict[str, Any]:
    """A counter's `generic-test-topic` connection check."""
    return {"Topic": "generic-test-topic", "Data": {"CameraSerial": serial, "Message": "Test connection"}}


async def exchange(url: str, messages: Sequence[str | bytes], **options: Any) -> list[str]:
    """Send every message at once (pipelined), then read one reply per message."""
    async with connect(url, compression=None, **options) as ws:
        for message in messages:
            await ws.send(message)
        return [str(await ws.recv()) for _ in messages]


def exchange_sync(url: str, messages: Sequence[str | bytes], **options: Any) -> list[str]:
    """`exchange` from synchronous test code."""
    return asyncio.run(exchange(url, messages, **options))


def stored_events(engine: Engine) -> int:
    """Rows in the event table."""
    with read_tx(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(event)).scalar_one())
