"""The poller's rows: counters on channel "bacnet" and their `pull_state` (watermark, health)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection

from footfall.connectors.bacnet.config import DEFAULT_PORT, CounterTarget
from footfall.connectors.bacnet.parse import device_instance
from footfall.storage.tables import counter, site
from footfall.storage.tables_pull import pull_state

CHANNEL = "bacnet"
Broken = tuple[int, str, str]  # counter id, serial, why it cannot be polled


def load_targets(conn: Connection, company_id: int | None = None) -> tuple[list[CounterTarget], list[Broken]]:
    """Active counters on channel "bacnet" with their address, zone and watermark; the unusable apart."""
    joined = (counter.outerjoin(site, site.c.id == counter.c.site_id)
              .outerjoin(pull_state, and_(pull_state.c.counter_id == counter.c.id,
                                          pull_state.c.channel == CHANNEL)))
    query = (select(counter.c.id, counter.c.company_id, counter.c.serial, counter.c.company_serial,
                    counter.c.host, counter.c.port, site.c.timezone, pull_state.c.watermark_ts)
             .select_from(joined).where(counter.c.channel == CHANNEL, counter.c.active.is_(True))
             .order_by(counter.c.id))
    if company_id is not None:
        query = query.where(counter.c.company_id == company_id)
    targets, broken = [], []
    for row in conn.execute(query).mappings():
        if not row["host"]:
            broken.append((row["id"], row["serial"], "host: not set (the counter's BACnet/IP address)"))
        elif not row["timezone"]:
            broken.append((row["id"], row["serial"], "site: not assigned (its BACnet hours are local hours)"))
        else:
            targets.append(CounterTarget(counter_id=row["id"], company_id=row["company_id"],
                                         serial=row["serial"], host=row["host"],
                                         port=row["port"] or DEFAULT_PORT, timezone=row["timezone"],
                                         watermark_ts=row["watermark_ts"],
                                         device_instance=device_instance(row["company_serial"])))
    return targets, broken


def _state(conn: Connection, counter_id: int) -> dict[str, Any] | None:
    found = conn.execute(select(pull_state).where(pull_state.c.counter_id == counter_id,
                                                  pull_state.c.channel == CHANNEL)).mappings().first()
    return dict(found) if found else None


def _write(conn: Connection, counter_id: int, values: dict[str, Any]) -> None:
    if _state(conn, counter_id) is None:
        conn.execute(insert(pull_state).values(counter_id=counter_id, channel=CHANNEL, **values))
    else:
        conn.execute(update(pull_state).where(pull_state.c.counter_id == counter_id,
                                              pull_state.c.channel == CHANNEL).values(values))


def record_failure(conn: Connection, counter_id: int, error: str) -> int:
    """Note a failed poll; returns the failures in a row (1 = it just started failing)."""
    now = datetime.now(UTC)
    failures = ((_state(conn, counter_id) or {}).get("failures") or 0) + 1
    _write(conn, counter_id, {"last_attempt_at": now, "last_error": error[:2000], "last_error_at": now,
                              "failures": failures})
    return failures


def record_success(conn: Connection, counter_id: int, watermark_ts: int) -> int:
    """Note a stored poll and move the watermark forward (never back); returns the failures it ends."""
    now = datetime.now(UTC)
    state = _state(conn, counter_id) or {}
    mark = max(watermark_ts, state.get("watermark_ts") or 0)
    _write(conn, counter_id, {"last_attempt_at": now, "last_success_at": now, "watermark_ts": mark,
                              "failures": 0})
    return int(state.get("failures") or 0)


def health(conn: Connection, counter_id: int) -> dict[str, Any] | None:
    """A counter's BACnet pull state (watermark, last success, last error, failures)."""
    return _state(conn, counter_id)
