"""Every counter's health: channel, online or not, last data, last error, 7 days of coverage."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.estate.common import as_utc
from footfall.estate.counters import list_counters
from footfall.estate.sites import list_sites
from footfall.rollup.refresher import refresh
from footfall.storage.engine import read_tx
from footfall.storage.tables import channel_fault, counter, counter_hour
from footfall.storage.tables_pull import pull_state

HOURS = 7 * 24
# How long after its last data a counter still counts as online, by channel: live push is
# continuous, pulled channels are polled, counter FTP files come once a day.
ONLINE_WITHIN: dict[str, timedelta] = {
    "websocket": timedelta(minutes=10), "mqtt": timedelta(minutes=10),
    "device_api": timedelta(hours=2), "bacnet": timedelta(hours=2),
    "ftp": timedelta(hours=26), "file_drop": timedelta(hours=26),
}
DEFAULT_ONLINE_WITHIN = timedelta(hours=2)


def connection_state(last_seen: datetime | None, offline_at: datetime | None, channel: str | None,
                     now: datetime) -> str:
    """`online`, `offline` (told so by its channel, or silent too long) or `never` (no data yet)."""
    if last_seen is None:
        return "never"
    if offline_at is not None:
        return "offline"
    within = ONLINE_WITHIN.get(channel or "", DEFAULT_ONLINE_WITHIN)
    return "online" if now - last_seen <= within else "offline"


def coverage_grid(hours: Iterable[tuple[int, int, int, int]], window_start: int) -> dict[int, list[float]]:
    """Share of each hour of the window covered, per counter, from (counter, start, length, covered)."""
    grid: dict[int, list[float]] = {}
    for counter_id, start_ts, length_s, covered_s in hours:
        index = (start_ts - window_start) // 3600
        if 0 <= index < HOURS and length_s > 0:
            row = grid.setdefault(counter_id, [0.0] * HOURS)
            row[index] = min(1.0, round(row[index] + covered_s / length_s, 3))
    return grid


def _last_errors(conn: Any, company_id: int) -> dict[str, tuple[datetime, str, str]]:
    """Latest refusal or pull failure per serial: (when, channel, message)."""
    latest: dict[str, tuple[datetime, str, str]] = {}

    def keep(serial: str, at: datetime | None, channel: str, message: str | None) -> None:
        at = as_utc(at)
        if at is not None and message and (serial not in latest or latest[serial][0] < at):
            latest[serial] = (at, channel, message)

    for row in conn.execute(select(channel_fault).where(channel_fault.c.company_id == company_id)):
        keep(row.serial, row.last_at, row.channel, row.last_error)
    for row in conn.execute(
        select(counter.c.serial, pull_state.c.channel, pull_state.c.last_error, pull_state.c.last_error_at)
        .join(counter, counter.c.id == pull_state.c.counter_id).where(counter.c.company_id == company_id)
    ):
        keep(row.serial, row.last_error_at, row.channel, row.last_error)
    return latest


def counter_health(engine: Engine, company_id: int, now: datetime) -> tuple[list[dict[str, Any]], list[str]]:
    """One row per counter of the company (unassigned too), and the window's hour labels (UTC)."""
    with read_tx(engine) as conn:
        counters = list_counters(conn, company_id)
    refresh(engine, [c["id"] for c in counters])
    window_start = (int(now.timestamp()) // 3600 - HOURS + 1) * 3600
    with read_tx(engine) as conn:
        codes = {s["id"]: s["code"] for s in list_sites(conn, company_id)}
        errors = _last_errors(conn, company_id)
        hours = conn.execute(
            select(counter_hour.c.counter_id, counter_hour.c.start_ts, counter_hour.c.length_s,
                   counter_hour.c.covered_s)
            .where(counter_hour.c.counter_id.in_([c["id"] for c in counters]),
                   counter_hour.c.start_ts >= window_start - 3600)
        ).all()
    grid = coverage_grid(((h[0], h[1], h[2], h[3]) for h in hours), window_start)
    rows = []
    for c in counters:
        coverage = grid.get(c["id"], [0.0] * HOURS)
        error = errors.get(c["serial"])
        rows.append({
            "id": c["id"], "serial": c["serial"], "name": c["name"], "site_id": c["site_id"],
            "site": codes.get(c["site_id"]), "channel": c["channel"],
            "status": connection_state(as_utc(c["last_seen_at"]), c["offline_at"], c["channel"], now),
            "last_data": as_utc(c["last_seen_at"]), "last_error": error[2] if error else None,
            "last_error_at": error[0] if error else None, "last_error_channel": error[1] if error else None,
            "coverage_7d": round(sum(coverage) / HOURS, 4), "coverage": coverage,
        })
    labels = [datetime.fromtimestamp(window_start + 3600 * i, UTC).strftime("%Y-%m-%d %H:00")
              for i in range(HOURS)]
    return rows, labels
