"""Find due occurrences of every active delivery and claim them; "run now" claims its own.

Claims commit before any file is built, so a second hub process planning at the same
moment loses the INSERT and skips the occurrence: each one runs exactly once.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from footfall.delivery import runs
from footfall.delivery.daily_files import CounterDay, latest_days, pending_days, selected_counters
from footfall.delivery.model import Delivery, Kind
from footfall.delivery.runner import Job
from footfall.delivery.runs import Claim
from footfall.delivery.schedule import Occurrence, due
from footfall.delivery.store import active_deliveries
from footfall.rollup.refresher import refresh
from footfall.storage.engine import read_tx, write_tx

log = logging.getLogger(__name__)
# Missed occurrences (hub down) caught up per delivery, newest kept.
CATCH_UP = 7
# A run still `running` after this long belongs to a hub that stopped mid-run.
STALE_AFTER = timedelta(hours=12)


def _claim(engine: Engine, target: Delivery, what: Claim, now: datetime) -> int | None:
    with write_tx(engine) as conn:
        run_id = runs.claim(conn, target.id, what, now)
    if run_id is None:
        log.info("delivery %s: %s was claimed by another hub process; skipped", target.name, what.key)
    return run_id


def _occurrence_job(engine: Engine, target: Delivery, occurrence: Occurrence, trigger: str,
                    key: str, now: datetime) -> Job | None:
    period = occurrence.period
    what = Claim(key, trigger, period.first, period.last)
    run_id = _claim(engine, target, what, now)
    if run_id is None:
        return None
    return Job(target, run_id, what, period, target.schedule.tz)


def _counter_job(engine: Engine, target: Delivery, day: CounterDay, now: datetime,
                 trigger: str | None = None) -> Job | None:
    what = day.claim(trigger)
    if trigger == "manual":  # its own occurrence: it never takes a scheduled one's place
        what = replace(what, key=f"manual:{now.isoformat()}:{what.key}")
    run_id = _claim(engine, target, what, now)
    if run_id is None:
        return None
    return Job(target, run_id, what, day.period, day.tz, ids=[day.serial], site=day.site_code,
               counter=day.serial)


def _export_jobs(engine: Engine, target: Delivery, now: datetime) -> list[Job]:
    found = due(target.schedule, target.schedule_since_ts, int(now.timestamp()), CATCH_UP)
    with read_tx(engine) as conn:
        taken = runs.claimed_keys(conn, target.id, [o.key for o in found])
    jobs = [_occurrence_job(engine, target, o, "schedule", o.key, now)
            for o in found if o.key not in taken]
    return [j for j in jobs if j is not None]


def _counter_jobs(engine: Engine, target: Delivery, now: datetime, latest: bool = False) -> list[Job]:
    with read_tx(engine) as conn:
        counter_ids = [c[0] for c in selected_counters(conn, target)]
    refresh(engine, counter_ids)  # late data folded in: restated days get a new revision
    now_ts = int(now.timestamp())
    with read_tx(engine) as conn:
        if latest:
            days, taken = latest_days(conn, target, now_ts), set()
        else:
            days = pending_days(conn, target, now_ts)
            taken = runs.claimed_keys(conn, target.id, [d.claim().key for d in days])
    trigger = "manual" if latest else None
    jobs = [_counter_job(engine, target, d, now, trigger) for d in days if d.claim().key not in taken]
    return [j for j in jobs if j is not None]


def due_jobs(engine: Engine, now: datetime) -> list[Job]:
    """Claim every due occurrence of every active delivery; the jobs this process won."""
    with write_tx(engine) as conn:
        stale = runs.abandon_stale(conn, now - STALE_AFTER, now)
    if stale:
        log.warning("deliveries: %d run(s) left running by a stopped hub marked failed", stale)
    with read_tx(engine) as conn:
        targets = active_deliveries(conn)
    jobs: list[Job] = []
    for target in targets:
        planner = _counter_jobs if target.kind is Kind.COUNTER_DAILY else _export_jobs
        jobs.extend(planner(engine, target, now))
    return jobs


def run_now_jobs(engine: Engine, target: Delivery, now: datetime) -> list[Job]:
    """Claim a manual run of the period the schedule delivered last (its own occurrence key)."""
    if target.kind is Kind.COUNTER_DAILY:
        return _counter_jobs(engine, target, now, latest=True)
    latest = due(target.schedule, 0, int(now.timestamp()), 1)
    key = f"manual:{now.isoformat()}"
    job = _occurrence_job(engine, target, latest[-1], "manual", key, now)
    return [job] if job is not None else []
