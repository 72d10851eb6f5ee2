"""Counter ids and sites by (company, serial), kept by the writer between groups.

Every group names its counters by serial; looking up a fleet's thousand serials cost a query
per company in every group. What a lookup found is kept while the estate stands: triggers
bump `estate_version` whenever a counter is moved, renamed or deleted (migration 0010), and
the writer reads that one row at the start of each group. Unknown serials are stored as
unassigned counters, never dropped; what a group found or created is kept only once its
transaction has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Set
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from footfall.storage import dialect
from footfall.storage.tables import counter

log = logging.getLogger(__name__)

CounterKey = tuple[int, str]  # company id, serial
Found = tuple[int, int | None]  # counter id, site id (None: unassigned)


class CounterIds:
    """The writer's memory of counter ids, valid for one estate version."""

    def __init__(self) -> None:
        self._kept: dict[CounterKey, Found] = {}
        self._pending: dict[CounterKey, Found] = {}
        self._version: int | None = None
        self._warned = False

    def find(self, conn: Connection, wanted: Mapping[int, Set[str]],
             now: datetime) -> dict[CounterKey, Found]:
        """Every wanted (company, serial)'s counter, creating unknown serials as unassigned."""
        version = conn.exec_driver_sql("SELECT version FROM estate_version").scalar()
        if version is None or version != self._version:  # no row: nothing can be kept safely
            if version is None and not self._warned:
                log.warning("estate_version has no row: counters are looked up in every group")
                self._warned = True
            self._kept.clear()
            self._version = version
        kept = self._kept
        found: dict[CounterKey, Found] = {}
        for company_id, serials in wanted.items():
            keys = [(company_id, s) for s in serials]
            found.update((k, kept[k]) for k in keys if k in kept)
            unknown = sorted(s for c, s in keys if (c, s) not in found)
            if unknown:
                looked_up = _look_up(conn, company_id, unknown, now)
                found.update(looked_up)
                self._pending.update(looked_up)
        return found

    def committed(self) -> None:
        """The group's transaction committed: what it found or created is kept."""
        if self._version is not None:
            self._kept.update(self._pending)
        self._pending.clear()

    def rolled_back(self) -> None:
        """The group's transaction failed: start the next group from the database."""
        self._pending.clear()
        self._kept.clear()
        self._version = None


def _look_up(conn: Connection, company_id: int, serials: list[str], now: datetime) -> dict[CounterKey, Found]:
    found = _select(conn, company_id, serials)
    missing = [s for s in serials if (company_id, s) not in found]
    if missing:
        conn.execute(
            dialect.insert_ignore(conn, counter, ["company_id", "serial"]),
            [{"company_id": company_id, "serial": s, "active": True,
              "first_seen_at": now, "created_at": now} for s in missing],
        )
        found.update(_select(conn, company_id, missing))
    return found


def _select(conn: Connection, company_id: int, serials: list[str]) -> dict[CounterKey, Found]:
    rows = conn.execute(
        select(counter.c.id, counter.c.serial, counter.c.site_id).where(
            and_(counter.c.company_id == company_id, dialect.among(conn, counter.c.serial, serials))
        )
    )
    return {(company_id, serial): (cid, site) for cid, serial, site in rows}
