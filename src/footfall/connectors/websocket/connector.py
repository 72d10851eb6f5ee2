"""The WebSocket server's I/O: handshake and auth, the read loop, coverage ticks, start and stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from typing import Any

from sqlalchemy.engine import Engine
from starlette.types import Receive, Scope, Send

from footfall.connectors.websocket.auth import Authenticator, AuthRefused, credentials
from footfall.connectors.websocket.config import WebSocketConfig
from footfall.connectors.websocket.faults import FaultLog
from footfall.connectors.websocket.parse import binary_reason, too_big
from footfall.connectors.websocket.pipeline import Acknowledger, Sink
from footfall.connectors.websocket.protocol import LeanWebSocketProtocol
from footfall.connectors.websocket.session import Session

log = logging.getLogger(__name__)


class WebSocketServer:
    """Counters connect to `config.path`; each message is answered `OK` only after its commit."""

    def __init__(self, config: WebSocketConfig, engine: Engine) -> None:
        self.config = config
        self._auth = Authenticator(config, engine)
        self.faults = FaultLog(engine)
        self._acks: Acknowledger | None = None
        self._sessions: set[Session] = set()
        self._ticker: asyncio.Task[None] | None = None

    @property
    def connections(self) -> int:
        """Open counter connections."""
        return len(self._sessions)

    async def start(self, sink: Sink) -> None:
        """Accept connections from now on, storing through `sink` (the ingest core)."""
        self._acks = Acknowledger(sink, self.faults, self.config.max_message_bytes)
        self._acks.start(asyncio.get_running_loop())
        self._ticker = asyncio.create_task(self._tick_coverage())

    async def stop(self) -> None:
        """Record the open sessions' coverage, then finish every queued submission."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        if self._acks is not None:
            self._record_coverage(self._sessions)
            await self._acks.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI endpoint of one counter connection."""
        if (await receive())["type"] != "websocket.connect":
            return
        acks = self._acks
        if acks is None:
            await _deny(scope, send, 503, "the hub is starting or stopping; retry shortly")
            return
        try:
            presented = credentials(scope.get("headers", []), scope.get("query_string", b""))
            company_id = await asyncio.to_thread(self._auth.company_for, presented)
        except AuthRefused as refused:
            log.info("WebSocket connection from %s refused: %s", (scope.get("client") or ("?",))[0], refused)
            await _deny(scope, send, 401, str(refused))
            return
        scope["headers"] = []  # read once; the connection may live for months
        await send({"type": "websocket.accept"})
        protocol = getattr(send, "__self__", None)  # uvicorn passes its protocol's bound method
        writer = protocol if isinstance(protocol, LeanWebSocketProtocol) else None
        session = Session(company_id, send, int(time.time()), self.config.max_in_flight, writer)
        self._sessions.add(session)
        try:
            await self._read(session, receive, acks)
        finally:
            session.close()
            self._sessions.discard(session)
            self._record_coverage([session])

    async def _read(self, session: Session, receive: Receive, acks: Acknowledger) -> None:
        while True:
            message = await receive()
            text = message.get("text")
            if text is not None:
                acks.offer(session, text)
            elif message["type"] == "websocket.disconnect":
                fault = too_big(message.get("code", 1000), self.config.max_message_bytes)
                if fault is not None:
                    self.faults.note(session.company_id, session.serial, fault)
                    acks.write_faults()
                return
            else:
                acks.refuse(session, binary_reason(len(message.get("bytes") or b"")))
                await session.flush()
            if session.full:
                await session.wait_for_room()

    def _record_coverage(self, sessions: Any) -> None:
        if self._acks is None:
            return
        now = int(time.time())
        spans: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for session in sessions:
            spans[session.company_id].extend(session.coverage(now))
        self._acks.record_coverage(spans)

    async def _tick_coverage(self) -> None:
        while True:
            await asyncio.sleep(self.config.coverage_every_s)
            self._record_coverage(list(self._sessions))


async def _deny(scope: Scope, send: Send, status: int, reason: str) -> None:
    """Refuse the handshake with an HTTP answer the counter's log can show."""
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": 1008, "reason": reason[:120]})  # HTTP 403
        return
    body = reason.encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if status == 401:
        headers.append((b"www-authenticate", b'Basic realm="footfall", charset="UTF-8"'))
    await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": body})
