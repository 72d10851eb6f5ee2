"""The device API poller's I/O: pull each counter from its watermark, commit, then advance it.

One counter's failure is recorded in its `pull_state` row (last error, failures in a row) and
backs it off; the others go on. At most `limits.concurrency` counters are pulled at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Engine

from footfall.connectors.device_api import store
from footfall.connectors.device_api.client import (
    BadReply,
    DeviceClient,
    PullError,
    TransportFactory,
    default_transport,
)
from footfall.connectors.device_api.config import PollerLimits
from footfall.connectors.device_api.parse import CountReply, ReplyError, parse_reply, reported_counts
from footfall.connectors.device_api.store import PullTarget
from footfall.connectors.device_api.windows import Window, align_down, first_start, plan, query
from footfall.ingest.core import IngestCore
from footfall.security.secrets import SecretBox
from footfall.storage.engine import read_tx, write_tx

log = logging.getLogger(__name__)
CHECKPOINT_WINDOWS = 8   # a long catch-up writes its watermark every so many windows, not only at the end


@dataclass(slots=True)
class PullOutcome:
    """What one pull of one counter did."""

    counter_id: int
    serial: str
    windows: int = 0
    records: int = 0
    reached: int | None = None        # epoch seconds covered and committed
    behind: bool = False              # stopped at windows_per_pull with more to fetch
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the pull succeeded."""
        return self.error is None


class Turn:
    """A pull's turn: a device slot for its requests, then a settling slot until it is recorded.

    Handing the device slot back after the last request lets the next counter's requests run
    while this one's last commit lands; the settling slots bound how many wait for commits.
    """

    def __init__(self, device: asyncio.Semaphore, settling: asyncio.Semaphore) -> None:
        self._device, self._settling = device, settling
        self._held: asyncio.Semaphore | None = None

    async def __aenter__(self) -> Turn:
        await self._device.acquire()
        self._held = self._device
        return self

    async def hand_back(self) -> None:
        """The device is done with: take a settling slot, then free the device slot."""
        if self._held is self._device:
            await self._settling.acquire()
            self._held = self._settling
            self._device.release()

    async def __aexit__(self, *exc: object) -> None:
        if self._held is not None:
            self._held.release()
            self._held = None


def due_at(state: Mapping[str, Any], interval_s: float, limits: PollerLimits) -> float:
    """When a counter should be pulled next (epoch s): its interval after the last try, or its backoff."""
    if state.get("failures") and state.get("last_error_at") is not None:
        return state["last_error_at"].timestamp() + limits.backoff(state["failures"])
    if state.get("last_attempt_at") is not None:
        return state["last_attempt_at"].timestamp() + interval_s
    return 0.0


class DeviceApiPoller:
    """Pulls device_api counters: on schedule (`poll_due`), one (`pull`) or a past range (`fetch`)."""

    def __init__(self, engine: Engine, ingest: IngestCore, box: SecretBox, limits: PollerLimits | None = None,
                 clock: Callable[[], float] = time.time,
                 transport_factory: TransportFactory = default_transport) -> None:
        self.engine, self.ingest, self.box = engine, ingest, box
        self.limits = limits or PollerLimits()
        self._clock, self._transport_factory = clock, transport_factory
        self._slots = asyncio.Semaphore(self.limits.concurrency)      # pulls talking to their device
        self._settling = asyncio.Semaphore(self.limits.concurrency)   # pulls done with it, still committing
        self._running: set[int] = set()
        self._behind: set[int] = set()

    async def poll_due(self) -> list[PullOutcome]:
        """Pull every active device_api counter that is due; misconfigured ones get their error recorded."""
        now = self._clock()
        targets, broken = await asyncio.to_thread(self._load)
        for bad in broken:
            if due_at(bad.state, self.limits.backoff_max_s, self.limits) <= now:
                await asyncio.to_thread(self._failed, bad.counter_id, bad.serial, bad.error, bad.state)
        due = [t for t in targets if t.counter_id not in self._running and (
            t.counter_id in self._behind or due_at(t.state, t.config.poll_interval_s, self.limits) <= now)]
        if due:  # one transaction marks the round's attempts, not one per counter
            await asyncio.to_thread(self._write, store.record_attempts, [t.counter_id for t in due], _at(now))
        return list(await asyncio.gather(*(self.pull(t, attempted=True) for t in due)))

    async def pull(self, target: PullTarget, *, attempted: bool = False) -> PullOutcome:
        """Pull one counter from its watermark up to the start of this pull; the outcome is recorded.

        The watermark, a renewed token and the counter's health are written in one transaction
        at the end (and the watermark every `CHECKPOINT_WINDOWS` windows of a long catch-up).
        """
        outcome = PullOutcome(target.counter_id, target.serial)
        self._running.add(target.counter_id)
        try:
            async with Turn(self._slots, self._settling) as turn:
                started = self._clock()
                if not attempted:
                    await asyncio.to_thread(self._write, store.record_attempts, [target.counter_id],
                                            _at(started))
                zone = ZoneInfo(target.zone)
                until = align_down(int(started), target.config.interval_s, zone)
                since = target.watermark if target.watermark is not None else first_start(
                    until, self.limits.first_pull_days, target.config.interval_s, zone)
                token = None
                try:
                    async with self._client(target) as client:
                        try:
                            await self._windows(client, target, since, until, outcome, True, None,
                                                fetched=turn.hand_back)
                        finally:
                            token = client.token if client.token != target.token else None
                except PullError as error:
                    outcome.error = str(error)
                await asyncio.to_thread(self._finish, target, outcome, since, token, started)
        finally:
            self._running.discard(target.counter_id)
        (self._behind.add if outcome.behind else self._behind.discard)(target.counter_id)
        return outcome

    async def fetch(self, target: PullTarget, since: int, until: int, outcome: PullOutcome, *,
                    advance: bool, progress: Callable[[Window], None] | None = None) -> None:
        """Fetch and ingest [since, until) by window; `advance` moves the watermark after the commits."""
        async with self._client(target) as client:
            try:
                await self._windows(client, target, since, until, outcome, advance, progress)
            finally:
                token = client.token if client.token != target.token else None
                if token is not None or advance:
                    await asyncio.to_thread(self._finish, target, outcome, since if advance else None, token)

    def _client(self, target: PullTarget) -> DeviceClient:
        return DeviceClient(target.config, self.limits, self._transport_factory, target.token)

    async def _windows(self, client: DeviceClient, target: PullTarget, since: int, until: int,
                       outcome: PullOutcome, advance: bool, progress: Callable[[Window], None] | None,
                       fetched: Callable[[], Awaitable[None]] | None = None) -> None:
        """Fetch window by window; each window's ingest commits while the next one is fetched.

        `fetched` is awaited after the last request, before waiting for the last commit.
        """
        config, zone = target.config, target.zone
        # On the device's grid, so that every interval comes back whole (never cut at an end).
        since = align_down(since, config.interval_s, ZoneInfo(zone))
        until = align_down(until, config.interval_s, ZoneInfo(zone))
        committing: asyncio.Task[None] | None = None
        taken = 0
        try:
            for second_pass in (False, True):
                for window in plan(since, until, ZoneInfo(zone), config.window_s):
                    if advance and taken >= self.limits.windows_per_pull:
                        outcome.behind = True
                        return
                    reply = await self._reply(client, target, window, zone)
                    if reply.timezone != zone:
                        if second_pass:
                            raise BadReply(f"{client.where} answers in zone {reply.timezone}, "
                                           f"asked in {zone}")
                        # The device's clock runs in another zone: ask again on its own grid.
                        zone = _zone(reply.timezone, client.where)
                        await asyncio.to_thread(self._write, store.remember, target.counter_id,
                                                device_timezone=zone)
                        since = align_down(window.start_ts, config.interval_s, ZoneInfo(zone))
                        until = align_down(until, config.interval_s, ZoneInfo(zone))
                        break
                    counts = reported_counts(target.serial, reply, window.start_ts, until)
                    reached = min(reply.reached(window.start_ts), until)
                    previous, committing = committing, None
                    if previous is not None:  # commits stay in window order
                        await previous
                    committing = asyncio.create_task(
                        self._take(target, counts, window, reached, client.where, outcome, advance, progress))
                    taken += 1
                    if reached < window.end_ts:
                        return  # the device has nothing later yet (its clock is behind ours)
                else:
                    return
        finally:
            if fetched is not None:
                await fetched()
            if committing is not None:
                await committing

    async def _reply(self, client: DeviceClient, target: PullTarget, window: Window, zone: str) -> CountReply:
        """One window's reply, parsed and checked to be this counter's."""
        body = await client.count(query(window, ZoneInfo(zone), target.config))
        try:  # a day of minutes is a few MB: parsed off the event loop the other pulls share
            reply = await asyncio.to_thread(parse_reply, body, target.config.data_type)
        except ReplyError as error:
            raise BadReply(f"{client.where}: the reply for {_span(window, zone)} is refused: "
                           f"{error}") from None
        if reply.serial != target.serial:
            raise BadReply(f"{client.where} is counter {reply.serial}, not {target.serial}: "
                           "check the counter's host and port")
        if reply.timezone == zone and reply.intervals and reply.intervals[0].start_ts > window.start_ts:
            raise BadReply(f"{client.where}: the reply for {_span(window, zone)} starts late; nothing taken")
        return reply

    async def _take(self, target: PullTarget, counts: list[dict[str, Any]], window: Window, reached: int,
                    where: str, outcome: PullOutcome, advance: bool,
                    progress: Callable[[Window], None] | None) -> None:
        """Ingest a window's counts, and only after the commit count them as reached."""
        await self._store(target, counts, where)
        outcome.windows += 1
        outcome.records += len(counts)
        outcome.reached = reached
        if advance and outcome.windows % CHECKPOINT_WINDOWS == 0 and reached > window.start_ts:
            await asyncio.to_thread(self._write, store.advance, target.counter_id, reached)
        if progress is not None:
            progress(window)

    async def _store(self, target: PullTarget, counts: list[dict[str, Any]], where: str) -> None:
        """Ingest one window's counts and wait for the commit; refused intervals fail the pull."""
        if not counts:
            return
        result = await self.ingest.ingest_async(target.company_id, channel="device_api", counts=counts)
        if result.errors:
            first = result.errors[0]
            raise BadReply(f"{where}: the hub refused {len(result.errors)} of {len(counts)} counts, "
                           f"first: {first.error}")

    def _load(self) -> tuple[list[PullTarget], list[store.Misconfigured]]:
        with read_tx(self.engine) as conn:
            return store.load_targets(conn, self.box)

    def _write(self, action: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        with write_tx(self.engine) as conn:
            action(conn, *args, **kwargs)

    def _failed(self, counter_id: int, serial: str, error: str, state: Mapping[str, Any]) -> None:
        with write_tx(self.engine) as conn:
            store.record_failure(conn, counter_id, _at(self._clock()), error)
        if not state.get("failures"):
            log.warning("device API: counter %s failing: %s", serial, error)

    def _finish(self, target: PullTarget, outcome: PullOutcome, since: int | None, token: str | None,
                started: float | None = None) -> None:
        """In one transaction: a renewed token, the watermark (if past `since`), the health (if `started`)."""
        with write_tx(self.engine) as conn:
            if token is not None:
                store.remember(conn, target.counter_id, token_sealed=self.box.seal(token))
            if since is not None and outcome.reached is not None and outcome.reached > since:
                store.advance(conn, target.counter_id, outcome.reached)
            if started is None:
                return
            if outcome.error is None:
                store.record_success(conn, target.counter_id, _at(started))
            else:
                store.record_failure(conn, target.counter_id, _at(self._clock()), outcome.error)
        if outcome.error is not None and not target.state.get("failures"):
            log.warning("device API: counter %s failing: %s", target.serial, outcome.error)
        elif outcome.error is None and target.state.get("failures"):
            log.info("device API: counter %s recovered", target.serial)


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _zone(name: str, where: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadReply(f"{where} reports an unknown time zone {name!r}") from None
    return name


def _span(window: Window, zone: str) -> str:
    tz = ZoneInfo(zone)
    start, end = datetime.fromtimestamp(window.start_ts, tz), datetime.fromtimestamp(window.end_ts, tz)
    return f"{start.isoformat()} .. {end.isoformat()}"
