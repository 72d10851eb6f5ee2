"""A site's live picture, pure: today's visitors in and out and the occupancy, event by event."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from footfall.domain.records import Event, Metric, PeopleType
from footfall.domain.timegrid import iso, local_date
from footfall.query.scope import Role

LineKey = tuple[int, int]  # counter id, RoiId
_DIRECTION: dict[int, str] = {Metric.IN: "in", Metric.OUT: "out"}
_PEOPLE: dict[int, str] = {PeopleType.VISITOR: "visitor", PeopleType.STAFF: "staff"}


class SiteLive:
    """Occupancy = running visitors in − out since the site's local midnight, never below zero."""

    def __init__(self, site_id: int, code: str, tz: ZoneInfo, roles: dict[LineKey, Role | None],
                 now_ts: int) -> None:
        self.site_id, self.code, self.tz = site_id, code, tz
        # Lines absent here are new: ingest creates them as entrances in the normal direction.
        self.roles = roles
        self.day: date = local_date(now_ts, tz)
        self.visitors_in = self.visitors_out = self.occupancy = 0

    def roll(self, now_ts: int) -> bool:
        """Start a new local day at midnight (counts back to zero); True if it did."""
        today = local_date(now_ts, self.tz)
        if today == self.day:
            return False
        self.day = today
        self.visitors_in = self.visitors_out = self.occupancy = 0
        return True

    def count(self, counter_id: int, event: Event) -> None:
        """Fold one crossing into today's figures (events of other days leave them alone)."""
        if event.people_type != PeopleType.VISITOR or local_date(event.start_ts, self.tz) != self.day:
            return
        role = self.roles.get((counter_id, event.roi_id), Role.IN)
        if role is Role.IN:
            entering = event.metric == Metric.IN
        elif role is Role.REVERSED:
            entering = event.metric == Metric.OUT
        else:
            return  # outside traffic or an area line: not in or out of the site
        if entering:
            self.visitors_in += 1
            self.occupancy += 1
        else:
            self.visitors_out += 1
            self.occupancy = max(0, self.occupancy - 1)

    def crossing(self, event: Event) -> dict[str, Any]:
        """The `crossing` message of one event, as the device reported it."""
        return {
            "site": self.code,
            "serial": event.serial,
            "line": event.roi_id,
            "direction": _DIRECTION[event.metric],
            "people_type": _PEOPLE[event.people_type],
            "time": iso(event.start_ts, self.tz),
        }

    def snapshot(self, now_ts: int) -> dict[str, Any]:
        """The `occupancy` message: the site's figures for today, now."""
        return {
            "site": self.code,
            "site_id": self.site_id,
            "day": self.day.isoformat(),
            "in": self.visitors_in,
            "out": self.visitors_out,
            "occupancy": self.occupancy,
            "at": iso(now_ts, self.tz),
        }
