"""The ingest core's entry point, shared by the REST API, the CLI and every channel."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any

from sqlalchemy.engine import Engine

from footfall.ingest.batch import IngestResult, read, receive
from footfall.ingest.committer import GroupCommitter, Listener


class IngestCore:
    """Parse, deduplicate and durably store records; acknowledge only after commit."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time,
                 max_group_records: int = 20_000) -> None:
        self.engine = engine
        self._clock = clock
        self._committer = GroupCommitter(engine, clock, max_group_records=max_group_records)
        # Where records are parsed. SQLite works inside this process: parsing in the callers'
        # threads would only fight the writer for the interpreter, so the writer parses each
        # group itself. PostgreSQL works in its own process: callers parse while it writes.
        self._read_by_caller = engine.dialect.name == "postgresql"

    def submit(self, company_id: int, *, channel: str = "api", events: Iterable[Any] = (),
               counts: Iterable[Any] = (), coverage: Iterable[Any] = (),
               messages: Iterable[str | bytes] = ()) -> Future[IngestResult]:
        """Parse and store with the next group commit; the future resolves after commit.

        `messages` are event messages as their wire texts, read without the json module.
        """
        submission = receive(company_id, int(self._clock()), channel=channel, events=events,
                             counts=counts, coverage=coverage, messages=messages)
        if self._read_by_caller:
            read(submission)
        return self._committer.submit(submission)

    def ingest(self, company_id: int, **records: Any) -> IngestResult:
        """Store records and wait until they are committed."""
        return self.submit(company_id, **records).result()

    async def ingest_async(self, company_id: int, **records: Any) -> IngestResult:
        """Store records from async code; returns after commit without blocking the loop."""
        loop = asyncio.get_running_loop()
        future = await loop.run_in_executor(None, lambda: self.submit(company_id, **records))
        return await asyncio.wrap_future(future)

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Be told, after each commit, which events were newly stored (live views)."""
        return self._committer.listen(listener)

    @property
    def groups_committed(self) -> int:
        """How many transactions the group committer has made (for tests and metrics)."""
        return self._committer.groups_committed

    def close(self) -> None:
        """Store what is queued, then stop."""
        self._committer.close()
