"""A simulated counter's WebSocket module: push each crossing to a server and hold it until `OK`.

One connection and one task per counter. On connect the counter sends a `generic-test-topic`
message and needs `OK`; then each event is its own text message, up to `window` of them on
the wire, and the server's replies (one per message, in order) settle them oldest first.
A reply other than `OK` keeps the event for a later re-send; a connection lost or silent for
`ack_timeout_s` re-sends everything unanswered on the next connection. Offline windows and
reboots of the fault plan drop the link abruptly; the buffer is the counter's storage, so it
survives them (the seeds size it to "not bloat the counter's storage").
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import ssl as ssl_module
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.uri import parse_uri

from footfall.simulator.clock import SimClock
from footfall.simulator.devices.link import Backoff, Downtime
from footfall.simulator.devices.outbox import CAPACITY, DUPLICATE, EVENT, MALFORMED, Outbox, PushStats
from footfall.simulator.devices.payloads import check_message, encode, event_message, malformed
from footfall.simulator.faults import FaultPlan
from footfall.simulator.fleet import CounterSpec, SiteSpec
from footfall.simulator.traffic import Crossing

log = logging.getLogger(__name__)
_LINK_ERRORS = (OSError, TimeoutError, WebSocketException)


class LinkRefused(WebSocketException):
    """The server answered the connection test with something other than `OK`."""


def basic_auth_header(user: str, password: str) -> str:
    """The `Authorization` header value for HTTP Basic auth."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


class WsPushDevice:
    """The device side of the WebSocket channel for one counter."""

    def __init__(self, counter: CounterSpec, site: SiteSpec, url: str, *, clock: SimClock,
                 auth: tuple[str, str] | None = None, python_literal: bool = False,
                 faults: FaultPlan | None = None, window: int = 16, ack_timeout_s: float = 10.0,
                 retry_s: tuple[float, float] = (0.5, 30.0), reboot_s: float = 60.0,
                 capacity: int = CAPACITY, ssl: ssl_module.SSLContext | None = None) -> None:
        parse_uri(url)  # a bad address is a config error: refuse now, naming it
        self.counter, self.url, self.outbox = counter, url, Outbox(capacity)
        self._tz, self._clock, self._faults = ZoneInfo(site.timezone), clock, faults or FaultPlan()
        self._headers = {"Authorization": basic_auth_header(*auth)} if auth else None
        self._literal, self._window, self._ack_timeout = python_literal, window, ack_timeout_s
        self._tls: dict[str, Any] = {"ssl": ssl} if ssl is not None else {}   # wss:// without: default
        self._retry, self._pause, self._pause_until = retry_s, retry_s[0], 0.0
        self._down = Downtime(self._faults, reboot_s)
        self._backoff = Backoff(retry_s, counter.serial)
        self._stats = PushStats()
        self._wakeup, self._stopping, self._finished = asyncio.Event(), asyncio.Event(), asyncio.Event()
        self._ws: ClientConnection | None = None

    @property
    def stats(self) -> PushStats:
        """Current figures: sent, acknowledged, buffered, dropped, state…"""
        return self.outbox.snapshot(self._stats)

    def offer(self, crossings: Iterable[Crossing]) -> None:
        """Hand the counter crossings it just counted (each once); it sends them when it can."""
        was_off = self.outbox.is_off
        self.outbox.add(crossings)
        self._wakeup.set()
        if self.outbox.is_off and not was_off:
            log.warning("counter %s: over %d events unacknowledged, WebSocket module off",
                        self.counter.serial, self.outbox.capacity)

    async def stop(self) -> None:
        """Close the connection cleanly and return once `run()` has ended (the buffer is kept)."""
        self._stopping.set()
        self._wakeup.set()
        if self._ws is not None:
            await self._ws.close()
        if self._stats.state != "idle":
            await self._finished.wait()

    async def run(self) -> None:
        """Connect, push, re-send and reconnect until `stop()`, obeying the fault plan."""
        self._finished.clear()
        try:
            while not self._stopping.is_set():
                now = self._clock.now()
                back_at = self._down.back_at(now)
                if self.outbox.is_off:
                    self._stats.state = "off"
                    await self._idle(None)
                elif back_at is not None:
                    self._stats.state = "offline"
                    await self._nap((back_at - now) / self._clock.speed)
                elif await self._connect_and_push():
                    self._backoff.reset()
                else:
                    await self._nap(self._backoff.next_wait())
        finally:
            self._stats.state = "stopped"
            self._finished.set()

    async def _connect_and_push(self) -> bool:
        """One session; True if it ended on purpose (down, off, stop), False on a link failure."""
        self._stats.state = "connecting"
        try:
            # No compression or keepalive task: a fleet of 1,000 counters must stay cheap.
            ws = await connect(self.url, additional_headers=self._headers, compression=None,
                               ping_interval=None, open_timeout=self._ack_timeout, close_timeout=2,
                               **self._tls)
        except _LINK_ERRORS as error:
            self._failed(error)
            return False
        self._ws, self._stats.connects, graceful = ws, self._stats.connects + 1, False
        try:
            graceful = await self._session(ws)
            return True
        except _LINK_ERRORS as error:
            if isinstance(error, ConnectionClosed):
                await self._drain(ws)
            if self._stopping.is_set():  # stop() closed the link under us
                return True
            self._failed(error)
            return False
        finally:
            self._ws = None
            self.outbox.connection_lost()
            if graceful:
                await ws.close()
            else:  # a counter that loses power or network sends no closing handshake
                ws.transport.abort()

    async def _session(self, ws: ClientConnection) -> bool:
        """Test the link, then push until the counter goes down (False) or stops or turns off (True)."""
        loop = asyncio.get_running_loop()
        checked = self._clock.now()
        hello = check_message(self.counter.serial, self._tz, int(checked), skew_s=self._faults.clock_skew_s)
        await self._send(ws, encode(hello, python_literal=self._literal))
        async with asyncio.timeout(self._ack_timeout):
            reply = await ws.recv()
        if reply != "OK":
            raise LinkRefused(f"connection test answered {reply!r}, not OK")
        self._stats.state, self._stats.last_error = "connected", None
        self._backoff.reset()
        heard = loop.time()
        while not self._stopping.is_set() and not self.outbox.is_off:
            now = self._clock.now()
            if self._down.began(checked, now):
                return False
            checked = now
            if loop.time() >= self._pause_until:
                if not self.outbox.on_wire:
                    heard = loop.time()
                await self._fill(ws, int(now))
            limit = self._until_down(now)
            if self.outbox.on_wire:
                silent_for = heard + self._ack_timeout - loop.time()
                if silent_for <= 0:
                    raise TimeoutError(f"no reply within {self._ack_timeout} s")
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(limit, silent_for)):
                        self._settle(await ws.recv(), loop.time())
                        heard = loop.time()
            else:
                if self.outbox.queued:  # paused after a refusal
                    limit = min(limit, self._pause_until - loop.time())
                await self._idle(limit)
        return True

    async def _fill(self, ws: ClientConnection, now: int) -> None:
        """Put queued events on the wire until the window is full (with the plan's copies and breakages)."""
        skew = self._faults.clock_skew_s
        while self.outbox.on_wire < self._window:
            taken = self.outbox.take()
            if taken is None:
                return
            crossing, attempt = taken
            text = encode(event_message(crossing, self._tz, now, skew_s=skew), python_literal=self._literal)
            first = attempt == 0
            broken = first and self._faults.roll("malformed", crossing.uuid)
            # Both go on the wire record before either is sent: if the link fails while the
            # broken copy goes out, the event is still known as unanswered and is re-sent.
            if broken:
                self.outbox.sent(MALFORMED, crossing.uuid)
            self.outbox.sent(EVENT, crossing.uuid, attempt)
            if broken:
                self._stats.malformed += 1
                await self._send(ws, malformed(text))
            await self._send(ws, text)
            if first and self._faults.roll("duplicate", crossing.uuid):
                self.outbox.sent(DUPLICATE, crossing.uuid, attempt)
                await self._send(ws, text)

    def _settle(self, reply: str | bytes, at: float) -> None:
        """Match a reply to the oldest message on the wire."""
        wire = self.outbox.awaiting()
        if wire is None:
            return  # a message nobody asked for: real counters ignore it too
        ok = reply == "OK"
        if wire.kind == MALFORMED:
            self._stats.malformed_ok += ok
        elif ok and self._faults.roll("drop_ok", f"{wire.uuid}:{wire.kind}:{wire.attempt}"):
            ok = False  # the acknowledgement was lost on the way: the counter will send the event again
        elif not ok:  # a real refusal: slow down rather than hammer a failing server
            self._pause_until, self._pause = at + self._pause, min(self._pause * 2, self._retry[1])
        elif wire.kind == EVENT:
            self._pause = self._retry[0]
        self.outbox.reply(ok)

    async def _drain(self, ws: ClientConnection) -> None:
        """Read the replies that arrived before the server closed: their events are settled."""
        with contextlib.suppress(*_LINK_ERRORS):
            async with asyncio.timeout(self._ack_timeout):
                while self.outbox.on_wire:
                    self._settle(await ws.recv(), asyncio.get_running_loop().time())

    async def _send(self, ws: ClientConnection, text: str) -> None:
        await ws.send(text)
        self._stats.sent += 1

    def _until_down(self, now: float) -> float:
        """Wall seconds until the next offline window or reboot starts (a day if none is coming)."""
        return self._down.wall_s_until_next(now, self._clock.speed)

    def _failed(self, error: BaseException) -> None:
        text = f"{type(error).__name__}: {error}"
        if self._stats.last_error is None:
            log.info("counter %s: WebSocket link to %s failing: %s", self.counter.serial, self.url, text)
        self._stats.last_error = text

    async def _idle(self, seconds: float | None) -> None:
        """Wait for new crossings, `stop()` or `seconds`."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wakeup.wait()
        self._wakeup.clear()

    async def _nap(self, seconds: float) -> None:
        """Wait `seconds` (backoff, offline) unless `stop()` comes first; new crossings don't wake it."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
