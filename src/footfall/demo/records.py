"""Turn the demo's hourly traffic into ingest payloads: reported counts, live events, coverage."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from typing import Any

from footfall.demo.traffic import HourTraffic
from footfall.domain.events import EVENT_TOPIC
from footfall.domain.records import Metric, PeopleType
from footfall.domain.timegrid import Bucket

ENTRANCE_LINE = 1
OUTSIDE_LINE = 2
REPORT_SOURCE = "device_api"


def reported_counts(serial: str, hours: Iterable[tuple[Bucket, HourTraffic]],
                    outside: bool) -> list[dict[str, Any]]:
    """Hourly counts as the device's API reports them, zero hours included (they prove coverage)."""
    rows: list[dict[str, Any]] = []
    for bucket, t in hours:
        rows.append({"serial": serial, "line": ENTRANCE_LINE, "start": bucket.start_ts,
                     "length": 3600, "in": t.visitors_in, "out": t.visitors_out,
                     "staff_in": t.staff_in, "staff_out": t.staff_out, "source": REPORT_SOURCE})
        if outside:
            rows.append({"serial": serial, "line": OUTSIDE_LINE, "start": bucket.start_ts,
                         "length": 3600, "in": t.outside_in, "out": t.outside_out,
                         "staff_in": 0, "staff_out": 0, "source": REPORT_SOURCE})
    return rows


def _crossings(t: HourTraffic) -> list[tuple[int, Metric, PeopleType, int]]:
    return [
        (ENTRANCE_LINE, Metric.IN, PeopleType.VISITOR, t.visitors_in),
        (ENTRANCE_LINE, Metric.OUT, PeopleType.VISITOR, t.visitors_out),
        (ENTRANCE_LINE, Metric.IN, PeopleType.STAFF, t.staff_in),
        (ENTRANCE_LINE, Metric.OUT, PeopleType.STAFF, t.staff_out),
        (OUTSIDE_LINE, Metric.IN, PeopleType.VISITOR, t.outside_in),
        (OUTSIDE_LINE, Metric.OUT, PeopleType.VISITOR, t.outside_out),
    ]


def live_events(rng: random.Random, serial: str, hours: Iterable[tuple[Bucket, HourTraffic]],
                until_ts: int) -> list[dict[str, Any]]:
    """One `ffc-eventrawdata` message per crossing (with a UUID), only those before `until_ts`.

    Every crossing of the day is drawn whatever `until_ts` is, so the events of a given day are
    the same on every run and a later run only adds the ones that have happened since.
    """
    messages: list[dict[str, Any]] = []
    people_id = 0
    for bucket, t in hours:
        for roi, metric, people_type, n in _crossings(t):
            for _ in range(n):
                at = bucket.start_ts + rng.randrange(bucket.end_ts - bucket.start_ts)
                identity = uuid.UUID(int=rng.getrandbits(128), version=4)
                people_id += 1
                if at >= until_ts:
                    continue
                messages.append({"Topic": EVENT_TOPIC, "Data": {
                    "UUID": str(identity), "CameraSerial": serial, "RoiId": roi,
                    "MetricId": int(metric), "PeopleTypeId": int(people_type),
                    "PeopleId": people_id, "EventStartTime": at, "EventEndTime": at,
                }})
    messages.sort(key=lambda m: m["Data"]["EventStartTime"])
    return messages


def alive_span(serial: str, start_ts: int, end_ts: int) -> dict[str, Any]:
    """Coverage for an open live session: the counter was provably up from start to end."""
    return {"serial": serial, "start": start_ts, "end": end_ts}
