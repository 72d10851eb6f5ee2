"""Group commit: one writer thread folds every waiting submission into one transaction.

Callers get a future that resolves only after the transaction holding their records has
committed durably. While one commit is in flight the next group gathers, so many callers
share one fsync. The queue is bounded: when storage is slow, callers wait (backpressure)
instead of anything being dropped.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from footfall.ingest.batch import IngestResult, Submission, read
from footfall.ingest.writer import Stored, Writer
from footfall.storage.engine import write_tx

log = logging.getLogger(__name__)

Item = tuple[Submission, "Future[IngestResult]"]
Listener = Callable[[list[Stored]], None]
_STOP = object()


class StorageUnavailable(RuntimeError):
    """The database could not take the records; nothing was acknowledged."""


class GroupCommitter:
    """The single writer of ingest data for one engine."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time,
                 max_group_records: int = 20_000, max_waiting: int = 2_000,
                 retries: int = 3) -> None:
        self._engine = engine
        self._clock = clock
        self._max_group = max_group_records
        self._retries = retries
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max_waiting)
        self._writer = Writer()
        self._listeners: list[Listener] = []
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="footfall-group-commit", daemon=True)
        self._thread.start()
        self.groups_committed = 0

    def submit(self, submission: Submission) -> Future[IngestResult]:
        """Queue a submission; blocks while the queue is full (backpressure)."""
        future: Future[IngestResult] = Future()
        if self._closed:
            raise StorageUnavailable("the ingest core is shut down")
        if submission.size == 0:
            future.set_result(IngestResult(errors=list(submission.errors)))
            return future
        self._queue.put((submission, future))
        return future

    def close(self) -> None:
        """Finish every queued submission, then stop the writer thread."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                break
            group: list[Item] = [first]  # type: ignore[list-item]
            size = group[0][0].size
            while size < self._max_group:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                group.append(item)  # type: ignore[arg-type]
                size += group[-1][0].size
            group = self._read(group)
            if group:
                self._commit(group)

    def _read(self, group: list[Item]) -> list[Item]:
        """Parse the group's submissions; those without records to write are answered now."""
        kept = []
        for submission, future in group:
            try:
                read(submission)
            except Exception:  # a parser bug fails its submission, never the writer
                log.exception("ingest could not read a submission from %s", submission.channel)
                future.set_exception(StorageUnavailable("ingest failed: the records could not be read"))
                continue
            if submission.size:
                kept.append((submission, future))
            else:
                future.set_result(IngestResult(errors=list(submission.errors)))
        return kept

    def _commit(self, group: list[Item]) -> None:
        try:
            results = self._write_with_retry([s for s, _f in group])
        except Exception as error:  # the writer thread must outlive any failure
            if len(group) > 1:
                # One submission may be at fault: retry each alone so the others still land.
                for item in group:
                    self._commit([item])
                return
            if isinstance(error, DBAPIError):
                log.error("ingest could not be stored: %s", error.__class__.__name__)
                failure = StorageUnavailable(str(error.orig or error))
            else:
                log.exception("ingest failed on a submission from %s", group[0][0].channel)
                failure = StorageUnavailable(f"ingest failed: {error.__class__.__name__}")
            group[0][1].set_exception(failure)
            return
        self.groups_committed += 1
        for (_submission, future), result in zip(group, results, strict=True):
            future.set_result(result)
        if self._writer.stored:
            self._tell_listeners(self._writer.stored)

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` (in the writer thread) with what each commit stored; returns unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _tell_listeners(self, stored: list[Stored]) -> None:
        for listener in list(self._listeners):
            try:
                listener(stored)
            except Exception:  # a live view must never break ingest
                log.exception("a commit listener failed")

    def _write_with_retry(self, submissions: list[Submission]) -> list[IngestResult]:
        delay = 0.05
        for attempt in range(self._retries + 1):
            try:
                with write_tx(self._engine) as conn:
                    results = self._writer.write(conn, submissions, int(self._clock()))
            except OperationalError:
                self._writer.rolled_back()
                if attempt == self._retries:
                    raise
                time.sleep(delay)
                delay *= 4
                continue
            except BaseException:
                self._writer.rolled_back()
                raise
            self._writer.committed()
            return results
        raise AssertionError("unreachable")
