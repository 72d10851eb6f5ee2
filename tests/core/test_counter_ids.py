"""The writer keeps counter ids between groups, and forgets them when the estate changes."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select

from footfall.estate.counters import delete_counter, update_counter
from footfall.estate.sites import delete_site
from footfall.ingest.batch import prepare
from footfall.ingest.writer import Writer
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import counter, event, site
from tests.core.helpers import counter_id, make_estate

KNOWN, STRANGER = "000000006afce315", "00000000deadbeef"
T0 = 1_767_261_600  # 2026-01-01T10:00:00Z


def _message(serial: str, at: int) -> dict:
    return {"Topic": "ffc-eventrawdata", "Data": {
        "CameraSerial": serial, "EventStartTime": at, "EventEndTime": at, "MetricId": 1,
        "RoiId": 1, "PeopleTypeId": 1, "PeopleId": 1, "UUID": str(uuid.uuid4())}}


class _Hub:
    """One writer and the counter lookups its groups make."""

    def __init__(self, engine) -> None:
        self.engine, self.writer, self.lookups = engine, Writer(), 0
        sqlalchemy_event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, sql: str, *_rest) -> None:
        if "FROM counter" in sql:
            self.lookups += 1

    def write(self, company_id: int, *serials: str, at: int = T0):
        """Write one group of one event per serial; what it stored, per counter."""
        submission = prepare(company_id, at, events=[_message(s, at) for s in serials])
        with write_tx(self.engine) as conn:
            [result] = self.writer.write(conn, [submission], at)
        self.writer.committed()
        return result, {s.counter_id: s.site_id for s in self.writer.stored}


def _site_of(engine, company_id: int) -> int:
    with read_tx(engine) as conn:
        return conn.execute(select(site.c.id).where(site.c.company_id == company_id)).scalar_one()


def test_counters_are_looked_up_once_while_the_estate_stands(engine) -> None:
    company_id = make_estate(engine, "Europe/London", [KNOWN])
    hub = _Hub(engine)
    hub.write(company_id, KNOWN, STRANGER)  # the stranger is kept as an unassigned counter
    looked_up = hub.lookups
    result, stored = hub.write(company_id, KNOWN, STRANGER, at=T0 + 60)
    assert hub.lookups == looked_up  # the second group asked the database nothing
    assert (result.accepted, result.unassigned) == (2, 1)
    assert stored == {counter_id(engine, company_id, KNOWN): _site_of(engine, company_id),
                      counter_id(engine, company_id, STRANGER): None}


def test_an_assigned_counter_is_written_under_its_site_at_once(engine) -> None:
    company_id = make_estate(engine, "Europe/London", [KNOWN])
    hub = _Hub(engine)
    hub.write(company_id, STRANGER)
    stranger, site_id = counter_id(engine, company_id, STRANGER), _site_of(engine, company_id)
    with write_tx(engine) as conn:
        update_counter(conn, company_id, stranger, {"site_id": site_id})
    result, stored = hub.write(company_id, STRANGER, at=T0 + 60)
    assert (result.accepted, result.unassigned) == (1, 0)
    assert stored == {stranger: site_id}


@pytest.mark.parametrize("removal", ["counter", "site"])
def test_a_removed_counter_or_site_is_never_written_to(engine, removal: str) -> None:
    company_id = make_estate(engine, "Europe/London", [KNOWN])
    hub = _Hub(engine)
    hub.write(company_id, KNOWN)
    old = counter_id(engine, company_id, KNOWN)
    with write_tx(engine) as conn:
        if removal == "counter":
            delete_counter(conn, company_id, old)
        else:
            delete_site(conn, company_id, _site_of(engine, company_id))
    result, stored = hub.write(company_id, KNOWN, at=T0 + 60)
    # A deleted counter that sends again comes back unassigned, under a new id; a counter
    # of a deleted site stays, unassigned.
    now = counter_id(engine, company_id, KNOWN)
    assert (now != old) == (removal == "counter")
    assert (result.accepted, result.unassigned) == (1, 1)
    assert stored == {now: None}
    with read_tx(engine) as conn:
        ids = set(conn.execute(select(event.c.counter_id).where(event.c.start_ts == T0 + 60)).scalars())
    assert ids == {now}


def test_counters_created_by_a_failed_group_are_not_kept(engine) -> None:
    company_id = make_estate(engine, "Europe/London", [KNOWN])
    hub = _Hub(engine)
    with pytest.raises(RuntimeError), write_tx(engine) as conn:
        hub.writer.write(conn, [prepare(company_id, T0, events=[_message(STRANGER, T0)])], T0)
        raise RuntimeError("the commit failed")
    hub.writer.rolled_back()
    result, stored = hub.write(company_id, STRANGER, at=T0 + 60)
    with read_tx(engine) as conn:
        [stranger] = conn.execute(select(counter.c.id).where(counter.c.serial == STRANGER)).scalars()
    assert (result.accepted, result.unassigned) == (1, 1)
    assert stored == {stranger: None}
