"""Acknowledge after commit: every connection's messages of one loop turn become one submission.

The event loop only queues texts. One thread decodes a turn's batch and hands it to the ingest
core (whose bounded queue may block it: backpressure, never a stalled loop); the core's group
commit folds many batches into one transaction. When the commit lands, each message's reply
(`OK` or `ERROR: …`) is set and its connection sends what is ready, in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict, deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any, Protocol

from footfall.connectors.websocket.faults import CHANNEL, FaultLog
from footfall.connectors.websocket.parse import OK, message_serial, oversized, refusal, serial_in_text
from footfall.connectors.websocket.session import Pending, Session
from footfall.estate.common import utcnow
from footfall.ingest.batch import IngestResult
from footfall.live.tap import TAP

log = logging.getLogger(__name__)
Item = tuple[Pending, str]  # a message and its text


class Sink(Protocol):
    """Where records go: the ingest core (or the benchmark's parse-only stand-in)."""

    def submit(self, company_id: int, *, channel: str = ..., coverage: Iterable[Any] = ...,
               messages: Iterable[str] = ...) -> Future[IngestResult]: ...


class Acknowledger:
    """Batches, decodes and submits messages; sets replies when their commit has landed."""

    def __init__(self, sink: Sink, faults: FaultLog, max_bytes: int) -> None:
        self._sink, self._faults, self._max_bytes = sink, faults, max_bytes
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="footfall-ws")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._batch: list[Pending] = []
        self._scheduled = self._busy = self._writing_faults = self._draining = False
        self._finished: deque[tuple[list[Any], Future[IngestResult] | None]] = deque()
        self.storage_failing = False

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Bind to the server's event loop."""
        self._loop = loop

    def offer(self, session: Session, text: str) -> None:
        """Take one text message; its reply slot joins the connection's queue."""
        if TAP.watched:  # the integration tool shows counters' raw messages live
            TAP.publish(session.company_id, serial_in_text(text) or session.serial, text, CHANNEL)
        pending = Pending(session, text)
        session.hold(pending)
        self._batch.append(pending)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def refuse(self, session: Session, reason: str) -> None:
        """Answer a message that never reaches the ingest core (a binary frame) and count it."""
        session.hold(Pending(session, None, refusal(reason)))
        self._faults.note(session.company_id, session.serial, reason)
        self.write_faults()

    def _flush(self) -> None:
        self._scheduled = False
        if self._busy or not self._batch:
            return  # the running job calls back when done and takes what gathered meanwhile
        batch, self._batch = self._batch, []
        self._busy = True
        self._executor.submit(self._run, batch)

    def _done(self) -> None:
        self._busy = False
        self._flush()

    def _run(self, batch: list[Pending]) -> None:
        """Group and submit (worker thread); replies are set back on the loop.

        Messages go to the ingest core as their texts, which it reads in C; only the serial is
        taken here, to make one submission per counter (the ingest writer is built for that shape).
        """
        loop = self._loop
        assert loop is not None
        try:
            refused: list[tuple[Pending, str]] = []
            by_counter: dict[tuple[int, str | None], list[Item]] = defaultdict(list)
            for pending in batch:
                text, pending.text = pending.text or "", None
                pending.serial = message_serial(text)
                reason = oversized(text, self._max_bytes)
                if reason is not None:
                    refused.append((pending, reason))
                    continue
                by_counter[(pending.session.company_id, pending.serial)].append((pending, text))
            if refused:
                self._finish(refused, None)
            for (company_id, _serial), items in by_counter.items():
                try:
                    future = self._sink.submit(company_id, channel=CHANNEL, messages=[t for _, t in items])
                except Exception as error:  # the core is shutting down: nothing stored, say so
                    future = Future()
                    future.set_exception(error)
                future.add_done_callback(partial(self._finish, items))
        finally:
            loop.call_soon_threadsafe(self._done)

    def _finish(self, items: list[Any], done: Future[IngestResult] | None) -> None:
        """Any thread: queue a settled batch; one loop wake-up serves a whole commit's batches."""
        self._finished.append((items, done))
        if not self._draining:
            self._draining = True
            assert self._loop is not None
            self._loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        self._draining = False
        finished, touched = self._finished, dict[Session, None]()
        while finished:
            items, done = finished.popleft()
            if done is None:
                self._settle_refused(items, touched)
            else:
                self._settle(items, done, touched)
        # Replies are all set first, so each connection writes everything ready at once.
        for session in touched:
            session.settled()

    def _settle_refused(self, refused: list[tuple[Pending, str]], touched: dict[Session, None]) -> None:
        for pending, reason in refused:
            pending.reply = refusal(reason)
            session = pending.session
            self._faults.note(session.company_id, pending.serial or session.serial, reason)
            touched[session] = None
        self.write_faults()

    def _settle(self, items: list[Item], done: Future[IngestResult], touched: dict[Session, None]) -> None:
        try:
            result = done.result()
        except Exception as error:
            if not self.storage_failing:
                log.error("WebSocket messages not stored (counters will re-send): %s", error)
            self.storage_failing = True
            reply = refusal(f"not stored, send again: {error}")
            for pending, _payload in items:
                pending.reply = reply
                touched[pending.session] = None
            return
        if self.storage_failing:
            log.warning("WebSocket messages are being stored again")
        self.storage_failing = False
        errors = {e.index: e.error for e in result.errors}
        for index, (pending, _payload) in enumerate(items):
            session = pending.session
            touched[session] = None
            reason = errors.get(index) if errors else None
            if reason is None:
                pending.reply = OK
                if pending.serial is not None:
                    session.saw(pending.serial)
            else:
                pending.reply = refusal(reason)
                self._faults.note(session.company_id, pending.serial or session.serial, reason)
        if errors:
            self.write_faults()

    def write_faults(self) -> None:
        """Store the refusals counted so far (worker thread); one write at a time, so a flood coalesces."""
        if self._writing_faults:
            return  # the write under way calls back and takes what was noted meanwhile
        taken = self._faults.take()
        if not taken:
            return
        self._writing_faults = True
        loop = self._loop
        assert loop is not None
        job = self._executor.submit(self._faults.write, taken, utcnow())
        job.add_done_callback(lambda _job: loop.call_soon_threadsafe(self._faults_written))

    def _faults_written(self) -> None:
        self._writing_faults = False
        self.write_faults()

    def record_coverage(self, spans: dict[int, list[dict[str, Any]]]) -> None:
        """Submit alive spans of open sessions per company (fire and forget; losing one is harmless)."""
        for company_id, records in spans.items():
            if records:
                self._executor.submit(self._sink.submit, company_id, channel=CHANNEL, coverage=records)

    async def close(self) -> None:
        """Submit what is left and wait for the worker thread to finish its jobs."""
        while self._busy or self._batch:
            self._flush()
            await asyncio.sleep(0.01)
        while self._writing_faults or self._faults.pending:
            self.write_faults()
            await asyncio.sleep(0.01)
        await asyncio.to_thread(self._executor.shutdown, True)
