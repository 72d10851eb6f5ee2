"""The read path of a report: the cycle collector paused only while a report is built, and a
rollup refresh with nothing pending that never waits for the writer."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from footfall.domain.timegrid import Interval, local_midnight_ts, zone
from footfall.ingest.core import IngestCore
from footfall.query.collector import collector_paused
from footfall.rollup.refresher import refresh
from footfall.storage.engine import write_tx
from tests.core.helpers import counter_id, make_estate, rows

SERIAL = "6afc0000000000aa"
DAY = date(2025, 3, 4)


@pytest.fixture
def collector_on() -> Iterator[None]:
    """The collector on at the start, and on again after the test whatever happened."""
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_collector_paused_inside_and_back_after_even_on_error() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the outer block still owns the pause
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("report failed")
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_collector_left_off_when_it_was_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_overlapping_reports_resume_collection_when_the_last_ends() -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def first() -> None:
        with collector_paused():
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second() -> None:
        first_in.wait(10)
        with collector_paused():
            second_in.set()
            first_out.wait(10)
            seen["after first left"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"after first left": False}
    assert gc.isenabled()


def _no_busy_wait(engine: Engine) -> None:
    """Make a locked SQLite database fail at once instead of waiting out the busy timeout."""
    event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA busy_timeout=0"))


def _one_hour(engine: Engine, zone_name: str, hour: int, ins: int, outs: int) -> tuple[int, int]:
    """A counter in `zone_name` that reported `ins`/`outs` for local `hour` of DAY; (company, counter)."""
    company_id = make_estate(engine, zone_name, [SERIAL])
    start = local_midnight_ts(DAY, zone(zone_name)) + hour * 3600
    core = IngestCore(engine)
    try:
        core.ingest(company_id, counts=[{"serial": SERIAL, "line": 1, "start": start, "length": 3600,
                                         "in": ins, "out": outs, "source": "device_api"}])
    finally:
        core.close()
    return company_id, counter_id(engine, company_id, SERIAL)


def test_refresh_with_nothing_pending_does_not_wait_for_the_writer(sqlite_engine: Engine) -> None:
    company_id, cid = _one_hour(sqlite_engine, "Europe/London", 0, 5, 4)
    assert refresh(sqlite_engine, [cid]) > 0  # the ingested hour, rolled up
    _no_busy_wait(sqlite_engine)
    sqlite_engine.dispose()  # new connections get the listener
    with write_tx(sqlite_engine):  # another writer holds SQLite's one write lock
        assert refresh(sqlite_engine, [cid]) == 0
        assert refresh(sqlite_engine, []) == 0
    report = rows(sqlite_engine, company_id, Interval.HOUR, DAY, DAY)
    assert (report[0]["in"], report[0]["out"]) == (5, 4)


def test_refresh_still_rolls_up_what_is_pending(engine: Engine) -> None:
    company_id, cid = _one_hour(engine, "America/New_York", 9, 7, 2)
    assert refresh(engine, [cid + 1_000]) == 0  # another counter's hours: nothing to do
    assert refresh(engine, [cid]) == 1
    assert refresh(engine, [cid]) == 0
    nine = rows(engine, company_id, Interval.HOUR, DAY, DAY)[9]
    assert (nine["in"], nine["out"]) == (7, 2)
