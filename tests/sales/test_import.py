"""Imports into the database: all or nothing, valid rows on request, idempotent re-imports."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.estate.errors import NotFound
from footfall.sales import store
from footfall.sales.importer import ImportRequest, import_sales
from footfall.sales.problems import LOG_HEADER
from footfall.sales.store import get_import
from footfall.storage.engine import read_tx
from footfall.storage.tables_sales import sales_hour
from tests.api.helpers import Tenant
from tests.sales.helpers import BAD_ROWS, HEADER, sample_text, with_bad_row


def _ts(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())


def stored(engine: Engine) -> dict[tuple[int, int], tuple[int, int]]:
    """(site id, UTC start) → (transactions, cents) of every stored sales hour."""
    with read_tx(engine) as conn:
        rows = conn.execute(select(sales_hour.c.site_id, sales_hour.c.start_ts,
                                   sales_hour.c.transactions, sales_hour.c.value_cents))
        return {(s, t): (q, c) for s, t, q, c in rows}


def run(engine: Engine, tenant: Tenant, data: bytes | str, valid_rows_only: bool = False):  # type: ignore[no-untyped-def]
    raw = data.encode() if isinstance(data, str) else data
    request = ImportRequest(tenant.company_id, "sales.csv", "cli", valid_rows_only=valid_rows_only)
    return import_sales(engine, request, io.BytesIO(raw))


def test_the_seeds_format_is_stored_per_site_and_utc_hour_start(engine: Engine, a: Tenant) -> None:
    outcome = run(engine, a, sample_text())
    assert (outcome.status, outcome.rows_imported, outcome.hours_written) == ("imported", 8, 4)
    hours = {t: v for (_s, t), v in stored(engine).items()}
    # KUL01 is UTC+8: local 10:00 starts at 02:00 UTC. LDN01 is on GMT in March.
    assert hours[_ts(2024, 3, 1, 2)] == (6, 7049)
    assert hours[_ts(2024, 3, 1, 3)] == (6, 15010)
    assert hours[_ts(2024, 3, 1, 10)] == (6, 25999)
    assert hours[_ts(2024, 3, 2, 9)] == (0, 0)


def test_one_bad_row_of_any_kind_imports_nothing_and_the_log_names_it(engine: Engine, a: Tenant) -> None:
    for bad, field, reason in BAD_ROWS:
        data, line = with_bad_row(bad)
        outcome = run(engine, a, data)
        assert outcome.status == "failed" and outcome.rows_imported == 0, bad
        assert stored(engine) == {}
        with read_tx(engine) as conn:
            log = get_import(conn, a.company_id, outcome.import_id, with_log=True)["log"]
        header, first, *_ = log.splitlines()
        assert header == ",".join(LOG_HEADER)
        assert first.startswith(f"{line},{field},") and reason in first, (bad, first)


def test_valid_rows_only_stores_the_good_rows_and_logs_the_bad(engine: Engine, a: Tenant) -> None:
    data, line = with_bad_row(BAD_ROWS[0][0])
    outcome = run(engine, a, data, valid_rows_only=True)
    assert (outcome.status, outcome.rows_imported, outcome.rows_rejected) == ("partial", 8, 1)
    assert len(stored(engine)) == 4
    assert outcome.errors[0].line == line


def test_reimporting_a_period_replaces_it(engine: Engine, a: Tenant) -> None:
    run(engine, a, sample_text())
    first = stored(engine)
    run(engine, a, sample_text())
    assert stored(engine) == first  # idempotent
    corrected = HEADER + "\r\nKUL01,01-03-2024 10:30,9,90.00\r\nKUL01,01-03-2024 11:00,1,1.00\r\n"
    run(engine, a, corrected)
    after = stored(engine)
    kul = {t: v for (s, t), v in after.items() if (s, t) in first and t < _ts(2024, 3, 1, 5)}
    assert kul == {_ts(2024, 3, 1, 2): (9, 9000), _ts(2024, 3, 1, 3): (1, 100)}
    assert len(after) == 4  # LDN01 untouched


def test_another_company_with_the_same_site_codes_is_apart(engine: Engine, a: Tenant, b: Tenant) -> None:
    run(engine, a, sample_text())
    outcome = run(engine, b, HEADER + "\r\nKUL01,01-03-2024 10:00,1,1.00\r\n")
    assert outcome.status == "imported"
    assert len({s for s, _t in stored(engine)}) == 3  # A's two sites, B's KUL01
    with read_tx(engine) as conn, pytest.raises(NotFound):
        get_import(conn, a.company_id, outcome.import_id)


def test_hours_stored_a_slice_at_a_time_are_all_there(engine: Engine, a: Tenant,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "ROWS_PER_INSERT", 7)
    rows = [f"{code},{day:02d}-03-2024 {h:02d}:30,{day},{h}.05" for code in ("KUL01", "LDN01")
            for day in range(1, 4) for h in range(24)]
    outcome = run(engine, a, HEADER + "\r\n" + "\r\n".join(rows) + "\r\n")
    assert (outcome.status, outcome.hours_written) == ("imported", 144)
    hours = stored(engine)
    assert len(hours) == 144 and sum(q for q, _c in hours.values()) == 2 * 24 * (1 + 2 + 3)
    assert sum(c for _q, c in hours.values()) == 2 * 3 * sum(h * 100 + 5 for h in range(24))
