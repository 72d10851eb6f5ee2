"""History of delivery runs, and the claim that makes each occurrence run exactly once.

A hub process claims an occurrence by inserting its row; the row's UNIQUE (delivery_id,
occurrence_key) lets one INSERT win on SQLite and PostgreSQL alike (`ON CONFLICT DO
NOTHING RETURNING id` answers no row to the losers, who skip the occurrence).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from footfall.estate.common import Row
from footfall.storage import dialect
from footfall.storage.tables_delivery import delivered_day, delivery, delivery_run


@dataclass(frozen=True, slots=True)
class Claim:
    """What a run is for: occurrence key, trigger and period (and counter day, if per counter)."""

    key: str
    trigger: str  # schedule, manual, restated
    first: date | None
    last: date | None
    counter_id: int | None = None
    revision_us: int | None = None


def claim(conn: Connection, delivery_id: int, what: Claim, now: datetime) -> int | None:
    """Insert the occurrence's run row; its id, or None when another process has it already."""
    statement = dialect.insert_ignore(conn, delivery_run, ["delivery_id", "occurrence_key"]).values(
        delivery_id=delivery_id, occurrence_key=what.key, trigger=what.trigger,
        period_first=what.first, period_last=what.last, counter_id=what.counter_id,
        revision_us=what.revision_us, status="running", attempts=0, started_at=now,
    ).returning(delivery_run.c.id)
    return conn.execute(statement).scalar()


def claimed_keys(conn: Connection, delivery_id: int, keys: Iterable[str]) -> set[str]:
    """Which of `keys` already have a run (to skip them without a claim attempt)."""
    wanted = sorted(set(keys))
    if not wanted:
        return set()
    return set(conn.execute(select(delivery_run.c.occurrence_key).where(
        delivery_run.c.delivery_id == delivery_id,
        delivery_run.c.occurrence_key.in_(wanted))).scalars())


def note_attempt(conn: Connection, run_id: int, attempts: int, error: str | None) -> None:
    """Record an attempt in progress (the history shows retries as they happen)."""
    conn.execute(update(delivery_run).where(delivery_run.c.id == run_id)
                 .values(attempts=attempts, error=error))


def finish(conn: Connection, run_id: int, status: str, now: datetime, **values: Any) -> None:
    """Close a run: delivered or failed, with rows, bytes, destination, file name, error."""
    conn.execute(update(delivery_run).where(delivery_run.c.id == run_id)
                 .values(status=status, finished_at=now, **values))


def abandon_stale(conn: Connection, started_before: datetime, now: datetime) -> int:
    """Fail runs left `running` by a hub that stopped mid-run (they are not re-sent by themselves)."""
    result = conn.execute(update(delivery_run).where(
        delivery_run.c.status == "running", delivery_run.c.started_at < started_before,
    ).values(status="failed", finished_at=now,
             error="abandoned: the hub stopped while this run was in progress; use run now"))
    return result.rowcount or 0


def history(conn: Connection, company_id: int, delivery_id: int, limit: int = 100) -> list[Row]:
    """The latest runs of one delivery of the company, newest first."""
    query = (select(delivery_run).join(delivery, delivery.c.id == delivery_run.c.delivery_id)
             .where(delivery.c.company_id == company_id, delivery_run.c.delivery_id == delivery_id)
             .order_by(delivery_run.c.started_at.desc(), delivery_run.c.id.desc()).limit(limit))
    return [dict(r) for r in conn.execute(query).mappings()]


def get_run(conn: Connection, run_id: int) -> Row:
    """One run by id."""
    return dict(conn.execute(select(delivery_run).where(delivery_run.c.id == run_id)).mappings().one())


def delivered_revisions(conn: Connection, delivery_id: int) -> dict[tuple[int, date], int]:
    """(counter, local day) → revision stamp of the file delivered for it."""
    rows = conn.execute(select(delivered_day.c.counter_id, delivered_day.c.day,
                               delivered_day.c.revision_us)
                        .where(delivered_day.c.delivery_id == delivery_id))
    return {(int(c), d): int(r) for c, d, r in rows}


def mark_delivered(conn: Connection, delivery_id: int, counter_id: int, day: date,
                   revision_us: int, run_id: int, now: datetime) -> None:
    """Remember which revision of a counter's day went out (re-sent when it is restated)."""
    statement = dialect.upsert(conn, delivered_day, ["delivery_id", "counter_id", "day"],
                               ["revision_us", "run_id", "delivered_at"])
    conn.execute(statement, {"delivery_id": delivery_id, "counter_id": counter_id, "day": day,
                             "revision_us": revision_us, "run_id": run_id, "delivered_at": now})
