"""Refused WebSocket messages, counted per counter in `channel_fault`; logged once per counter."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import and_, update
from sqlalchemy.engine import Engine

from footfall.storage import dialect
from footfall.storage.engine import write_tx
from footfall.storage.tables import channel_fault

log = logging.getLogger(__name__)
CHANNEL = "ws"
FaultKey = tuple[int, str]  # company id, serial ("" when the message named none)


class FaultLog:
    """Collects refusals on the event loop; `write` stores them in one transaction (in a thread)."""

    def __init__(self, engine: Engine, channel: str = CHANNEL) -> None:
        self._engine, self._channel = engine, channel
        self._pending: dict[FaultKey, list] = {}  # key → [count, last error]
        self._warned: set[FaultKey] = set()
        self.noted = 0

    def note(self, company_id: int, serial: str | None, error: str) -> None:
        """Count one refused message of a counter (loop thread)."""
        key = (company_id, serial or "")
        entry = self._pending.setdefault(key, [0, ""])
        entry[0] += 1
        entry[1] = error
        self.noted += 1
        # Log once per counter and process; the table keeps the running count.
        if key not in self._warned and len(self._warned) < 10_000:
            self._warned.add(key)
            log.warning("WebSocket message refused (company %s, counter %s): %s",
                        company_id, serial or "unknown", error)

    @property
    def pending(self) -> bool:
        """Whether refusals were noted and not yet taken."""
        return bool(self._pending)

    def take(self) -> dict[FaultKey, list]:
        """The refusals noted since the last take (loop thread)."""
        taken, self._pending = self._pending, {}
        return taken

    def write(self, taken: dict[FaultKey, list], now: datetime) -> None:
        """Add the taken refusals to `channel_fault` (blocking)."""
        if not taken:
            return
        try:
            with write_tx(self._engine) as conn:
                conn.execute(
                    dialect.insert_ignore(conn, channel_fault, ["company_id", "serial", "channel"]),
                    [{"company_id": c, "serial": s, "channel": self._channel, "count": 0,
                      "last_error": "", "last_at": now} for c, s in taken])
                for (company_id, serial), (count, error) in taken.items():
                    conn.execute(update(channel_fault).where(and_(
                        channel_fault.c.company_id == company_id, channel_fault.c.serial == serial,
                        channel_fault.c.channel == self._channel,
                    )).values(count=channel_fault.c.count + count, last_error=error, last_at=now))
        except Exception:  # counting faults must never stop acknowledgements
            log.exception("could not record %d WebSocket fault counts", len(taken))
