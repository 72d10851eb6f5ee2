"""Re-sent events mixed with new ones in one group: counted once, each submission told which."""

from __future__ import annotations

import uuid

from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select

from footfall.ingest.batch import prepare
from footfall.ingest.core import IngestCore
from footfall.ingest.writer import Writer
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import dirty_hour, event
from tests.core.helpers import make_estate

KNOWN, STRANGER = "000000006afce315", "00000000deadbeef"
T0 = 1_767_261_600  # 2026-01-01T10:00:00Z


def _message(serial: str, at: int, metric: int = 1) -> dict:
    return {"Topic": "ffc-eventrawdata", "Data": {
        "CameraSerial": serial, "EventStartTime": at, "EventEndTime": at, "MetricId": metric,
        "RoiId": 1, "PeopleTypeId": 1, "PeopleId": 1, "UUID": str(uuid.uuid4())}}


def test_a_group_mixing_resends_and_new_events_accounts_for_each(engine) -> None:
    company_id = make_estate(engine, "Europe/London", [KNOWN])
    core = IngestCore(engine)
    old = [_message(KNOWN, T0 + i) for i in range(5)]
    first = core.ingest(company_id, events=old)
    assert (first.accepted, first.duplicates) == (5, 0)
    new_known = [_message(KNOWN, T0 + 3600 + i) for i in range(3)]
    new_stranger = [_message(STRANGER, T0 + 7200 + i) for i in range(2)]
    # Several submissions share one group: each must get its own figures back.
    futures = [core.submit(company_id, events=[*old[:2], *new_known]),
               core.submit(company_id, events=[*new_stranger, old[4], new_stranger[0]]),
               core.submit(company_id, events=old[2:4])]
    results = [f.result() for f in futures]
    core.close()
    assert [(r.accepted, r.duplicates, r.unassigned) for r in results] == [(3, 2, 0), (2, 2, 2), (0, 2, 0)]
    with read_tx(engine) as conn:
        assert conn.execute(select(func.count()).select_from(event)).scalar_one() == 10
        hours = {h for (h,) in conn.execute(select(dirty_hour.c.hour_ts))}
    assert hours == {T0, T0 + 3600, T0 + 7200}


def test_listeners_hear_each_newly_stored_event_once_after_commit(engine) -> None:
    company_id = make_estate(engine, "Europe/London", [KNOWN])
    core = IngestCore(engine)
    heard: list[str] = []
    stop = core.listen(lambda stored: heard.extend(e.identity for s in stored for e in s.events))
    batch = [_message(KNOWN, T0 + i) for i in range(4)]
    core.ingest(company_id, events=batch[:2])
    core.ingest(company_id, events=batch)  # two re-sent, two new
    stop()
    core.ingest(company_id, events=[_message(KNOWN, T0 + 99)])
    core.close()
    assert sorted(heard) == sorted("u" + m["Data"]["UUID"].replace("-", "") for m in batch)


def test_one_uuid_on_two_counters_is_two_events(engine) -> None:
    company_id = make_estate(engine, "Europe/London", [KNOWN, STRANGER])
    core = IngestCore(engine)
    first, second = _message(KNOWN, T0), _message(STRANGER, T0)
    second["Data"]["UUID"] = first["Data"]["UUID"]
    result = core.ingest(company_id, events=[first, second, first])
    again = core.ingest(company_id, events=[second])
    core.close()
    assert (result.accepted, result.duplicates) == (2, 1)
    assert (again.accepted, again.duplicates) == (0, 1)


def test_one_group_of_two_companies_accounts_each_company_apart(engine) -> None:
    first_company = make_estate(engine, "Europe/London", [KNOWN])
    second_company = make_estate(engine, "Europe/London", [KNOWN])  # the same serial elsewhere
    old = [_message(KNOWN, T0 + i) for i in range(3)]
    writer = Writer()
    with write_tx(engine) as conn:
        writer.write(conn, [prepare(first_company, T0, events=old)], T0)
    writer.committed()
    statements: list[str] = []
    sqlalchemy_event.listen(engine, "before_cursor_execute",
                            lambda _c, _cur, sql, *_rest: statements.append(sql))
    # One transaction: the first company re-sends two of its events beside a new one, the
    # second sends the same messages, all new to it.
    group = [prepare(first_company, T0, events=[*old[:2], _message(KNOWN, T0 + 60)]),
             prepare(second_company, T0, events=old)]
    with write_tx(engine) as conn:
        results = writer.write(conn, group, T0)
    writer.committed()
    assert [(r.accepted, r.duplicates) for r in results] == [(1, 2), (3, 0)]
    assert [len(s.events) for s in writer.stored] == [1, 3]
    with read_tx(engine) as conn:
        assert conn.execute(select(func.count()).select_from(event)).scalar_one() == 7
    if engine.dialect.name == "sqlite":
        # The only writer tells new rows by their rowid: no savepoint journals the insert.
        assert not [sql for sql in statements if "SAVEPOINT" in sql.upper()]
