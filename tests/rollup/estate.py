"""A fleet in several zones, its events, and a plain model of the local hours they make."""

from __future__ import annotations

import random
import time
import uuid
from collections import defaultdict
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.domain.timegrid import local_hour_edges, zone
from footfall.estate.companies import create_company
from footfall.estate.counters import create_counter
from footfall.estate.sites import create_site
from footfall.ingest.core import IngestCore
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import counter_hour, dirty_hour, line_hour

H = 1_767_225_600  # 2026-01-01T00:00:00Z
# Whole-hour zones, and zones whose local hours straddle UTC hours.
ZONES = ["UTC", "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns",
         "Australia/Adelaide"]

Event = tuple[str, int, int, int, int]  # serial, start, RoiId, metric, people type
Hours = dict[tuple[int, int], tuple[int, int]]  # (counter, start) → (length, covered)
Lines = dict[tuple[int, int, int], tuple[int, int, int, int]]  # (counter, start, RoiId) → totals


class Fleet:
    """One company, a site per zone, `per_site` counters on each."""

    def __init__(self, engine: Engine, zones: list[str], per_site: int = 1) -> None:
        self.engine = engine
        self.ids: dict[str, int] = {}
        self.zones: dict[str, str] = {}
        self.sites: dict[str, int] = {}
        with write_tx(engine) as conn:
            self.company_id = create_company(conn, f"co-{time.time_ns()}")["id"]
            for i, name in enumerate(zones):
                site_id = create_site(conn, self.company_id, f"S{i}", name, name)["id"]
                self.sites[name] = site_id
                for j in range(per_site):
                    serial = f"6afc{i:06x}{j:06x}"
                    self.ids[serial] = create_counter(conn, self.company_id, serial, site_id=site_id)["id"]
                    self.zones[serial] = name
        self.events: list[Event] = []

    def random_events(self, n: int, first: int, last: int, seed: int) -> list[Event]:
        """`n` events of the fleet's counters between two instants."""
        rng = random.Random(seed)
        serials = sorted(self.ids)
        return [(rng.choice(serials), rng.randrange(first, last), rng.choice((1, 2)),
                 rng.choice((1, 2)), rng.choice((1, 1, 1, 2))) for _ in range(n)]

    def ingest(self, events: list[Event]) -> list[str]:
        """Store events through the ingest core, as a device would send them; their identities."""
        uuids = [uuid.uuid4() for _ in events]
        core = IngestCore(self.engine)
        try:
            result = core.ingest(self.company_id, events=[
                {"CameraSerial": serial, "EventStartTime": ts, "RoiId": roi, "MetricId": metric,
                 "PeopleTypeId": people, "UUID": str(u)}
                for (serial, ts, roi, metric, people), u in zip(events, uuids, strict=True)])
        finally:
            core.close()
        assert result.accepted == len(events)
        self.events.extend(events)
        return ["u" + u.hex for u in uuids]

    def expected(self) -> tuple[Hours, Lines]:
        """The model: each event in its counter's local hour, counted by line."""
        hours: Hours = {}
        lines: Lines = defaultdict(lambda: (0, 0, 0, 0))
        for serial, ts, roi, metric, people in self.events:
            edges = local_hour_edges(zone(self.zones[serial]), ts - ts % 3600, ts - ts % 3600 + 3600)
            start, end = max((a, b) for a, b in pairwise(edges) if a <= ts)
            cid = self.ids[serial]
            hours[(cid, start)] = (end - start, 0)
            totals = list(lines[(cid, start, roi)])
            totals[(metric - 1) + 2 * (people - 1)] += 1
            lines[(cid, start, roi)] = (totals[0], totals[1], totals[2], totals[3])
        return hours, dict(lines)


def stored(engine: Engine) -> tuple[Hours, Lines, dict[tuple[int, int], int]]:
    """The rolled-up hours, their lines, and each hour's revision stamp."""
    with read_tx(engine) as conn:
        hour_rows = conn.execute(select(counter_hour)).mappings().all()
        line_rows = conn.execute(select(line_hour)).all()
    hours = {(r["counter_id"], r["start_ts"]): (r["length_s"], r["covered_s"]) for r in hour_rows}
    stamps = {(r["counter_id"], r["start_ts"]): r["revised_us"] for r in hour_rows}
    lines = {(c, t, roi): (a, b, s, d) for c, t, roi, a, b, s, d in line_rows}
    return hours, lines, stamps


def dirty(engine: Engine) -> set[tuple[int, int]]:
    """The (counter, UTC hour) pairs waiting for rollup."""
    with read_tx(engine) as conn:
        return {(c, h) for c, h in conn.execute(select(dirty_hour.c.counter_id, dirty_hour.c.hour_ts))}
