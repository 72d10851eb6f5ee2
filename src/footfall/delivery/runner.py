"""Run one claimed occurrence: build the file, send it with retries, notify on failure, record.

The file is written by `footfall.export.write_export` into a temporary directory and sent
from there; a destination that fails is retried with exponential backoff, then the
delivery's failure address gets a notice and the run's history row says why.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, partial
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection, Engine

from footfall.delivery import runs
from footfall.delivery.destinations import DestinationError, Mailer, send_file
from footfall.delivery.model import Delivery
from footfall.delivery.naming import PatternError
from footfall.delivery.runs import Claim
from footfall.delivery.schedule import Period
from footfall.estate.common import Row, utcnow
from footfall.export import ExportError, ExportNotFound, write_export
from footfall.security.secrets import SecretBox, SecretError, secret_box
from footfall.settings import Settings
from footfall.storage.engine import write_tx
from footfall.transfer.mail import mail_server, outbox_dir

log = logging.getLogger(__name__)
MAX_BACKOFF_S = 900.0
T = TypeVar("T")


@dataclass(frozen=True)
class Hub:
    """What a run needs from the hub: database, settings, mailer, a sleep, and the secret box."""

    engine: Engine
    settings: Settings
    mailer: Mailer
    sleep: Callable[[float], Awaitable[Any]] = field(default=asyncio.sleep)

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine) -> Hub:
        """The hub's mail server (or outbox) from its settings."""
        return cls(engine, settings, Mailer(mail_server(settings), outbox_dir(settings)))

    @cached_property
    def box(self) -> SecretBox:
        """The hub's secret box, opened on first use (no key file is made for a hub without deliveries)."""
        return secret_box(self.settings)


@dataclass(frozen=True)
class Job:
    """A claimed run: the delivery, its run row, the period, and the counter for per-counter files."""

    delivery: Delivery
    run_id: int
    claim: Claim
    period: Period
    tz: ZoneInfo
    ids: list[str] | None = None  # per-counter files: the counter's serial
    site: str | None = None
    counter: str | None = None


def backoff(base_s: float, attempt: int) -> float:
    """Seconds to wait after failed attempt number `attempt` (1, 2, …): doubling, capped."""
    return min(base_s * 2 ** (attempt - 1), MAX_BACKOFF_S)


async def in_tx(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run `work(conn)` in a write transaction on a worker thread (keeps the loop free)."""
    def run() -> T:
        with write_tx(engine) as conn:
            return work(conn)
    return await asyncio.to_thread(run)


def _build(hub: Hub, job: Job, path: Path) -> tuple[int, int]:
    window = (job.period.start_ts, job.period.end_ts)
    request = job.delivery.export_request(job.period.first, job.period.last, job.ids, window)
    with path.open("wb") as out:
        stats = write_export(hub.engine, request, out, hub.settings.policy)
    return stats.rows, stats.bytes


def _file_name(job: Job, now: datetime) -> str:
    request = job.delivery.export_request(job.period.first, job.period.last, job.ids)
    return job.delivery.file_for(request, job.period, job.tz, now, job.site, job.counter)


async def _send_with_retries(hub: Hub, job: Job, path: Path, name: str) -> tuple[int, str | None, str]:
    """(attempts, last error or None, where it went)."""
    target = job.delivery
    error: str | None = None
    subject = f"footfall: {target.name} {job.period.first}" + (
        f" to {job.period.last}" if job.period.last != job.period.first else "")
    for attempt in range(1, target.retries + 2):
        try:
            where = await send_file(target, hub.box, hub.mailer, path, name, subject)
            return attempt, None, where
        except DestinationError as failure:
            error = f"attempt {attempt} of {target.retries + 1}: {failure}"
            log.warning("delivery %s (%s): %s", target.name, job.claim.key, error)
            await in_tx(hub.engine, partial(runs.note_attempt, run_id=job.run_id,
                                            attempts=attempt, error=error))
            if attempt <= target.retries:
                await hub.sleep(backoff(target.retry_delay_s, attempt))
    return target.retries + 1, error, target.describe_destination()


async def _notify_failure(hub: Hub, job: Job, error: str, attempts: int) -> str:
    """Send the failure notice; the error text to store (with the notice's own failure, if any)."""
    target = job.delivery
    if not target.failure_email:
        return error
    body = (f"The delivery {target.name!r} did not reach its destination.\n\n"
            f"Occurrence: {job.claim.key}\nPeriod: {job.period.first} to {job.period.last}\n"
            f"Destination: {target.describe_destination()}\nAttempts: {attempts}\n"
            f"Error: {error}\n")
    try:
        await hub.mailer.send([target.failure_email], f"footfall: delivery {target.name!r} failed", body)
    except DestinationError as failure:
        return f"{error}; the failure e-mail to {target.failure_email} was not sent either: {failure}"
    return f"{error}; failure e-mail sent to {target.failure_email}"


async def execute(hub: Hub, job: Job) -> Row:
    """Build, send (with retries) and record one claimed run; the finished history row."""
    target, started = job.delivery, utcnow()
    values: dict[str, Any] = {"destination": target.describe_destination()}
    error: str | None = None
    attempts = 0
    try:
        name = _file_name(job, started)
        values["file_name"] = name
        with tempfile.TemporaryDirectory(prefix="footfall-delivery-") as folder:
            path = Path(folder) / name
            values["rows"], values["bytes"] = await asyncio.to_thread(_build, hub, job, path)
            attempts, error, values["destination"] = await _send_with_retries(hub, job, path, name)
    except (ExportError, ExportNotFound, PatternError) as failure:
        error = f"the file could not be built: {failure}"  # not retried: it would fail again
    except SecretError as failure:
        error = f"the destination's password cannot be used: {failure}"
    except asyncio.CancelledError:  # the hub is stopping: say so rather than leave it `running`
        with write_tx(hub.engine) as conn:
            runs.finish(conn, job.run_id, "failed", utcnow(), attempts=attempts,
                        error="stopped: the hub shut down during this run; use run now", **values)
        raise
    except Exception as failure:  # recorded, so the run is not left `running`; others go on
        log.exception("delivery %s (%s) failed unexpectedly", target.name, job.claim.key)
        error = f"internal error: {type(failure).__name__}: {failure}"
    if error is not None:
        values["error"] = await _notify_failure(hub, job, error, max(attempts, 1))
    status = "failed" if error is not None else "delivered"
    finished = utcnow()

    def record(conn: Connection) -> Row:
        runs.finish(conn, job.run_id, status, finished, attempts=attempts, **values)
        if status == "delivered" and job.claim.counter_id is not None and job.claim.first:
            runs.mark_delivered(conn, target.id, job.claim.counter_id, job.claim.first,
                                job.claim.revision_us or 0, job.run_id, finished)
        return runs.get_run(conn, job.run_id)
    row = await in_tx(hub.engine, record)
    log.info("delivery %s (%s): %s", target.name, job.claim.key, status)
    return row
