"""Sales at rest: replace a period's hours, record imports, read the history back."""

from __future__ import annotations

from itertools import repeat
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection

from footfall.domain.timegrid import zone
from footfall.estate.common import Row, as_utc
from footfall.estate.errors import NotFound
from footfall.sales.hours import SiteHours
from footfall.storage.dialect import insert_many
from footfall.storage.tables import site
from footfall.storage.tables_sales import sales_hour, sales_import

HOUR_COLUMNS = ("site_id", "start_ts", "transactions", "value_cents", "import_id")
ROWS_PER_INSERT = 1000
# One site's hours from its first to its last, as text: a typed statement's first compile in
# a process costs more than the whole delete.
_DELETE_SPAN = text("DELETE FROM sales_hour WHERE site_id = :site AND start_ts BETWEEN :first AND :last")
# The history list leaves the log out: it can be megabytes.
SUMMARY_COLUMNS = [c for c in sales_import.c if c.name != "log"]


def company_sites(conn: Connection, company_id: int) -> dict[str, tuple[int, ZoneInfo]]:
    """Site code → (site id, time zone) of every site of the company."""
    rows = conn.execute(select(site.c.code, site.c.id, site.c.timezone)
                        .where(site.c.company_id == company_id))
    return {code: (site_id, zone(tz)) for code, site_id, tz in rows}


def replace_hours(conn: Connection, hours: SiteHours, import_id: int) -> int:
    """Store `hours`; per site, every stored hour from its first to its last hour is replaced.

    So a re-import of the same period gives the same rows (idempotent), and a corrected file
    also removes hours that are no longer in it.
    """
    if hours.spans:
        conn.execute(_DELETE_SPAN, [{"site": site_id, "first": first, "last": last}
                                    for site_id, (first, last) in hours.spans.items()])
    # In key order (the index grows at its end), a slice at a time: the row tuples of a small
    # slice are gone before the garbage collector walks them, as it would a quarter million.
    columns = (hours.site_ids, hours.starts, hours.transactions, hours.cents)
    for at in range(0, len(hours), ROWS_PER_INSERT):
        insert_many(conn, sales_hour, HOUR_COLUMNS,
                    list(zip(*(column[at : at + ROWS_PER_INSERT] for column in columns), repeat(import_id))))
    return len(hours)


def record_import(conn: Connection, company_id: int, values: dict[str, Any]) -> int:
    """Add one import to the history; its id."""
    return conn.execute(insert(sales_import).values(company_id=company_id, **values)
                        .returning(sales_import.c.id)).scalar_one()


def _public(row: Any) -> Row:
    values = dict(row._mapping)
    for key in ("started_at", "finished_at"):
        values[key] = as_utc(values[key])
    return values


def list_imports(conn: Connection, company_id: int, limit: int = 100,
                 schedule_id: int | None = None) -> list[Row]:
    """The company's imports, newest first, without their logs."""
    query = (select(*SUMMARY_COLUMNS).where(sales_import.c.company_id == company_id)
             .order_by(sales_import.c.id.desc()).limit(limit))
    if schedule_id is not None:
        query = query.where(sales_import.c.schedule_id == schedule_id)
    return [_public(row) for row in conn.execute(query)]


def get_import(conn: Connection, company_id: int, import_id: int, with_log: bool = False) -> Row:
    """One import of the company; NotFound otherwise (also for another company's)."""
    columns = list(sales_import.c) if with_log else SUMMARY_COLUMNS
    row = conn.execute(select(*columns).where(sales_import.c.id == import_id,
                                              sales_import.c.company_id == company_id)).first()
    if row is None:
        raise NotFound(f"import {import_id}: no such sales import", field="id")
    return _public(row)
