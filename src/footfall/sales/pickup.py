"""One run of an automated import: list, fetch, import, archive, record, e-mail on failure.

Each matching file is imported on its own (all or nothing per file, as uploads are), lands
in the import history with `source = schedule`, and is renamed `name.<status>-<import id>`.
When a file fails (or its bad rows were left out) or the source cannot be reached, the
schedule's notify address gets an e-mail with the log attached.
"""

from __future__ import annotations

import asyncio
import fnmatch
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from footfall.estate.common import utcnow
from footfall.estate.errors import NotFound
from footfall.sales.importer import IMPORTED, ImportOutcome, ImportRequest, import_sales
from footfall.sales.mailing import notify_failure
from footfall.sales.profiles import load_profile
from footfall.sales.reader import read_sales
from footfall.sales.sources import source_of
from footfall.sales.store import company_sites, get_import
from footfall.security.secrets import SecretBox, SecretError
from footfall.settings import Settings
from footfall.storage.dialect import lock_for_work
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables_sales import sales_schedule
from footfall.transfer.remote import TransferError

SOURCE_ERRORS = (TransferError, OSError, SecretError)


@dataclass
class RunReport:
    """What one run did: (file, import id, status, message) per file, or why it could not run."""

    files: list[tuple[str, int, str, str]] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the source was reached and every file imported cleanly."""
        return self.error is None and all(status == IMPORTED for _n, _i, status, _m in self.files)


def claim_due(engine: Engine, now_ts: int, limit: int = 10) -> list[dict[str, Any]]:
    """Due enabled schedules, each moved to its next run in the same transaction (one worker wins)."""
    with write_tx(engine) as conn:
        rows = conn.execute(lock_for_work(conn, select(sales_schedule).where(
            sales_schedule.c.enabled.is_(True), sales_schedule.c.next_run_ts <= now_ts)
            .order_by(sales_schedule.c.next_run_ts).limit(limit))).all()
        for row in rows:
            conn.execute(update(sales_schedule).where(sales_schedule.c.id == row.id)
                         .values(next_run_ts=now_ts + row.every_s))
    return [dict(r._mapping) for r in rows]


def schedule_row(engine: Engine, company_id: int, schedule_id: int) -> dict[str, Any]:
    """A schedule's stored row (sealed password included) for a run."""
    with read_tx(engine) as conn:
        row = conn.execute(select(sales_schedule).where(
            sales_schedule.c.id == schedule_id, sales_schedule.c.company_id == company_id)).first()
    if row is None:
        raise NotFound(f"schedule {schedule_id}: no such sales schedule", field="id")
    return dict(row._mapping)


async def run_schedule(engine: Engine, settings: Settings, row: dict[str, Any], box: SecretBox) -> RunReport:
    """Pick up and import every matching file once; record the outcome on the schedule."""
    report = RunReport()
    try:
        source = source_of(row, box)
        names = [n for n in await source.names() if fnmatch.fnmatch(n, row["pattern"])]
        for name in names:
            outcome = await _import_one(engine, row, source, name)
            await source.archive(name, f"{name}.{outcome.status}-{outcome.import_id}")
            report.files.append((name, outcome.import_id, outcome.status, outcome.message))
            if outcome.status != IMPORTED:
                with read_tx(engine) as conn:
                    log = get_import(conn, row["company_id"], outcome.import_id, with_log=True)["log"]
                await notify_failure(settings, row, f"{name}: {outcome.message}", name, log)
    except SOURCE_ERRORS as error:
        report.error = str(error)
        await notify_failure(settings, row, f"the source could not be read: {error}", None, None)
    _record(engine, row["id"], report)
    return report


async def _import_one(engine: Engine, row: dict[str, Any], source: Any, name: str) -> ImportOutcome:
    with tempfile.TemporaryDirectory(prefix="footfall-sales-") as tmp:
        local = Path(tmp) / "file.csv"
        await source.fetch(name, local)

        def work() -> ImportOutcome:
            with read_tx(engine) as conn:
                profile = load_profile(conn, row["company_id"], row["profile_name"])
            request = ImportRequest(row["company_id"], name, "schedule", profile, row["profile_name"],
                                    row["valid_rows_only"], row["id"])
            with local.open("rb") as stream:
                return import_sales(engine, request, stream)
        return await asyncio.to_thread(work)


def _record(engine: Engine, schedule_id: int, report: RunReport) -> None:
    failed = [f"{n}: {m}" for n, _i, status, m in report.files if status != IMPORTED]
    error = report.error or ("; ".join(failed) if failed else None)
    with write_tx(engine) as conn:
        conn.execute(update(sales_schedule).where(sales_schedule.c.id == schedule_id).values(
            last_run_at=utcnow(), last_status="ok" if report.ok else "failed",
            last_error=error[:2000] if error else None))


async def test_schedule(engine: Engine, row: dict[str, Any], box: SecretBox) -> tuple[bool, str]:
    """The "Test" button: reach the source and check the first matching file without storing it."""
    try:
        source = source_of(row, box)
        reached = await source.probe()
        names = [n for n in await source.names() if fnmatch.fnmatch(n, row["pattern"])]
        if not names:
            return True, f"{reached}; no file matches {row['pattern']!r} yet"
        with tempfile.TemporaryDirectory(prefix="footfall-sales-") as tmp:
            local = Path(tmp) / "file.csv"
            await source.fetch(names[0], local)
            with read_tx(engine) as conn:
                profile = load_profile(conn, row["company_id"], row["profile_name"])
                sites = company_sites(conn, row["company_id"])
            with local.open("rb") as stream:
                parsed = await asyncio.to_thread(read_sales, stream, profile, sites)
    except SOURCE_ERRORS as error:
        return False, str(error)
    head = f"{reached}; {len(names)} file(s) match {row['pattern']!r}; {names[0]}: {parsed.rows} rows"
    if parsed.error_count:
        return False, f"{head}, {parsed.error_count} errors (first: {parsed.errors[0]})"
    return True, f"{head}, no errors: it would import"
