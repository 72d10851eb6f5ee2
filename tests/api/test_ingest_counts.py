"""The ingest and counts API end to end: the seeds' samples, bad input, precedence, late data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from footfall.api.app import create_app
from footfall.settings import Settings
from footfall.storage.engine import read_tx
from footfall.storage.tables import count_cell, event
from tests.api.helpers import Tenant, post

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "001_6173a199fad7a1d1.txt"
SERIAL = "000000006afce315"
# The seeds' two WebSocket sample events, exactly as printed (Python-literal quoting).
SEED_LINES = [
    "{'Topic': 'ffc-eventrawdata', 'Data': {'EventStartUTCTime': '2020-06-17 03:16:41', 'EventEndLocalTime': '2020-06-17 11:16:41', 'EventStartTime': 1592363801, 'MetricId': 1, 'RoiId': 1, 'CameraSerial': '000000006afce315', 'PeopleId': 1, 'EventEndUTCTime': '2020-06-17 03:16:41', 'UploadedLocalDateTime': '2020-06-17 11:16:45', 'EventEndTime': 1592363801, 'EventStartLocalTime': '2020-06-17 11:16:41', 'UploadedUTCDateTime': '2020-06-17 03:16:45', 'PeopleTypeId': 1}}",  # noqa: E501
    "{'Topic': 'ffc-eventrawdata', 'Data': {'EventStartUTCTime': '2020-06-17 03:20:18', 'EventEndLocalTime': '2020-06-17 11:20:18', 'EventStartTime': 1592364018, 'MetricId': 2, 'RoiId': 1, 'CameraSerial': '000000006afce315', 'PeopleId': 1, 'EventEndUTCTime': '2020-06-17 03:20:18', 'UploadedLocalDateTime': '2020-06-17 11:20:21', 'EventEndTime': 1592364018, 'EventStartLocalTime': '2020-06-17 11:20:18', 'UploadedUTCDateTime': '2020-06-17 03:20:21', 'PeopleTypeId': 1}}",  # noqa: E501
]


@pytest.fixture
def hub(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    """The app with its default limits."""
    with TestClient(create_app(Settings(data_dir=tmp_path), engine)) as test_client:
        yield test_client


def _seed_events() -> list[dict]:
    from footfall.domain.events import parse_message_text

    if SEEDS.exists():  # the samples are quoted from the vendor's document, byte for byte
        text = SEEDS.read_text()
        assert all(line in text for line in SEED_LINES)
    return [parse_message_text(line) for line in SEED_LINES]


def _kl_site(hub: TestClient, a: Tenant) -> dict:
    site = post(hub, a, "/sites", {"code": "KL1", "name": "Kuala Lumpur", "timezone": "Asia/Kuala_Lumpur"})
    post(hub, a, "/counters", {"serial": SERIAL, "name": "Door", "site_id": site["id"]})
    return site


def _counts(hub: TestClient, a: Tenant, interval: str, day: str, **extra: str) -> list[dict]:
    params = {"level": "site", "id": "KL1", "interval": interval, "from": day, "to": day, **extra}
    response = hub.get("/api/v1/counts", params=params, headers=a.headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def _eleven(hub: TestClient, a: Tenant) -> dict:
    return next(h for h in _counts(hub, a, "hour", "2020-06-17") if h["start"].startswith("2020-06-17T11"))


def _event_rows(engine: Engine) -> int:
    with read_tx(engine) as conn:
        return conn.execute(select(func.count()).select_from(event)).scalar_one()


def test_seed_samples_count_once_in_the_local_hour(hub: TestClient, a: Tenant, engine: Engine) -> None:
    _kl_site(hub, a)
    first = hub.post("/api/v1/ingest/events", json=_seed_events(), headers=a.headers)
    assert first.status_code == 200
    assert first.json() == {"accepted": 2, "duplicates": 0, "unassigned": 0, "checks": 0, "errors": []}
    hours = _counts(hub, a, "hour", "2020-06-17")
    eleven = [h for h in hours if h["start"] == "2020-06-17T11:00:00+08:00"]
    assert eleven and (eleven[0]["in"], eleven[0]["out"]) == (1, 1)
    assert sum(h["in"] for h in hours) == 1 and sum(h["out"] for h in hours) == 1
    revised = eleven[0]["last_revised"]
    again = hub.post("/api/v1/ingest/events", json=_seed_events(), headers=a.headers)
    assert again.json()["accepted"] == 0 and again.json()["duplicates"] == 2
    assert _counts(hub, a, "hour", "2020-06-17") == hours  # nothing changed, not even last_revised
    assert revised is not None and _event_rows(engine) == 2


def test_bad_records_are_named_and_good_ones_beside_them_stored(
    hub: TestClient, a: Tenant, engine: Engine
) -> None:
    _kl_site(hub, a)
    good = _seed_events()
    missing = {"Topic": "ffc-eventrawdata", "Data": {"MetricId": 1, "RoiId": 1, "EventStartTime": 1592363801}}
    unknown_metric = json.loads(json.dumps(good[0]))
    unknown_metric["Data"]["MetricId"] = 7
    response = hub.post("/api/v1/ingest/events", json=[good[0], missing, unknown_metric, good[1]],
                        headers=a.headers)
    assert response.status_code == 422
    body = response.json()
    assert body["accepted"] == 2
    assert [(e["index"], e["error"]) for e in body["errors"]] == [
        (1, "missing field CameraSerial"), (2, "unknown MetricId 7 (1 = in, 2 = out)")]
    assert _event_rows(engine) == 2


def test_malformed_json_and_wrong_shapes_are_refused_with_a_reason(hub: TestClient, a: Tenant) -> None:
    bad_json = hub.post("/api/v1/ingest/events", content=b"[{'not': json", headers=a.headers)
    assert bad_json.status_code == 400 and "not valid JSON" in bad_json.json()["detail"]
    not_list = hub.post("/api/v1/ingest/events", json={"CameraSerial": SERIAL}, headers=a.headers)
    assert not_list.status_code == 422 and "JSON array" in not_list.json()["detail"]


def test_a_50_mb_body_is_refused_before_it_is_read(hub: TestClient, a: Tenant, engine: Engine) -> None:
    body = b"[" + b" " * (50 * 1024 * 1024) + b"]"
    response = hub.post("/api/v1/ingest/events", content=body,
                        headers={**a.headers, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert _event_rows(engine) == 0


def test_wrong_or_foreign_tokens_store_nothing(hub: TestClient, a: Tenant, b: Tenant, engine: Engine) -> None:
    _kl_site(hub, a)
    wrong = hub.post("/api/v1/ingest/events", json=_seed_events(),
                     headers={"Authorization": "Bearer ff_not-a-token"})
    assert wrong.status_code == 401
    assert _event_rows(engine) == 0
    # Company B's token stores B's own (unassigned) counter, never A's site data.
    foreign = hub.post("/api/v1/ingest/events", json=_seed_events(), headers=b.headers)
    assert foreign.json()["unassigned"] == 2
    assert sum(h["in"] for h in _counts(hub, a, "hour", "2020-06-17")) == 0
    assert hub.get("/api/v1/counts", params={"level": "site", "id": "KL1", "interval": "hour",
                                             "from": "2020-06-17", "to": "2020-06-17"},
                   headers=b.headers).status_code == 404


def test_device_report_replaces_live_minutes_and_completes_the_hour(hub: TestClient, a: Tenant) -> None:
    _kl_site(hub, a)
    hub.post("/api/v1/ingest/events", json=_seed_events(), headers=a.headers)
    hour = _eleven(hub, a)
    assert hour["aggregation_status"] == "partial" and hour["missing_counters"] == [SERIAL]
    # Tonight's device report for 11:00-12:00 local (03:00Z): it saw 3 in, 2 out, zeros elsewhere.
    minutes = [{"serial": SERIAL, "line": 1, "start": 1592362800 + 60 * m, "length": 60,
                "in": 3 if m == 10 else 0, "out": 2 if m == 40 else 0, "source": "device_api"}
               for m in range(60)]
    stored = hub.post("/api/v1/ingest/counts", json=minutes, headers=a.headers)
    assert stored.status_code == 200 and stored.json()["accepted"] == 60
    hour = _eleven(hub, a)
    assert (hour["in"], hour["out"]) == (3, 2)  # the report wins; the live events are not added
    assert hour["aggregation_status"] == "complete" and hour["missing_counters"] == []
    assert hour["verification_status"] == "verified"
    resent = hub.post("/api/v1/ingest/counts", json=minutes, headers=a.headers)
    assert resent.json()["duplicates"] == 60
    with read_tx(hub.app.state.engine) as conn:
        assert conn.execute(select(func.count()).select_from(count_cell)).scalar_one() == 60


def test_late_data_restates_and_shows_in_changes(hub: TestClient, a: Tenant) -> None:
    _kl_site(hub, a)
    hub.post("/api/v1/ingest/events", json=_seed_events()[:1], headers=a.headers)
    served = _counts(hub, a, "day", "2020-06-17")[0]
    assert (served["in"], served["out"]) == (1, 0)
    since = served["last_revised"]
    hub.post("/api/v1/ingest/events", json=_seed_events()[1:], headers=a.headers)
    changed = hub.get("/api/v1/changes", params={"since": since}, headers=a.headers).json()
    day = [c for c in changed["data"] if c["level"] == "site" and c["interval"] == "day"]
    assert day and day[0]["start"] == "2020-06-17T00:00:00+08:00" and day[0]["code"] == "KL1"
    assert day[0]["last_revised"] > since
    restated = _counts(hub, a, "day", "2020-06-17")[0]
    assert restated["out"] == 1 and restated["last_revised"] == day[0]["last_revised"]


def test_counts_as_csv_carry_the_same_rows(hub: TestClient, a: Tenant) -> None:
    _kl_site(hub, a)
    hub.post("/api/v1/ingest/events", json=_seed_events(), headers=a.headers)
    response = hub.get("/api/v1/counts", params={"level": "site", "id": "KL1", "interval": "hour",
                                                 "from": "2020-06-17", "to": "2020-06-17",
                                                 "format": "csv"}, headers=a.headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0].startswith("start,end,in,out,staff_in,staff_out")
    assert len(lines) == 25
    assert lines[12].startswith("2020-06-17T11:00:00+08:00,2020-06-17T12:00:00+08:00,1,1,")


def test_report_range_limits_are_explained(hub: TestClient, a: Tenant) -> None:
    _kl_site(hub, a)
    response = hub.get("/api/v1/counts", params={"level": "site", "id": "KL1", "interval": "minute",
                                                 "from": "2020-01-01", "to": "2020-06-01"},
                       headers=a.headers)
    assert response.status_code == 422 and "at most 31 days per minute" in response.json()["detail"]


def test_unassigned_counter_data_is_kept_and_attributed_on_assignment(hub: TestClient, a: Tenant) -> None:
    site = post(hub, a, "/sites", {"code": "KL1", "name": "Kuala Lumpur", "timezone": "Asia/Kuala_Lumpur"})
    first = hub.post("/api/v1/ingest/events", json=_seed_events(), headers=a.headers).json()
    assert first["accepted"] == 2 and first["unassigned"] == 2
    assert sum(h["in"] for h in _counts(hub, a, "hour", "2020-06-17")) == 0
    listed = hub.get("/api/v1/counters", params={"unassigned": "true"}, headers=a.headers).json()
    (counter,) = [c for c in listed if c["serial"] == SERIAL]
    assigned = hub.patch(f"/api/v1/counters/{counter['id']}", json={"site_id": site["id"]},
                         headers=a.headers)
    assert assigned.status_code == 200, assigned.text
    hour = _eleven(hub, a)
    assert (hour["in"], hour["out"]) == (1, 1)  # the history followed the counter to its site
