"""Property test: random events with duplicates, re-sends, shuffling and late arrival across
DST change days give the same per-bucket totals as a plain Python model (DESIGN §3)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footfall.domain.timegrid import Interval
from footfall.ingest.core import IngestCore
from tests.core.helpers import make_estate, rows

# (zone, a DST change day or an ordinary day for a zone without DST)
DAYS = [
    ("Europe/London", date(2024, 3, 31)),
    ("Europe/London", date(2024, 10, 27)),
    ("America/New_York", date(2024, 3, 10)),
    ("America/New_York", date(2024, 11, 3)),
    ("Asia/Kuala_Lumpur", date(2024, 6, 17)),  # +08:00
]
SERIALS = ["00000000000000a1", "00000000000000b2"]


def _event(serial: str, ts: int, metric: int, people: int, roi: int, pid: int, with_uuid: bool):
    data = {"CameraSerial": serial, "EventStartTime": ts, "EventEndTime": ts, "MetricId": metric,
            "PeopleTypeId": people, "RoiId": roi, "PeopleId": pid}
    if with_uuid:
        data["UUID"] = str(uuid.UUID(int=(ts << 20) ^ (pid << 4) ^ metric))
    return {"Topic": "ffc-eventrawdata", "Data": data}


@st.composite
def scenarios(draw):  # type: ignore[no-untyped-def]
    zone_name, day = draw(st.sampled_from(DAYS))
    tz = ZoneInfo(zone_name)
    start = int(datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=tz).timestamp())
    end = int(datetime.combine(day + timedelta(days=2), datetime.min.time(), tzinfo=tz).timestamp())
    span = end - start  # three local days: 71, 72 or 73 hours
    n = draw(st.integers(1, 120))
    events = [
        _event(draw(st.sampled_from(SERIALS)), start + draw(st.integers(0, span - 1)),
               draw(st.sampled_from([1, 2])), draw(st.sampled_from([1, 1, 1, 2])), 1, i,
               draw(st.booleans()))
        for i in range(n)
    ]
    # Deliveries: every event at least once, some re-sent, all shuffled, in batches.
    resent = draw(st.lists(st.sampled_from(range(n)), max_size=n))
    order = draw(st.permutations(list(range(n)) + resent))
    cut = draw(st.integers(0, len(order)))  # the late part arrives after a report was served
    return zone_name, day, events, [events[i] for i in order[:cut]], [events[i] for i in order[cut:]]


def _model(zone_name: str, events: list[dict], interval: Interval) -> Counter:
    """Plain model: every distinct event once, in its local bucket (fold keeps the repeated hour)."""
    tz = ZoneInfo(zone_name)
    totals: Counter = Counter()
    for e in {str(sorted(e["Data"].items())): e for e in events}.values():
        d = e["Data"]
        local = datetime.fromtimestamp(d["EventStartTime"], UTC).astimezone(tz)
        key = (local.date(), local.hour, local.fold) if interval is Interval.HOUR else (local.date(), 0, 0)
        kind = ("in" if d["MetricId"] == 1 else "out") if d["PeopleTypeId"] == 1 else \
            ("staff_in" if d["MetricId"] == 1 else "staff_out")
        totals[(key, kind)] += 1
    return totals


def _observed(zone_name: str, report_rows: list[dict], interval: Interval) -> Counter:
    tz = ZoneInfo(zone_name)
    totals: Counter = Counter()
    for row in report_rows:
        local = datetime.fromisoformat(row["start"]).astimezone(tz)
        key = (local.date(), local.hour, local.fold) if interval is Interval.HOUR else (local.date(), 0, 0)
        for kind in ("in", "out", "staff_in", "staff_out"):
            if row[kind]:
                totals[(key, kind)] += row[kind]
    return totals


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=scenarios())
def test_bucket_totals_equal_plain_model(engine, scenario) -> None:
    zone_name, day, events, early, late = scenario
    company_id = make_estate(engine, zone_name, SERIALS)
    core = IngestCore(engine)
    try:
        for i in range(0, len(early), 7):
            core.ingest(company_id, events=early[i:i + 7])
        first, last = day - timedelta(days=1), day + timedelta(days=1)
        rows(engine, company_id, Interval.HOUR, first, last)  # served before the late data
        for i in range(0, len(late), 11):
            core.ingest(company_id, events=late[i:i + 11])
    finally:
        core.close()
    for interval in (Interval.HOUR, Interval.DAY):
        got = _observed(zone_name, rows(engine, company_id, interval, first, last), interval)
        assert got == _model(zone_name, events, interval), interval
    hours = rows(engine, company_id, Interval.HOUR, day, day)
    expected_hours = {date(2024, 3, 31): 23, date(2024, 10, 27): 25, date(2024, 3, 10): 23,
                      date(2024, 11, 3): 25}.get(day, 24)
    assert len(hours) == expected_hours
