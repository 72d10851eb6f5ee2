"""One counter connection: its replies, sent strictly in message order, and the coverage it proves."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from footfall.domain.sources import LIVE

Send = Callable[[dict[str, Any]], Awaitable[None]]
MAX_SERIALS = 64  # a gateway may speak for several counters; a bad client cannot grow this


class TextWriter(Protocol):
    """A server connection that can send several text messages at once (LeanWebSocketProtocol)."""

    def writable_now(self) -> bool: ...

    def write_texts(self, texts: list[str]) -> None: ...

    async def send_texts(self, texts: list[str]) -> None: ...


class Pending:
    """One received message: its text until parsed, then its reply once known."""

    __slots__ = ("reply", "serial", "session", "text")

    def __init__(self, session: Session, text: str | None, reply: str | None = None) -> None:
        self.session, self.text, self.reply = session, text, reply
        self.serial: str | None = None


class Session:
    """Replies wait here in arrival order; each goes out once it and every earlier one is known."""

    __slots__ = ("_flushing", "_room", "_send", "_task", "_writer", "closed", "company_id",
                 "covered_until", "max_in_flight", "replies", "serials")

    def __init__(self, company_id: int, send: Send, opened_ts: int, max_in_flight: int,
                 writer: TextWriter | None = None) -> None:
        self.company_id, self._send, self.max_in_flight = company_id, send, max_in_flight
        self._writer = writer  # several replies per socket write, without a task, when possible
        # A short list, not a deque: an idle connection's empty deque would cost 600 bytes.
        self.replies: list[Pending] = []
        self.serials: tuple[str, ...] = ()
        self.covered_until = opened_ts
        self.closed = False
        self._flushing = False
        self._room: asyncio.Event | None = None  # made only when a connection fills its window
        self._task: asyncio.Task[None] | None = None

    @property
    def serial(self) -> str | None:
        """A counter this connection has spoken for (to attribute faults of unreadable messages)."""
        return self.serials[0] if self.serials else None

    @property
    def full(self) -> bool:
        """Whether the connection has as many unanswered messages as it may."""
        return len(self.replies) >= self.max_in_flight

    def hold(self, pending: Pending) -> None:
        """Queue a message's reply slot behind the earlier ones."""
        self.replies.append(pending)

    def saw(self, serial: str) -> None:
        """A message of this counter was stored: the open session covers it from now on."""
        if serial not in self.serials and len(self.serials) < MAX_SERIALS:
            self.serials += (serial,)

    def _ready(self) -> list[str]:
        """Take the replies at the head of the queue that are known."""
        replies = self.replies
        count = 0
        while count < len(replies) and replies[count].reply is not None:
            count += 1
        texts = [p.reply or "" for p in replies[:count]]
        del replies[:count]
        return texts

    def settled(self) -> None:
        """Some replies became known: send the ready head of the queue (from a plain callback)."""
        if self._flushing or not self.replies or self.replies[0].reply is None:
            return
        writer = self._writer
        if writer is not None and writer.writable_now() and not self.closed:
            try:
                writer.write_texts(self._ready())
            except OSError:  # uvicorn's ClientDisconnected: the counter re-sends what it missed
                self.closed = True
            self._made_room()
            return
        self._flushing = True
        self._task = asyncio.get_running_loop().create_task(self._flush())

    async def flush(self) -> None:
        """Send the ready head of the queue now (from the connection's own coroutine)."""
        if not self._flushing and self.replies and self.replies[0].reply is not None:
            self._flushing = True
            await self._flush()

    async def _flush(self) -> None:
        try:
            while self.replies and self.replies[0].reply is not None and not self.closed:
                texts = self._ready()
                if self._writer is not None:
                    await self._writer.send_texts(texts)
                else:
                    for text in texts:
                        await self._send({"type": "websocket.send", "text": text})
        except OSError:
            self.closed = True
        finally:
            self._flushing = False
            self._task = None
            self._made_room()

    def _made_room(self) -> None:
        if self._room is not None and (self.closed or len(self.replies) < self.max_in_flight):
            self._room.set()

    async def wait_for_room(self) -> None:
        """Stop reading until replies drain below the window (backpressure to the counter)."""
        while self.full and not self.closed:
            if self._room is None:
                self._room = asyncio.Event()
            self._room.clear()
            await self._room.wait()

    def close(self) -> None:
        """The connection ended: nothing more is sent; a waiting reader is released."""
        self.closed = True
        if self._room is not None:
            self._room.set()

    def coverage(self, now_ts: int) -> list[dict[str, Any]]:
        """Alive spans since the last call, one per counter seen (for the ingest core)."""
        if not self.serials or now_ts <= self.covered_until:
            return []
        start, self.covered_until = self.covered_until, now_ts
        return [{"serial": s, "start": start, "end": now_ts, "source": LIVE} for s in sorted(self.serials)]
