"""A lean fleet of WebSocket counters for the benchmarks: raw frames, a window of messages each.

Each link does what a counter's WebSocket module does (one text frame per event, up to
`window` unanswered, one reply per message in order) with as little client CPU as possible,
so the figures measure the hub: frames are built once, unmasked bytes are sent with an
all-zero mask key (valid framing; servers cannot tell), replies are counted, not decoded.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Callable

Make = Callable[[int], bytes]  # message number → its frame


def frame(text: str) -> bytes:
    """A client text frame (FIN, masked with a zero key)."""
    payload = text.encode()
    n = len(payload)
    if n < 126:
        head = bytes((0x81, 0x80 | n))
    elif n < 65536:
        head = bytes((0x81, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x81, 0x80 | 127)) + n.to_bytes(8, "big")
    return head + b"\0\0\0\0" + payload


class Link(asyncio.Protocol):
    """One counter connection: `push` frames with a window, count `OK`s and refusals."""

    def __init__(self, host: str, port: int, path: str, window: int) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        self.request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n").encode()
        self.window = window
        self.ok = self.refused = 0
        self.closed = False
        self._transport: asyncio.Transport | None = None
        self._buffer = b""
        self._upgraded: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._make: Make = lambda _i: b""
        self._count = self._sent = self._answered = 0
        self._done: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        self._transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        for waiter in (self._upgraded, self._done):
            if waiter is not None and not waiter.done():
                waiter.set_exception(ConnectionError("the hub closed the connection"))

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data
        if not self._upgraded.done():
            head, sep, buffer = buffer.partition(b"\r\n\r\n")
            if not sep:
                self._buffer = head
                return
            if not head.startswith(b"HTTP/1.1 101"):
                self._upgraded.set_exception(ConnectionError(head.split(b"\r\n")[0].decode()))
                return
            self._upgraded.set_result(None)
        answered = 0
        while len(buffer) >= 2:
            n, at = buffer[1] & 0x7F, 2
            if n == 126:
                if len(buffer) < 4:
                    break
                n, at = int.from_bytes(buffer[2:4], "big"), 4
            if len(buffer) < at + n:
                break
            opcode = buffer[0] & 0x0F
            if opcode == 1:
                answered += 1
                if buffer[at : at + n] == b"OK":
                    self.ok += 1
                else:
                    self.refused += 1
            elif opcode == 9 and self._transport is not None:  # keepalive ping: answer it, as devices do
                self._transport.write(bytes((0x8A, 0x80 | n)) + b"\0\0\0\0" + buffer[at : at + n])
            buffer = buffer[at + n :]
        self._buffer = buffer
        if answered:
            self._answered += answered
            self._fill()

    def _fill(self) -> None:
        room = min(self.window - (self._sent - self._answered), self._count - self._sent)
        if room > 0:
            make, first = self._make, self._sent
            self._sent += room
            assert self._transport is not None
            self._transport.write(b"".join([make(i) for i in range(first, first + room)]))
        if self._answered >= self._count and self._done is not None and not self._done.done():
            self._done.set_result(None)

    async def upgraded(self) -> None:
        """Wait for the handshake's 101."""
        await self._upgraded

    async def push(self, count: int, make: Make) -> None:
        """Send `count` frames made by `make`, `window` unanswered at most; return when all are answered."""
        self._make, self._count, self._sent, self._answered = make, count, 0, 0
        self._done = asyncio.get_running_loop().create_future()
        self._fill()
        await self._done

    def close(self) -> None:
        """Drop the connection."""
        if self._transport is not None:
            self._transport.close()


async def open_links(host: str, port: int, path: str, count: int, window: int = 16,
                     parallel: int = 100) -> list[Link]:
    """Open `count` upgraded connections, `parallel` handshakes at a time."""
    loop = asyncio.get_running_loop()
    links: list[Link] = []
    for start in range(0, count, parallel):
        batch = []
        for _ in range(min(parallel, count - start)):
            _transport, link = await loop.create_connection(
                lambda: Link(host, port, path, window), host, port)
            batch.append(link)
        await asyncio.gather(*(link.upgraded() for link in batch))
        links.extend(batch)
    return links
