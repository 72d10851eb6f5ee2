"""The changes feed: which buckets were restated since an instant (DESIGN §3, late data)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from footfall.domain.timegrid import iso, local_date, local_midnight_ts, zone
from footfall.storage.tables import counter, counter_hour, site


def _stamp(revised_us: int) -> str:
    return datetime.fromtimestamp(revised_us / 1_000_000, UTC).isoformat()


def changes(conn: Connection, company_id: int, since_us: int, limit: int) -> dict[str, Any]:
    """Counter hours, site hours and site days whose numbers changed at or after `since_us`."""
    rows = conn.execute(
        select(counter_hour.c.start_ts, counter_hour.c.length_s, counter_hour.c.revised_us,
               counter.c.serial, site.c.id, site.c.code, site.c.timezone)
        .select_from(counter_hour.join(counter, counter.c.id == counter_hour.c.counter_id)
                     .outerjoin(site, site.c.id == counter.c.site_id))
        .where(counter.c.company_id == company_id, counter_hour.c.revised_us >= since_us)
        .order_by(counter_hour.c.revised_us).limit(limit + 1)
    ).all()
    truncated = len(rows) > limit
    rows = rows[:limit]
    restated: dict[tuple, dict[str, Any]] = {}
    for start, length, revised, serial, site_id, code, tz_name in rows:
        tz = zone(tz_name or "UTC")
        entries = [(("counter", serial, "hour", start),
                    {"level": "counter", "serial": serial, "interval": "hour",
                     "start": iso(start, tz), "end": iso(start + length, tz)})]
        if site_id is not None:
            day = local_date(start, tz)
            day_start = local_midnight_ts(day, tz)
            day_end = local_midnight_ts(day.fromordinal(day.toordinal() + 1), tz)
            entries.append((("site", site_id, "hour", start),
                            {"level": "site", "id": site_id, "code": code, "interval": "hour",
                             "start": iso(start, tz), "end": iso(start + length, tz)}))
            entries.append((("site", site_id, "day", day_start),
                            {"level": "site", "id": site_id, "code": code, "interval": "day",
                             "start": iso(day_start, tz), "end": iso(day_end, tz)}))
        for key, entry in entries:
            kept = restated.setdefault(key, {**entry, "_us": revised})
            kept["_us"] = max(kept["_us"], revised)
    data = sorted(restated.values(), key=lambda e: (e["_us"], e["level"], e["start"]))
    until = max((e["_us"] for e in data), default=since_us)
    return {
        "data": [{**{k: v for k, v in e.items() if k != "_us"}, "last_revised": _stamp(e["_us"])}
                 for e in data],
        "until": _stamp(until) if data else None,
        "truncated": truncated,
    }
