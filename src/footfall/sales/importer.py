"""One sales import: read the file, decide (all or nothing, or valid rows), store, record.

The decision is pure (`verdict`); the shell around it reads the company's sites, stores
the hours and the history record in one transaction, and returns the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy.engine import Engine

from footfall.estate.common import utcnow
from footfall.sales.hours import SiteHours, utc_hours
from footfall.sales.problems import ImportLimits, RowError, log_csv
from footfall.sales.profile import SEEDS, MappingProfile
from footfall.sales.reader import ParsedFile, Progress, read_sales
from footfall.sales.store import company_sites, record_import, replace_hours
from footfall.storage.engine import read_tx, write_tx

IMPORTED, PARTIAL, FAILED = "imported", "partial", "failed"
SHOWN_ERRORS = 20


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """Whose file, from where, read how, and whether valid rows go in despite errors."""

    company_id: int
    file_name: str
    source: str = "upload"  # upload, cli, schedule
    profile: MappingProfile = SEEDS
    profile_name: str | None = None  # a saved profile's name; None: the seeds' format
    valid_rows_only: bool = False
    schedule_id: int | None = None


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What happened to one file: the history record's id and figures, the first errors."""

    import_id: int
    status: str
    rows_total: int
    rows_imported: int
    rows_rejected: int
    error_count: int
    hours_written: int
    message: str
    errors: list[RowError] = field(default_factory=list)


def verdict(parsed: ParsedFile, valid_rows_only: bool) -> tuple[str, bool]:
    """(status, store?): a file with errors stores nothing unless valid rows were asked for."""
    if not parsed.error_count:
        return IMPORTED, True
    if parsed.refused or not valid_rows_only or not parsed.rows_valid:
        return FAILED, False
    return PARTIAL, True


def summary(parsed: ParsedFile, status: str, hours: int) -> str:
    """One line for the history and the e-mail."""
    rejected = parsed.rows - parsed.rows_valid
    if status == IMPORTED:
        return f"imported {parsed.rows:,} rows into {hours:,} site-hours"
    first = f"; first: {parsed.errors[0]}" if parsed.errors else ""
    if status == PARTIAL:
        return (f"imported the {parsed.rows_valid:,} valid rows into {hours:,} site-hours; "
                f"{rejected:,} rows rejected with {parsed.error_count:,} errors{first}")
    return f"nothing imported: {parsed.error_count:,} errors in {rejected:,} rows{first}"


def import_sales(engine: Engine, request: ImportRequest, stream: BinaryIO,
                 limits: ImportLimits | None = None, progress: Progress | None = None) -> ImportOutcome:
    """Import one sales file (a seekable binary stream) and record it in the history."""
    started = utcnow()
    with read_tx(engine) as conn:
        sites = company_sites(conn, request.company_id)
    parsed = read_sales(stream, request.profile, sites, limits, progress)
    status, store = verdict(parsed, request.valid_rows_only)
    hours = utc_hours(parsed.sums, parsed.codes, sites) if store else SiteHours()
    message = summary(parsed, status, len(hours))
    imported = parsed.rows_valid if store else 0
    values: dict[str, object] = {
        "file_name": request.file_name[:500], "source": request.source,
        "schedule_id": request.schedule_id, "profile_name": request.profile_name,
        "valid_rows_only": request.valid_rows_only, "status": status,
        "rows_total": parsed.rows, "rows_imported": imported,
        "rows_rejected": parsed.rows - parsed.rows_valid, "error_count": parsed.error_count,
        "hours_written": len(hours),
        "first_hour_ts": hours.first_ts, "last_hour_ts": hours.last_ts,
        "message": message, "log": log_csv(parsed.errors, parsed.error_count - len(parsed.errors)),
        "started_at": started, "finished_at": utcnow(),
    }
    with write_tx(engine) as conn:
        import_id = record_import(conn, request.company_id, values)
        replace_hours(conn, hours, import_id)
    return ImportOutcome(import_id, status, parsed.rows, imported,
                         parsed.rows - parsed.rows_valid, parsed.error_count, len(hours), message,
                         parsed.errors[:SHOWN_ERRORS])
