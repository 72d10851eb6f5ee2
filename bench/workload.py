"""Deterministic benchmark workloads: live events from a fleet, a year of hourly counts."""

from __future__ import annotations

import json
import random
import uuid
from collections import defaultdict
from typing import Any

DAY_START = 1_767_225_600  # 2026-01-01T00:00:00Z


def serial(n: int) -> str:
    """The serial of counter number n."""
    return f"{0x6AFC0000 + n:016x}"


def fleet_events(events: int, counters: int, batch: int, seed: int = 7) -> list[list[dict[str, Any]]]:
    """Events of one day as the seeds' messages, cut into per-counter batches in time order.

    Each batch is what one counter's session delivers at once (a few events buffered); the
    batches of all counters interleave by time, as they would reach the hub.
    """
    rng = random.Random(seed)
    per_counter: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for i in range(events):
        n = rng.randrange(counters)
        ts = DAY_START + int(rng.betavariate(2.5, 2.5) * 86_400)
        per_counter[n].append({
            "Topic": "ffc-eventrawdata",
            "Data": {"CameraSerial": serial(n), "EventStartTime": ts, "EventEndTime": ts,
                     "MetricId": 1 + (i & 1), "PeopleTypeId": 1 if rng.random() > 0.05 else 2,
                     "RoiId": 1, "PeopleId": i, "UUID": str(uuid.UUID(int=rng.getrandbits(128)))},
        })
    batches = []
    for items in per_counter.values():
        items.sort(key=lambda e: e["Data"]["EventStartTime"])
        batches.extend(items[i:i + batch] for i in range(0, len(items), batch))
    batches.sort(key=lambda b: b[0]["Data"]["EventStartTime"])
    return batches


def as_wire(batches: list[list[dict[str, Any]]]) -> list[list[str]]:
    """The same batches as their wire texts: the frames a WebSocket or MQTT channel receives."""
    return [[json.dumps(message, separators=(",", ":")) for message in batch] for batch in batches]


def hourly_counts(serial_: str, hours: int, start_ts: int, seed: int) -> list[dict[str, Any]]:
    """A year (or any number of hours) of reported hourly counts for one counter."""
    rng = random.Random(seed)
    rows = []
    for h in range(hours):
        local_hour = (h + 8) % 24
        busy = 9 <= local_hour < 21
        people = rng.randint(20, 120) if busy else 0
        rows.append({"serial": serial_, "line": 1, "start": start_ts + h * 3600, "length": 3600,
                     "in": people, "out": people, "source": "device_api"})
    return rows
