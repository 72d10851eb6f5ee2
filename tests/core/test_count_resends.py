"""Reported counts: all new, identical re-sends and a mix of both, each told apart and marked once."""

from __future__ import annotations

from sqlalchemy import delete, select

from footfall.ingest.core import IngestCore
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import count_cell, dirty_hour
from tests.core.helpers import counter_id, make_estate

KNOWN, STRANGER = "000000006afce315", "00000000deadbeef"
T0 = 1_767_261_600  # 2026-01-01T10:00:00Z


def _cell(start: int, in_count: int, serial: str = KNOWN, length: int = 60) -> dict:
    return {"serial": serial, "line": 1, "start": start, "length": length, "in": in_count, "out": 1,
            "source": "device_api"}


def _dirty_hours(engine) -> set[tuple[int, int]]:
    with write_tx(engine) as conn:
        hours = {(c, h) for c, h in conn.execute(select(dirty_hour.c.counter_id, dirty_hour.c.hour_ts))}
        conn.execute(delete(dirty_hour))
    return hours


def test_reported_counts_new_resent_and_mixed(engine) -> None:
    company_id = make_estate(engine, "Europe/London", [KNOWN])
    known = counter_id(engine, company_id, KNOWN)
    core = IngestCore(engine)
    first = [_cell(T0, 3), _cell(T0 + 3600, 4)]
    assert core.ingest(company_id, counts=first).as_dict() == {
        "accepted": 2, "duplicates": 0, "unassigned": 0, "checks": 0, "errors": []}
    assert _dirty_hours(engine) == {(known, T0), (known, T0 + 3600)}

    again = core.ingest(company_id, counts=first)
    assert (again.accepted, again.duplicates) == (0, 2)
    assert _dirty_hours(engine) == set()

    # One submission: an unchanged cell, a changed one, new ones (one across an hour's end,
    # one reported twice: the last wins), a bad record, and an unknown counter's cell.
    mixed = core.ingest(company_id, counts=[
        _cell(T0, 3), _cell(T0 + 3600, 9), _cell(T0 + 7200, 1), _cell(T0 + 7200, 2),
        _cell(T0 + 3 * 3600 + 3300, 5, length=900), {**_cell(T0, 1), "in": -1}, _cell(T0, 6, STRANGER)])
    core.close()
    assert (mixed.accepted, mixed.duplicates, mixed.unassigned) == (5, 1, 1)
    assert [(e.index, e.error) for e in mixed.errors] == [(5, "in must be at least 0, got -1")]
    stranger = counter_id(engine, company_id, STRANGER)
    assert _dirty_hours(engine) == {(known, T0 + 3600), (known, T0 + 7200), (known, T0 + 3 * 3600),
                                    (known, T0 + 4 * 3600), (stranger, T0)}
    with read_tx(engine) as conn:
        cells = {(c, start, length): n for c, start, length, n in conn.execute(
            select(count_cell.c.counter_id, count_cell.c.start_ts, count_cell.c.length_s,
                   count_cell.c.in_count))}
    assert cells == {(known, T0, 60): 3, (known, T0 + 3600, 60): 9, (known, T0 + 7200, 60): 2,
                     (known, T0 + 3 * 3600 + 3300, 900): 5, (stranger, T0, 60): 6}
