"""The drop's lifecycle: the hosted FTP server, watched and remote folders, one file taker.

Every file goes through one queue and one worker, so a file is never taken twice at once;
the looks (startup, then every `look_every_s`) only find files and fetch remote ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from footfall.connectors.ftp_drop.config import FileFormat, RemoteSource, WatchedFolder
from footfall.connectors.ftp_drop.inbox import FileTaker, Inbox, Outcome, digest_file
from footfall.connectors.ftp_drop.parse import Stat, settled, wanted
from footfall.connectors.ftp_drop.server import DropServer
from footfall.connectors.ftp_drop.store import (
    account_home,
    already_done,
    list_accounts,
    list_sources,
    record_attempt,
    source_folder,
)
from footfall.ingest.core import IngestCore
from footfall.security.secrets import SecretBox
from footfall.storage.engine import read_tx, write_tx
from footfall.transfer.remote import RemoteFolder, TransferError, fetch, list_names, remove

log = logging.getLogger(__name__)
Item = tuple[Inbox, Path, bool]  # inbox, file, already in processing/


def remote_folder(source: RemoteSource, password: str | None) -> RemoteFolder:
    """The transfer layer's view of a remote source."""
    return RemoteFolder(protocol=source.protocol, host=source.host, port=source.port,
                        username=source.username, password=password or "", directory=source.directory,
                        passive=source.passive, known_hosts=source.known_hosts, verify_tls=source.verify_tls)


class FileDrop:
    """Receives counters' daily files and hands each, whole, to the ingest core."""

    def __init__(self, engine: Engine, ingest: IngestCore, data_dir: Path, box: SecretBox, *,
                 ftp_port: int | None = None, ftp_host: str = "127.0.0.1", certfile: Path | None = None,
                 look_every_s: float | None = 30.0, batch_rows: int = 5_000) -> None:
        self.engine, self.data_dir, self.box = engine, data_dir, box
        self.taker = FileTaker(engine, ingest, batch_rows=batch_rows)
        self.server: DropServer | None = None
        self._ftp = (ftp_host, ftp_port, certfile)
        self._every = look_every_s
        self._queue: asyncio.Queue[Item] = asyncio.Queue()
        self._queued: set[Path] = set()
        self._seen: dict[int, dict[str, tuple[Stat, float]]] = {}
        self._due: dict[int, float] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self.outcomes: list[Outcome] = []

    async def start(self) -> None:
        """Start the hosted server (if a port is set), the worker and the periodic look."""
        self._loop = asyncio.get_running_loop()
        host, port, certfile = self._ftp
        if port is not None:
            self.server = DropServer(self.engine, self.data_dir, self._received, host, port, certfile)
            self.server.start()
        await self._leftovers()
        self._tasks = [asyncio.create_task(self._work(), name="ftp-drop-worker")]
        if self._every is not None:  # None: the caller drives `look()` (tests, the CLI)
            self._tasks.append(asyncio.create_task(self._looking(self._every), name="ftp-drop-look"))

    async def stop(self) -> None:
        """Stop serving and looking; a file half-way stays in processing/ for the next start."""
        if self.server is not None:
            await asyncio.to_thread(self.server.close)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def settle(self, timeout: float = 60.0) -> None:
        """Wait until every queued file has been taken (tests, the CLI)."""
        async with asyncio.timeout(timeout):
            await self._queue.join()

    def _received(self, inbox: Inbox, path: Path) -> None:
        """Called from the FTP server's threads when an upload finished."""
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._enqueue, inbox, path, False)

    def _enqueue(self, inbox: Inbox, path: Path, resume: bool) -> None:
        if path not in self._queued:
            self._queued.add(path)
            self._queue.put_nowait((inbox, path, resume))

    async def _work(self) -> None:
        while True:
            inbox, path, resume = await self._queue.get()
            try:
                if path.exists():
                    taken = self.taker.resume if resume else self.taker.take
                    self.outcomes.append(await taken(inbox, path))
            except Exception:  # one broken file or folder must not stop the drop
                log.exception("FTP drop: %s from %s could not be processed", path.name, inbox.origin)
            finally:
                self._queued.discard(path)
                self._queue.task_done()

    async def _looking(self, every: float) -> None:
        while True:
            await self.look()
            await asyncio.sleep(every)

    async def _leftovers(self) -> None:
        """At start: uploads that landed while no one was processing, and unfinished files."""
        with read_tx(self.engine) as conn:
            accounts = list_accounts(conn)
        for account in accounts:
            home = account_home(self.data_dir, account["company_id"], account["username"])
            inbox = Inbox(account["company_id"], f"account:{account['username']}", home,
                          FileFormat.model_validate(account["file_format"]))
            for path in inbox.unfinished():
                self._enqueue(inbox, path, True)
            if home.is_dir():
                for path in sorted(home.iterdir()):
                    if path.is_file() and wanted(inbox.fmt, path.name):
                        self._enqueue(inbox, path, False)

    async def look(self, force: bool = False) -> None:
        """One pass over every source that is due (every one when `force`): watched and remote folders."""
        with read_tx(self.engine) as conn:
            sources = list_sources(conn)
        now = time.monotonic()
        for source in sources:
            if not force and self._due.get(source["id"], 0.0) > now:
                continue
            error: str | None = None
            try:
                if source["kind"] == "watch":
                    every = await self._look_watch(source, now)
                else:
                    every = await self._look_remote(source)
            except (TransferError, OSError) as failure:
                error, every = str(failure), min(self._every or 60.0, 300.0)
                log.warning("FTP drop: source %s: %s", source["name"], error)
            self._due[source["id"]] = now + every
            with write_tx(self.engine) as conn:
                record_attempt(conn, source["id"], error)

    async def _look_watch(self, source: dict[str, Any], now: float) -> float:
        watch = WatchedFolder.model_validate(source["settings"])
        inbox = Inbox(source["company_id"], f"watch:{source['name']}", watch.path,
                      FileFormat.model_validate(source["file_format"]))
        for path in inbox.unfinished():
            self._enqueue(inbox, path, True)
        stats = await asyncio.to_thread(_stats, watch.path, inbox.fmt)
        seen = self._seen.get(source["id"], {})
        ready, self._seen[source["id"]] = settled(seen, stats, now, watch.settle_s)
        for name in ready:
            self._enqueue(inbox, watch.path / name, False)
        return watch.every_s

    async def _look_remote(self, source: dict[str, Any]) -> float:
        remote = RemoteSource.model_validate(source["settings"])
        password = self.box.unseal(source["password_sealed"]) if source["password_sealed"] else None
        folder = remote_folder(remote, password)
        local = source_folder(self.data_dir, source["company_id"], source["name"])
        inbox = Inbox(source["company_id"], f"remote:{source['name']}", local,
                      FileFormat.model_validate(source["file_format"]))
        for path in inbox.unfinished():
            self._enqueue(inbox, path, True)
        for name in await list_names(folder):
            if not wanted(inbox.fmt, name):
                continue
            work = inbox.processing / f"{time.time_ns()}" / name
            part = work.with_name(name + ".part")
            work.parent.mkdir(parents=True, exist_ok=True)
            await fetch(folder, name, part)
            part.replace(work)  # whole in the hub's hands now
            if remote.delete_after_fetch:
                await remove(folder, name)
            elif await self._seen_before(inbox, work):
                work.unlink()
                work.parent.rmdir()
                continue
            self._enqueue(inbox, work, True)
        return remote.every_s

    async def _seen_before(self, inbox: Inbox, path: Path) -> bool:
        digest, _ = await asyncio.to_thread(digest_file, path)
        with read_tx(self.engine) as conn:
            return already_done(conn, inbox.company_id, inbox.origin, path.name, digest)


def _stats(folder: Path, fmt: FileFormat) -> dict[str, Stat]:
    if not folder.is_dir():
        raise OSError(f"watched folder {folder} does not exist")
    found = {}
    for path in folder.iterdir():
        if path.is_file() and wanted(fmt, path.name):
            stat = path.stat()
            found[path.name] = (stat.st_size, stat.st_mtime_ns)
    return found
