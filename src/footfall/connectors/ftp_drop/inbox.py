"""Take one finished file: validate it whole, ingest it in batches, archive it or move it aside.

All-or-nothing with bounded memory (see README "One file, all or nothing"): a first streaming
pass checks every line with the ingest core's own rules and stores nothing; only a file
without a single bad line is ingested, in batches, under an `ingesting` entry of the file
log. If a batch fails (storage down, hub killed), the file stays in its inbox with that
entry and is ingested again from its first line on the next look; since each interval is
keyed (counter, line, start, length, source), the second pass replaces what the first
stored and the end state is the whole file, once.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from footfall.connectors.ftp_drop.config import FileFormat
from footfall.connectors.ftp_drop.parse import Check, Problem, check, read_payloads, report_text
from footfall.connectors.ftp_drop.store import finish_file, start_file
from footfall.ingest.core import IngestCore
from footfall.storage.engine import write_tx

log = logging.getLogger(__name__)
BATCH_ROWS = 5_000


@dataclass(frozen=True, slots=True)
class Inbox:
    """Where one origin's finished files wait, whose they are and how they are written."""

    company_id: int
    origin: str  # "account:<username>", "watch:<name>", "remote:<name>"
    folder: Path
    fmt: FileFormat

    @property
    def archive(self) -> Path:
        """Processed files, by the UTC day they were taken."""
        return self.folder / "archive"

    @property
    def rejected(self) -> Path:
        """Bad files, each beside its `.errors.txt` report."""
        return self.folder / "rejected"

    @property
    def processing(self) -> Path:
        """Files taken but not finished, one per sub-folder (no writer touches them here)."""
        return self.folder / "processing"

    def unfinished(self) -> list[Path]:
        """Files a stopped or failed run left half-way: they are taken again first."""
        if not self.processing.is_dir():
            return []
        return sorted(p for d in self.processing.iterdir() if d.is_dir() for p in d.iterdir() if p.is_file())


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one file: `done`, `rejected` or `failed` (kept for the next try)."""

    name: str
    status: str
    rows: int = 0
    problems: tuple[Problem, ...] = ()
    error: str | None = None
    moved_to: Path | None = None


class FileTaker:
    """Validates, ingests and files away finished files, one at a time."""

    def __init__(self, engine: Engine, ingest: IngestCore, *, batch_rows: int = BATCH_ROWS,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine, self.ingest, self.batch_rows, self.clock = engine, ingest, batch_rows, clock

    async def take(self, inbox: Inbox, path: Path) -> Outcome:
        """Move a finished file out of its writer's way, then process it to its end state."""
        work = inbox.processing / f"{time.time_ns()}" / path.name
        await asyncio.to_thread(_into, path, work)
        return await self.resume(inbox, work)

    async def resume(self, inbox: Inbox, path: Path) -> Outcome:
        """Process a file already in `inbox.processing` (again, after a failed run)."""
        name = path.name
        digest, size = await asyncio.to_thread(digest_file, path)
        verdict = await asyncio.to_thread(_check_file, path, inbox.fmt, int(self.clock()))
        if not verdict.ok:
            return await asyncio.to_thread(self._reject, inbox, path, digest, size, verdict)
        with write_tx(self.engine) as conn:
            file_id = start_file(conn, inbox.company_id, inbox.origin, name, digest, size, "ingesting")
        stored = [0]  # rows committed so far, also when a batch fails
        try:
            rows = await self._ingest(inbox, path, stored)
        except Exception as error:  # storage gone, hub stopping: the file waits for the next look
            rows = stored[0]
            reason = f"stopped after {rows} rows: {type(error).__name__}: {error}"[:2000]
            log.warning("FTP drop: %s from %s not finished, will retry: %s", name, inbox.origin, reason)
            with write_tx(self.engine) as conn:
                finish_file(conn, file_id, "ingesting", rows, reason)
            return Outcome(name, "failed", rows, error=reason)
        day = inbox.archive / datetime.now(UTC).strftime("%Y-%m-%d")
        target = await asyncio.to_thread(_move, path, day)
        with write_tx(self.engine) as conn:
            finish_file(conn, file_id, "done", rows)
        log.info("FTP drop: %s from %s: %d rows stored", name, inbox.origin, rows)
        return Outcome(name, "done", rows, moved_to=target)

    async def _ingest(self, inbox: Inbox, path: Path, stored: list[int]) -> int:
        with path.open(encoding="utf-8-sig", newline="") as lines:
            payloads = read_payloads(lines, inbox.fmt, path.name, int(self.clock()))
            while batch := await asyncio.to_thread(_next_batch, payloads, self.batch_rows):
                result = await self.ingest.ingest_async(inbox.company_id, counts=batch, channel="ftp")
                if result.errors:  # cannot happen after the check; never let it pass silently
                    raise RuntimeError(f"ingest refused rows the check passed: {result.errors[0].error}")
                stored[0] += len(batch)
        return stored[0]

    def _reject(self, inbox: Inbox, path: Path, digest: str, size: int, verdict: Check) -> Outcome:
        report = report_text(path.name, verdict)
        target = _move(path, inbox.rejected)
        target.with_name(target.name + ".errors.txt").write_text(report, encoding="utf-8")
        first = "; ".join(map(str, verdict.problems[:3]))
        with write_tx(self.engine) as conn:
            start_file(conn, inbox.company_id, inbox.origin, path.name, digest, size, "rejected",
                       error=report[:4000])
        log.warning("FTP drop: %s from %s rejected: %s", path.name, inbox.origin, first)
        return Outcome(path.name, "rejected", 0, tuple(verdict.problems), first, target)


def digest_file(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in 1 MiB chunks."""
    sha, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def _check_file(path: Path, fmt: FileFormat, now_ts: int) -> Check:
    with path.open(encoding="utf-8-sig", newline="") as lines:
        counted = _LineCounter(lines)
        try:
            return check(counted, fmt, path.name, now_ts)
        except UnicodeDecodeError as error:
            problem = Problem(counted.line + 1, "(file)", "", f"not UTF-8 text: {error.reason}")
            return Check(problems=[problem])


class _LineCounter:
    """Lines of a text file, counting them (to name the line a decoding error is on)."""

    def __init__(self, lines: Any) -> None:
        self._lines, self.line = lines, 0

    def __iter__(self) -> Iterator[str]:
        for text in self._lines:
            self.line += 1
            yield text


def _next_batch(payloads: Iterator[dict[str, Any]], size: int) -> list[dict[str, Any]]:
    return list(itertools.islice(payloads, size))


def _into(path: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    path.replace(target)


def _move(path: Path, folder: Path) -> Path:
    """Move `path` into `folder`, never over another file (`name.1`, `name.2` … instead)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    for n in itertools.count(1):
        if not target.exists():
            break
        target = folder / f"{path.name}.{n}"
    path.replace(target)
    if path.parent.parent.name == "processing":
        path.parent.rmdir()  # its own work folder, now empty
    return target
