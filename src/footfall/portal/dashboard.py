"""The dashboard's numbers: report rows of the company, a site group or a site, and their parts.

Every series comes from `footfall.query.counts` (`report` / `report_parts`), the functions
behind /api/v1/counts; a site group and the company line up their sites there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine

from footfall.domain.conversion import NO_SALES
from footfall.domain.timegrid import Interval
from footfall.domain.verification import Policy
from footfall.estate.common import Row
from footfall.estate.counters import list_counters
from footfall.estate.site_groups import list_site_groups
from footfall.estate.sites import find_site, list_sites
from footfall.portal.view import COMPARISONS, View, compared_range
from footfall.query.counts import (
    CountsRequest,
    combine,
    counter_ids,
    counters_of,
    public,
    report,
    report_parts,
    scope,
)
from footfall.query.sales import combine_sales
from footfall.query.scope import Level
from footfall.rollup.refresher import refresh
from footfall.storage.engine import read_tx

Rows = list[dict[str, Any]]


def series(engine: Engine, company_id: int, level: str, ident: str, interval: Interval,
           first: date, last: date, policy: Policy, now_ts: int) -> Rows:
    """Report rows of one entity, after folding in what was ingested since the last rollup."""
    request = CountsRequest(company_id, Level(level), ident, interval, first, last)
    with read_tx(engine) as conn:
        ids = counter_ids(conn, request)
    refresh(engine, ids)
    with read_tx(engine) as conn:
        return public(report(conn, request, now_ts, policy))


def site_series(engine: Engine, company_id: int, level: str, ident: str, interval: Interval,
                first: date, last: date, policy: Policy, now_ts: int) -> tuple[Rows, dict[str, Rows]]:
    """The rows of a site group or the company, and each of its sites' own rows by site code."""
    request = CountsRequest(company_id, Level(level), ident, interval, first, last)
    with read_tx(engine) as conn:
        units = scope(conn, request)
    refresh(engine, counters_of(units))
    with read_tx(engine) as conn:
        units, per_site = report_parts(conn, request, now_ts, policy, units)
    combined = combine(units, per_site) if per_site else []
    return public(combined), {unit.key: public(rows) for unit, rows in zip(units, per_site, strict=True)}


def totals(rows: Rows) -> dict[str, Any]:
    """One line of totals over a series: visitors, outside traffic, peak occupancy, statuses."""
    visitors_in = sum(r["in"] for r in rows)
    outside_values = [r["outside_traffic"] for r in rows if r["outside_traffic"] is not None]
    outside = sum(outside_values) if outside_values else None
    statuses: dict[str, int] = {}
    for r in rows:
        for key in (r["aggregation_status"], r["verification_status"]):
            statuses[key] = statuses.get(key, 0) + 1
    return {
        "in": visitors_in, "out": sum(r["out"] for r in rows), "outside_traffic": outside,
        "turn_in_rate": round(visitors_in / outside, 4) if outside else None,
        "turn_in_percent": visitors_in * 100 / outside if outside else None,
        "peak_occupancy": max((r["occupancy"] for r in rows), default=0),
        "buckets": len(rows), "statuses": statuses,
    }


@dataclass(slots=True)
class Dashboard:
    """What one dashboard view shows."""

    title: str
    rows: Rows
    comparisons: dict[str, dict[str, Any]] = field(default_factory=dict)
    children: list[dict[str, Any]] = field(default_factory=list)
    crumbs: list[tuple[str, str, str]] = field(default_factory=list)  # (label, level, id)
    # Sales totals of the whole view: transactions / visitors in of the site-buckets with sales.
    sales: dict[str, Any] = field(default_factory=lambda: {**NO_SALES, "conversion_percent": None})


def pooled_sales(rows: Rows) -> dict[str, Any]:
    """The sales keys of site rows, pooled: each site-bucket with sales counts its own visitors.

    With `conversion_percent`, the exact rate for a tile: the rates are rounded to four
    decimals, and a percentage with one decimal made from one would be rounded twice
    (357 / 1,121 = 31.85 % once rounded, shown as 31.9 % instead of 31.8 %).
    """
    sales = combine_sales(rows)
    visitors = sum(r["in"] for r in rows if r.get("transactions") is not None)
    transactions = sales["transactions"]
    exact = transactions is not None and visitors
    sales["conversion_percent"] = transactions * 100 / visitors if exact else None
    return sales


def _child(label: str, level: str, ident: str, rows: Rows) -> dict[str, Any]:
    return {"label": label, "level": level, "id": ident, **totals(rows), **pooled_sales(rows)}


def build(engine: Engine, company_id: int, company_name: str, view: View, policy: Policy,
          now_ts: int) -> Dashboard:
    """The view's series, its comparisons, and its parts one level down (for the drill-down)."""
    args = (view.interval, view.first, view.last, policy, now_ts)
    crumbs = [(company_name, "company", "")]
    if view.level == "company":
        rows, per_site = site_series(engine, company_id, "company", "", *args)
        with read_tx(engine) as conn:
            sites, groups = list_sites(conn, company_id), list_site_groups(conn, company_id)
        board = Dashboard(company_name, rows, crumbs=crumbs,
                          sales=pooled_sales([r for site_rows in per_site.values() for r in site_rows]))
        code_of = {s["id"]: s["code"] for s in sites}
        for g in groups:
            member_rows = [r for sid in g["site_ids"] for r in per_site.get(code_of.get(sid, ""), [])]
            board.children.append(_child(g["name"], "site_group", str(g["id"]), member_rows))
        board.children += [_child(f"{s['code']} · {s['name']}", "site", str(s["id"]),
                                  per_site.get(s["code"], [])) for s in sites]
    elif view.level == "site_group":
        rows, per_site = site_series(engine, company_id, "site_group", view.ident, *args)
        with read_tx(engine) as conn:
            group = next((g for g in list_site_groups(conn, company_id)
                          if str(g["id"]) == view.ident or g["name"] == view.ident), None)
            sites = [s for s in list_sites(conn, company_id)
                     if group is not None and s["id"] in group["site_ids"]]
        title = group["name"] if group else view.ident
        board = Dashboard(title, rows, crumbs=[*crumbs, (title, "site_group", view.ident)])
        board.children = [_child(f"{s['code']} · {s['name']}", "site", str(s["id"]),
                                 per_site.get(s["code"], [])) for s in sites]
        board.sales = pooled_sales([r for site_rows in per_site.values() for r in site_rows])
    else:
        rows = series(engine, company_id, "site", view.ident, *args)
        with read_tx(engine) as conn:
            site: Row = find_site(conn, company_id, view.ident)
            doors = list_counters(conn, company_id, site_id=site["id"])
        title = f"{site['code']} · {site['name']}"
        board = Dashboard(title, rows, crumbs=[*crumbs, (title, "site", str(site["id"]))],
                          sales=pooled_sales(rows))
        board.children = [_child(f"{c['name'] or c['serial']} ({c['serial']})", "counter", str(c["id"]),
                                 series(engine, company_id, "counter", str(c["id"]), *args))
                          for c in doors]
    for kind in view.compare:
        first, last = compared_range(view, kind)
        board.comparisons[kind] = {
            "label": COMPARISONS[kind], "from": first.isoformat(), "to": last.isoformat(),
            "rows": series(engine, company_id, view.level, view.ident, view.interval, first, last,
                           policy, now_ts)}
    return board
