"""Rollup of many counters at once: the same local hours as a plain model, whatever the batches,
revisions only where a value changed, zone changes, restating without reading raw events, and
two PostgreSQL workers on neighbouring hours."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.engine import Engine

from footfall.estate.sites import update_site
from footfall.rollup.refresher import BATCH, refresh, refresh_batch, restate_counter
from footfall.storage.engine import write_tx
from tests.rollup.estate import ZONES, Fleet, H, dirty, stored


def _roll_up(engine: Engine, batch: int) -> None:
    while True:
        with write_tx(engine) as conn:
            if refresh_batch(conn, None, batch) < batch:
                return


@pytest.mark.parametrize("batch", [3, BATCH])
def test_every_local_hour_resolves_as_the_model_however_batches_cut_the_fleet(
    engine: Engine, batch: int
) -> None:
    fleet = Fleet(engine, ZONES, per_site=2)
    fleet.ingest(fleet.random_events(400, H, H + 30 * 3600, seed=1))
    _roll_up(engine, batch)  # 3: every batch boundary cuts through counters and zones
    hours, lines, _stamps = stored(engine)
    assert (hours, lines) == fleet.expected()
    assert dirty(engine) == set()


def test_only_an_hour_whose_counts_changed_gets_a_new_revision(engine: Engine) -> None:
    fleet = Fleet(engine, ["Asia/Kolkata", "UTC"])
    fleet.ingest(fleet.random_events(100, H, H + 6 * 3600, seed=2))
    refresh(engine)
    _hours, _lines, before = stored(engine)
    with write_tx(engine) as conn:
        for cid in fleet.ids.values():
            restate_counter(conn, cid)
    assert refresh(engine) > 0
    assert stored(engine)[2] == before  # every hour resolved again, none changed
    kolkata = next(serial for serial, name in fleet.zones.items() if name == "Asia/Kolkata")
    fleet.ingest([(kolkata, H + 2 * 3600 + 1000, 1, 1, 1)])  # 02:16:40 UTC
    refresh(engine)
    hours, lines, after = stored(engine)
    assert (hours, lines) == fleet.expected()
    changed = {key for key, stamp in after.items() if before.get(key) != stamp}
    assert changed == {(fleet.ids[kolkata], H + 5400)}  # the local hour from 01:30 UTC only


def test_a_new_zone_replaces_the_old_local_hours(engine: Engine) -> None:
    fleet = Fleet(engine, ["Europe/Berlin"], per_site=2)
    fleet.ingest(fleet.random_events(150, H, H + 10 * 3600, seed=3))
    refresh(engine)
    fleet.ingest(fleet.random_events(50, H, H + 12 * 3600, seed=4))  # still dirty at the change
    with write_tx(engine) as conn:
        update_site(conn, fleet.company_id, fleet.sites["Europe/Berlin"], {"timezone": "Asia/Kathmandu"})
    fleet.zones = dict.fromkeys(fleet.zones, "Asia/Kathmandu")
    refresh(engine)
    hours, lines, _stamps = stored(engine)
    assert (hours, lines) == fleet.expected()
    assert {start % 3600 for _cid, start in hours} == {900}  # +05:45: local hours start at :15 UTC


def test_restating_marks_every_hour_with_an_event_without_reading_events(engine: Engine) -> None:
    fleet = Fleet(engine, ["Asia/Kolkata", "UTC"])
    fleet.ingest(fleet.random_events(80, H, H + 12 * 3600, seed=5))
    refresh(engine)
    fleet.ingest(fleet.random_events(20, H + 12 * 3600, H + 20 * 3600, seed=6))  # left dirty
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa_event.listen(engine, "before_cursor_execute", seen)
    try:
        with write_tx(engine) as conn:
            for cid in fleet.ids.values():
                restate_counter(conn, cid)
    finally:
        sa_event.remove(engine, "before_cursor_execute", seen)
    assert statements and not any(re.search(r"\bevent\b", s) for s in statements)
    with_events = {(fleet.ids[serial], ts - ts % 3600) for serial, ts, *_rest in fleet.events}
    assert with_events <= dirty(engine)
    with write_tx(engine) as conn:  # and the counter's zone changes: every event moves along
        update_site(conn, fleet.company_id, fleet.sites["Asia/Kolkata"], {"timezone": "UTC"})
    fleet.zones = dict.fromkeys(fleet.zones, "UTC")
    refresh(engine)
    hours, lines, _stamps = stored(engine)
    assert (hours, lines) == fleet.expected()


@pytest.mark.postgres
def test_two_workers_on_neighbouring_hours_of_a_half_hour_zone_take_turns(pg_engine: Engine) -> None:
    engine = pg_engine  # SQLite has a single writer
    fleet = Fleet(engine, ["Asia/Kolkata"])
    serial = next(iter(fleet.ids))
    # 00:50 and 01:10 UTC: dirty hours 00 and 01, both in the local hour [00:30, 01:30).
    fleet.ingest([(serial, H + 3000, 1, 1, 1), (serial, H + 4200, 1, 2, 1)])
    outcome: dict[str, Any] = {}

    def second_worker() -> None:
        try:
            with write_tx(engine) as conn:
                outcome["done"] = refresh_batch(conn, None, 1)  # skips hour 00, takes 01
        except Exception as error:  # reported by the assertion below
            outcome["error"] = error

    with engine.connect() as conn:
        with conn.begin():
            assert refresh_batch(conn, None, 1) == 1  # hour 00, not committed yet
            worker = threading.Thread(target=second_worker)
            worker.start()
            _wait_for_a_lock_wait(engine)
        worker.join(30)
    assert outcome == {"done": 1}
    hours, lines, _stamps = stored(engine)
    assert (hours, lines) == fleet.expected()
    assert dirty(engine) == set()


def _wait_for_a_lock_wait(engine: Engine) -> None:
    """Return once another session of this database waits for a lock."""
    query = text("SELECT count(*) FROM pg_stat_activity "
                 "WHERE datname = current_database() AND wait_event_type = 'Lock'")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(query).scalar_one():
                return
        time.sleep(0.02)
    raise AssertionError("the second worker never waited for the first")
