"""A site's live state as the database has it now: today's stored events replayed in time order."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.domain.records import Event, LineDirection, LineKind, Metric, PeopleType
from footfall.domain.timegrid import local_midnight_ts
from footfall.live.occupancy import LineKey, SiteLive
from footfall.query.scope import Level, Role, members
from footfall.rollup.inputs import events_of
from footfall.storage.engine import read_tx
from footfall.storage.tables import event, line


def load_site(engine: Engine, company_id: int, site_id: int, now_ts: int,
              recent_since_ts: int) -> tuple[SiteLive, set[str]]:
    """Today's state of a site, and the identities of events stored since `recent_since_ts`.

    The caller was already listening to commits before this read; the identities let it skip
    the events it heard about that this read also saw, so none is counted twice.
    """
    with read_tx(engine) as conn:
        member = members(conn, company_id, Level.SITE, str(site_id))[0]
        ids = sorted(member.counters)
        roles: dict[LineKey, Role | None] = {}
        for counter_id, roi, kind, direction in conn.execute(
            select(line.c.counter_id, line.c.roi_id, line.c.kind, line.c.direction)
            .where(line.c.counter_id.in_(ids))
        ):
            roles[(counter_id, roi)] = _role(kind, direction)
        state = SiteLive(site_id, member.key, member.tz, roles, now_ts)
        start = local_midnight_ts(state.day, member.tz)
        end = local_midnight_ts(state.day + timedelta(days=1), member.tz)
        recent: set[str] = set()
        # One query, one pass over today's window: events are keyed time first, so the pass
        # goes through every counter's events of today so far and keeps this site's.
        rows: Iterable[Any] = conn.execute(
            select(event.c.counter_id, event.c.roi_id, event.c.metric, event.c.people_type,
                   event.c.start_ts, event.c.identity, event.c.received_ts)
            .where(events_of(conn, ids), event.c.start_ts >= start, event.c.start_ts < end)
            .order_by(event.c.start_ts)
        ) if ids else []
        for counter_id, roi, metric, people_type, start_ts, identity, received_ts in rows:
            state.count(counter_id, Event(member.counters[counter_id], roi, Metric(metric),
                                          PeopleType(people_type), None, start_ts, start_ts, identity))
            if received_ts >= recent_since_ts:
                recent.add(identity)
    return state, recent


def _role(kind: str, direction: str) -> Role | None:
    """How a stored line counts for its site's occupancy (None: it does not)."""
    if kind == LineKind.ENTRANCE:
        return Role.REVERSED if direction == LineDirection.REVERSED else Role.IN
    if kind == LineKind.OUTSIDE:
        return Role.OUTSIDE
    return None
