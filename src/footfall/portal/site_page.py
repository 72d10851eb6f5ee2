"""A site's day so far: hourly profile, doors side by side, and the numbers the live stream updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from footfall.domain.timegrid import Interval, local_date, zone
from footfall.domain.verification import Policy
from footfall.estate.counters import list_counters
from footfall.estate.sites import find_site, list_sites
from footfall.portal.dashboard import Rows, series, totals
from footfall.storage.engine import read_tx

SITE_FIELDS = ("id", "code", "name", "city", "country", "timezone", "capacity")


def occupancy_now(rows: Rows, now_ts: int) -> int:
    """Occupancy at the end of the latest bucket that has started (running in − out today)."""
    current = [r for r in rows if datetime.fromisoformat(r["start"]).timestamp() <= now_ts]
    return current[-1]["occupancy"] if current else 0


def site_today(engine: Engine, company_id: int, ident: str, policy: Policy, now_ts: int) -> dict[str, Any]:
    """Today (local) at a site of the company: hourly rows, per-door rows, totals so far."""
    with read_tx(engine) as conn:
        site = find_site(conn, company_id, ident)
        doors = list_counters(conn, company_id, site_id=site["id"])
    day = local_date(now_ts, zone(site["timezone"]))
    args = (Interval.HOUR, day, day, policy, now_ts)
    hourly = series(engine, company_id, "site", str(site["id"]), *args)
    door_rows = []
    for door in doors:
        rows = series(engine, company_id, "counter", str(door["id"]), *args)
        door_rows.append({"id": door["id"], "serial": door["serial"], "name": door["name"] or door["serial"],
                          **totals(rows), "data": rows})
    return {
        "site": {k: site[k] for k in SITE_FIELDS}, "day": day.isoformat(),
        "so_far": {**totals(hourly), "occupancy": occupancy_now(hourly, now_ts)},
        "hourly": hourly, "doors": door_rows,
    }


def site_list(engine: Engine, company_id: int) -> list[dict[str, Any]]:
    """The company's sites with their number of counters."""
    with read_tx(engine) as conn:
        sites = list_sites(conn, company_id)
        counts: dict[int, int] = {}
        for c in list_counters(conn, company_id, unassigned=False):
            counts[c["site_id"]] = counts.get(c["site_id"], 0) + 1
    return [{**{k: s[k] for k in SITE_FIELDS}, "counters": counts.get(s["id"], 0)} for s in sites]
