"""How uvicorn serves the counters' connections: frame limit, keepalive, a lean protocol object."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState

from footfall.connectors.websocket.config import WebSocketConfig


class _Inbox:
    """The receive queue uvicorn's protocol needs (one producer, one consumer), minus asyncio.Queue's
    four deques (~2.4 KiB per connection)."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        """Queue a message for the app; wake its `get`."""
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        """Whether nothing is queued."""
        return not self._items

    def qsize(self) -> int:
        """How many messages are queued."""
        return len(self._items)

    async def get(self) -> Any:
        """The oldest message, waiting for one."""
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol, trimmed for connections that stay open for months.

    The receive queue is a list with one waiter instead of an asyncio.Queue, and the
    handshake's request and response (two header maps, never read again after
    `websocket.accept`) are let go: memory only. `send_texts` adds one thing ASGI lacks:
    several replies in one socket write. Everything else is uvicorn's own code.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = _Inbox()  # type: ignore[assignment]

    def writable_now(self) -> bool:
        """Whether `write_texts` may be called: the socket's buffer is not full."""
        return self.writable.is_set()

    def write_texts(self, texts: list[str]) -> None:
        """Send text messages in order with one write, like as many `websocket.send` (no await)."""
        if self.disconnected or self.close_sent or not self.handshake_complete:
            raise ClientDisconnected()
        try:
            for text in texts:
                self.conn.send_text(text.encode())
        except InvalidState:
            raise ClientDisconnected() from None
        self.transport.write(b"".join(self.conn.data_to_send()))

    async def send_texts(self, texts: list[str]) -> None:
        """`write_texts` once the socket's buffer has room."""
        await self.writable.wait()
        self.write_texts(texts)

    async def send(self, message: Any) -> None:
        """Send as uvicorn does; after the handshake, let go of its request and response."""
        await super().send(message)
        if self.handshake_complete and getattr(self, "response", None) is not None:
            self.request = self.response = None  # type: ignore[assignment]


def uvicorn_options(config: WebSocketConfig) -> dict[str, Any]:
    """The uvicorn settings the counters' WebSocket needs (`uvicorn.run(app, **these)`)."""
    return {
        "ws": LeanWebSocketProtocol,
        # Larger frames are refused by the protocol itself (close 1009) before being buffered.
        "ws_max_size": config.max_message_bytes,
        # Compression would cost each connection two zlib contexts for ~300-byte messages.
        "ws_per_message_deflate": False,
        "ws_ping_interval": config.ping_interval_s,
        "ws_ping_timeout": config.ping_interval_s,
    }
