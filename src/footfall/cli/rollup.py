"""Roll up pending data before a report, with a progress bar when there is much to do."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from footfall.cli.output import progress_bar
from footfall.rollup.refresher import BATCH, refresh_batch
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import dirty_hour


def pending_hours(engine: Engine, counter_ids: Collection[int] | None = None) -> int:
    """How many counter-hours wait to be rolled up (of `counter_ids` only, if given)."""
    query = select(func.count()).select_from(dirty_hour)
    if counter_ids is not None:
        query = query.where(dirty_hour.c.counter_id.in_(sorted(counter_ids)))
    with read_tx(engine) as conn:
        return int(conn.execute(query).scalar_one())


def refresh_with_progress(engine: Engine, counter_ids: Collection[int] | None = None) -> int:
    """Roll up every pending counter-hour in batches, showing progress; returns how many."""
    if counter_ids is not None and not counter_ids:
        return 0
    total = pending_hours(engine, counter_ids)
    if not total:
        return 0
    done = 0
    with progress_bar() as bar:
        task = bar.add_task("Rolling up", total=total)
        while True:
            with write_tx(engine) as conn:
                batch = refresh_batch(conn, counter_ids, BATCH)
            done += batch
            # New data may arrive meanwhile: the bar grows rather than overflowing.
            bar.update(task, completed=done, total=max(total, done))
            if batch < BATCH:
                return done
