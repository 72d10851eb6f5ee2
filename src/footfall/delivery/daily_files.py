"""Per-counter daily files (the seeds' "FTP directly from counter", made by the hub).

One file per counter per local day of its site, due once the day has closed and the
delivery's clock time has passed (02:30 by default, as the counters do). A day is sent
again when late data restates it: its revision stamp (the newest `revised_us` of the
counter's resolved hours that day) is newer than the one of the file delivered.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Connection

from footfall.delivery.model import Delivery
from footfall.delivery.runs import Claim, delivered_revisions
from footfall.delivery.schedule import Period, wall_instant
from footfall.domain.timegrid import local_date, local_midnight_ts, zone
from footfall.storage.tables import counter, counter_hour, site

# How many closed days back a restatement is still delivered again.
RESTATE_DAYS = 7


@dataclass(frozen=True, slots=True)
class CounterDay:
    """One counter's local day to deliver, with the revision stamp it will be built from."""

    counter_id: int
    serial: str
    site_code: str
    tz: ZoneInfo
    day: date
    revision_us: int
    restated: bool

    @property
    def period(self) -> Period:
        """The local day as a period."""
        return Period(local_midnight_ts(self.day, self.tz),
                      local_midnight_ts(self.day + timedelta(days=1), self.tz), self.day, self.day)

    def claim(self, trigger: str | None = None) -> Claim:
        """The run claim of this day at this revision (a new revision is a new occurrence)."""
        key = f"counter:{self.counter_id}:{self.day.isoformat()}:r{self.revision_us}"
        kind = trigger or ("restated" if self.restated else "schedule")
        return Claim(key, kind, self.day, self.day, self.counter_id, self.revision_us)


def selected_counters(conn: Connection, target: Delivery) -> list[tuple[int, str, str, str]]:
    """(id, serial, site code, zone) of the delivery's counters that are assigned to a site."""
    query = (select(counter.c.id, counter.c.serial, site.c.code, site.c.timezone)
             .select_from(counter.join(site, site.c.id == counter.c.site_id))
             .where(counter.c.company_id == target.company_id, counter.c.active.is_(True))
             .order_by(counter.c.serial))
    rows = [(int(i), s, c, tz) for i, s, c, tz in conn.execute(query)]
    if target.ids == "all":
        return rows
    wanted = set(target.ids)
    return [r for r in rows if r[1] in wanted or str(r[0]) in wanted]


def day_revisions(conn: Connection, counter_id: int, tz: ZoneInfo, first: date,
                  last: date) -> dict[date, int]:
    """Local day → newest revision stamp of the counter's resolved hours that day."""
    start, end = local_midnight_ts(first, tz), local_midnight_ts(last + timedelta(days=1), tz)
    found: dict[date, int] = defaultdict(int)
    for hour_ts, revised in conn.execute(
        select(counter_hour.c.start_ts, counter_hour.c.revised_us)
        .where(counter_hour.c.counter_id == counter_id, counter_hour.c.start_ts >= start,
               counter_hour.c.start_ts < end)
    ):
        day = local_date(int(hour_ts), tz)
        found[day] = max(found[day], int(revised))
    return dict(found)


def closed_days(target: Delivery, tz: ZoneInfo, now_ts: int) -> list[date]:
    """The counter's recent local days whose file is due by now (oldest first)."""
    today = local_date(now_ts, tz)
    days = [today - timedelta(days=k) for k in range(RESTATE_DAYS, 0, -1)]
    return [d for d in days if wall_instant(d + timedelta(days=1), target.schedule.at, tz) <= now_ts]


def pending_days(conn: Connection, target: Delivery, now_ts: int) -> list[CounterDay]:
    """Counter days never delivered (due since the schedule began) or restated since delivered."""
    delivered = delivered_revisions(conn, target.id)
    pending = []
    for counter_id, serial, site_code, tz_name in selected_counters(conn, target):
        tz = zone(tz_name)
        days = closed_days(target, tz, now_ts)
        if not days:
            continue
        revisions = day_revisions(conn, counter_id, tz, days[0], days[-1])
        for day in days:
            revision = revisions.get(day, 0)
            sent = delivered.get((counter_id, day))
            due_ts = wall_instant(day + timedelta(days=1), target.schedule.at, tz)
            first_time = sent is None and due_ts > target.schedule_since_ts
            if first_time or (sent is not None and revision > sent):
                pending.append(CounterDay(counter_id, serial, site_code, tz, day, revision,
                                          restated=sent is not None))
    return pending


def latest_days(conn: Connection, target: Delivery, now_ts: int) -> list[CounterDay]:
    """Each counter's most recent closed day ("run now")."""
    found = []
    for counter_id, serial, site_code, tz_name in selected_counters(conn, target):
        tz = zone(tz_name)
        day = local_date(now_ts, tz) - timedelta(days=1)
        revision = day_revisions(conn, counter_id, tz, day, day).get(day, 0)
        found.append(CounterDay(counter_id, serial, site_code, tz, day, revision, restated=False))
    return found
