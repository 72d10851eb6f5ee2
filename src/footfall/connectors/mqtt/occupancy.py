"""Store what an MQTT batch carries besides events: zone occupancy, counter presence, refusals.

Events go through the ingest core; these rows are written here, in one short transaction per
batch. Unknown serials become unassigned counters, exactly as the ingest core keeps them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Connection

from footfall.connectors.mqtt.parse import Batch, Fault
from footfall.storage import dialect
from footfall.storage.tables import channel_fault, counter, zone_occupancy

CHANNEL = "mqtt"
MAX_ERROR_CHARS = 500


def counter_ids(conn: Connection, company_id: int, serials: Iterable[str], now: datetime) -> dict[str, int]:
    """Counter ids by serial; a serial never seen before is kept as an unassigned counter."""
    wanted = sorted(set(serials))
    if not wanted:
        return {}
    found = _lookup(conn, company_id, wanted)
    missing = [s for s in wanted if s not in found]
    if missing:
        conn.execute(
            dialect.insert_ignore(conn, counter, ["company_id", "serial"]),
            [{"company_id": company_id, "serial": s, "active": True, "first_seen_at": now,
              "created_at": now} for s in missing],
        )
        found.update(_lookup(conn, company_id, missing))
    return found


def _lookup(conn: Connection, company_id: int, serials: list[str]) -> dict[str, int]:
    rows = conn.execute(select(counter.c.serial, counter.c.id).where(
        and_(counter.c.company_id == company_id, counter.c.serial.in_(serials))))
    return {serial: cid for serial, cid in rows}


def store_batch(conn: Connection, company_id: int, batch: Batch, now: datetime) -> None:
    """Write the batch's occupancy rows, presence changes and faults (events are not touched)."""
    offline = [s for s, online in batch.presence.items() if not online]
    ids = counter_ids(conn, company_id, [*(o.serial for o in batch.occupancy), *offline], now)
    if batch.occupancy:
        now_ts = int(now.timestamp())
        rows = {(ids[o.serial], o.roi_id, o.at_ts): o for o in batch.occupancy}  # last one wins
        conn.execute(
            dialect.upsert(conn, zone_occupancy, ["counter_id", "roi_id", "at_ts"],
                           ["object_count", "occupancy_type", "received_ts"]),
            [{"counter_id": cid, "roi_id": roi, "at_ts": at, "object_count": o.object_count,
              "occupancy_type": o.occupancy_type, "received_ts": now_ts}
             for (cid, roi, at), o in sorted(rows.items(), key=lambda item: item[0])],
        )
    if offline:
        conn.execute(update(counter).where(counter.c.id.in_(sorted(ids[s] for s in offline)))
                     .values(offline_at=now))
    back = sorted(s for s, online in batch.presence.items() if online)
    if back:
        conn.execute(update(counter).where(
            counter.c.company_id == company_id, counter.c.serial.in_(back),
            counter.c.offline_at.is_not(None)).values(offline_at=None))
    record_faults(conn, company_id, batch.faults, now)


def record_faults(conn: Connection, company_id: int, faults: list[Fault], now: datetime) -> None:
    """Count refused payloads per serial, keeping the last reason."""
    if not faults:
        return
    counts = Counter(f.serial for f in faults)
    last = {f.serial: f.error[:MAX_ERROR_CHARS] for f in faults}
    for serial in sorted(counts):
        key = and_(channel_fault.c.company_id == company_id, channel_fault.c.serial == serial,
                   channel_fault.c.channel == CHANNEL)
        bump = update(channel_fault).where(key).values(
            count=channel_fault.c.count + counts[serial], last_error=last[serial], last_at=now)
        if conn.execute(bump).rowcount:
            continue
        row = {"company_id": company_id, "serial": serial, "channel": CHANNEL,
               "count": counts[serial], "last_error": last[serial], "last_at": now}
        inserted = conn.execute(
            dialect.insert_ignore(conn, channel_fault, ["company_id", "serial", "channel"]), row)
        if not inserted.rowcount:
            conn.execute(bump)  # another hub worker created the row meanwhile
