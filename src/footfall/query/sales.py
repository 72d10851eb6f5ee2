"""Sales beside the counts: transactions and value per bucket, and the ratios built on them.

Sales are kept per site and local hour, so they exist for site, site group and company rows
of an hour or longer; other rows carry the same keys as None. Ratios are computed from the
bucket's totals (DESIGN §3); a site group or the company divides by the visitors of the
member sites that have sales in the bucket, so a site without sales data does not dilute
the rate.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from footfall.domain.conversion import NO_SALES, sales_fields
from footfall.domain.timegrid import Interval
from footfall.query.scope import Level, Member
from footfall.storage.tables import site
from footfall.storage.tables_sales import sales_hour

SALES_LEVELS = frozenset({Level.SITE, Level.SITE_GROUP, Level.COMPANY})
SALES_INTERVALS = frozenset({Interval.HOUR, Interval.DAY, Interval.WEEK, Interval.MONTH})
SALES_KEYS = tuple(NO_SALES)


def add_sales(conn: Connection, company_id: int, level: Level, interval: Interval,
              units: list[Member], per_member: list[list[dict[str, Any]]]) -> None:
    """Put the sales keys on every row of every member (in place)."""
    if level not in SALES_LEVELS or interval not in SALES_INTERVALS:
        for rows in per_member:
            _without_sales(rows)
        return
    ids = dict(conn.execute(select(site.c.code, site.c.id).where(
        site.c.company_id == company_id, site.c.code.in_([m.key for m in units]))).all())
    for member, rows in zip(units, per_member, strict=True):
        sums = _bucket_sums(conn, ids[member.key], rows) if rows else {}
        if not sums:  # the usual case: a site without sales in range
            _without_sales(rows)
            continue
        for i, row in enumerate(rows):
            found = sums.get(i)
            row.update(NO_SALES if found is None else sales_fields(*found, row["in"]))


def _without_sales(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        row.update(NO_SALES)


def _bucket_sums(conn: Connection, site_id: int, rows: list[dict[str, Any]]) -> dict[int, tuple[int, int]]:
    """Row index → (transactions, cents) of the site's sales hours inside that row's bucket."""
    found = conn.execute(
        select(sales_hour.c.start_ts, sales_hour.c.transactions, sales_hour.c.value_cents)
        .where(sales_hour.c.site_id == site_id,
               sales_hour.c.start_ts >= rows[0]["_bucket"].start_ts,
               sales_hour.c.start_ts < rows[-1]["_bucket"].end_ts)).all()
    if not found:
        return {}
    buckets = [row["_bucket"] for row in rows]
    starts = [b.start_ts for b in buckets]
    sums: dict[int, list[int]] = {}
    for start_ts, transactions, cents in found:
        i = bisect_right(starts, start_ts) - 1
        if i >= 0 and start_ts < buckets[i].end_ts:
            cell = sums.setdefault(i, [0, 0])
            cell[0] += transactions
            cell[1] += cents
    return {i: (t, c) for i, (t, c) in sums.items()}


def combine_sales(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The sales keys of a site group bucket from its member sites' rows."""
    with_sales = [r for r in rows if r.get("transactions") is not None]
    if not with_sales:
        return dict(NO_SALES)
    transactions = sum(r["transactions"] for r in with_sales)
    cents = sum(round(r["sales_value"] * 100) for r in with_sales)
    return sales_fields(transactions, cents, sum(r["in"] for r in with_sales))
