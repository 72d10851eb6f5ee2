"""Every page's `.json` and `.csv` twin serves the page's numbers, from the same query as the API."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from footfall.domain.metrics import METRICS
from footfall.portal.counter_health import HOURS
from tests.portal.conftest import sign_in
from tests.portal.seed import A_DOORS, UNASSIGNED, Seeded


def _api(client: TestClient, seeded: Seeded, **params: str) -> list[dict]:  # type: ignore[type-arg]
    answer = client.get("/api/v1/counts", params=params, headers=seeded.a.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


@pytest.mark.parametrize(("level", "ident", "interval"), [
    ("site", "LDN01", "hour"), ("site", "KUL01", "day"), ("site_group", "All stores", "week"),
])
def test_dashboard_twins_equal_the_counts_api(app_client: TestClient, seeded: Seeded, level: str,
                                              ident: str, interval: str) -> None:
    sign_in(app_client, seeded.a.users["viewer"])
    today = datetime.now(UTC).date()
    query = {"level": level, "id": ident, "interval": interval,
             "from": str(today - timedelta(days=3)), "to": str(today)}
    expected = _api(app_client, seeded, **query)
    assert sum(r["in"] for r in expected) > 0
    body = app_client.get("/portal/dashboard.json", params=query).json()
    assert body["data"] == expected
    table = list(csv.DictReader(io.StringIO(app_client.get("/portal/dashboard.csv", params=query).text)))
    api_csv = list(csv.DictReader(io.StringIO(app_client.get(
        "/api/v1/counts", params={**query, "format": "csv"}, headers=seeded.a.headers).text)))
    assert [{k: v for k, v in row.items() if k != "series"} for row in table] == api_csv
    assert {row["series"] for row in table} == {"current"}


def test_dashboard_comparisons_come_from_the_same_report(app_client: TestClient, seeded: Seeded) -> None:
    sign_in(app_client, seeded.a.users["viewer"])
    today = datetime.now(UTC).date()
    query = {"level": "site", "id": "LDN01", "interval": "day", "from": str(today - timedelta(days=1)),
             "to": str(today), "compare": ["previous", "last_year"]}
    body = app_client.get("/portal/dashboard.json", params=query).json()
    previous = body["comparisons"]["previous"]
    assert previous["from"] == str(today - timedelta(days=3))
    assert previous["to"] == str(today - timedelta(days=2))
    assert previous["rows"] == _api(app_client, seeded, level="site", id="LDN01", interval="day",
                                    **{"from": previous["from"], "to": previous["to"]})
    last_year = body["comparisons"]["last_year"]
    assert last_year["from"] == str(today - timedelta(days=1, weeks=52))
    assert all(r["aggregation_status"] == "no_data" for r in last_year["rows"])


def test_company_level_adds_up_its_sites(app_client: TestClient, seeded: Seeded) -> None:
    sign_in(app_client, seeded.a.users["admin"])
    today = str(datetime.now(UTC).date())
    query = {"interval": "day", "from": today, "to": today}
    body = app_client.get("/portal/dashboard.json", params=query).json()
    sites = [_api(app_client, seeded, level="site", id=code, interval="day", **{"from": today, "to": today})
             for code in A_DOORS]
    assert sum(r["in"] for r in body["data"]) == sum(r["in"] for rows in sites for r in rows)
    parts = {p["label"].split(" · ")[0]: p for p in body["parts"]}
    assert set(parts) == {"All stores", "LDN01", "KUL01"}
    assert parts["All stores"]["in"] == parts["LDN01"]["in"] + parts["KUL01"]["in"]


def test_bad_dashboard_parameters_are_named(app_client: TestClient, seeded: Seeded) -> None:
    sign_in(app_client, seeded.a.users["viewer"])
    for query, words in (({"interval": "fortnight"}, "interval='fortnight'"),
                         ({"from": "2024-13-01"}, "from='2024-13-01'"),
                         ({"level": "site"}, "id is required"),
                         ({"level": "site", "id": "NOPE"}, "NOPE")):
        answer = app_client.get("/portal/dashboard.json", params=query)
        assert answer.status_code in (404, 422) and words in answer.json()["detail"], query
    page = app_client.get("/portal/dashboard", params={"interval": "fortnight"})
    assert page.status_code == 422 and "interval=&#39;fortnight&#39;" in page.text


def test_site_twins_carry_today_by_hour_and_by_door(app_client: TestClient, seeded: Seeded) -> None:
    sign_in(app_client, seeded.a.users["viewer"])
    site_id = seeded.a.sites["LDN01"]
    day = app_client.get(f"/portal/sites/{site_id}.json").json()
    expected = _api(app_client, seeded, level="site", id="LDN01", interval="hour",
                    **{"from": day["day"], "to": day["day"]})
    assert day["hourly"] == expected
    assert [d["serial"] for d in day["doors"]] == list(A_DOORS["LDN01"])
    assert sum(d["in"] for d in day["doors"]) == day["so_far"]["in"] == sum(r["in"] for r in expected)
    table = list(csv.DictReader(io.StringIO(app_client.get(f"/portal/sites/{site_id}.csv").text)))
    assert list(table[0]) == ["door", *(m.key for m in METRICS)]
    assert [int(r["in"]) for r in table if r["door"] == "site"] == [r["in"] for r in expected]
    assert {r["door"] for r in table} == {"site", *A_DOORS["LDN01"]}
    listed = app_client.get("/portal/sites.csv").text.splitlines()
    assert listed[0].startswith("id,code,name") and len(listed) == 3


def test_counter_twins_show_health_and_coverage(app_client: TestClient, seeded: Seeded) -> None:
    sign_in(app_client, seeded.a.users["viewer"])
    body = app_client.get("/portal/counters.json").json()
    assert len(body["hours"]) == HOURS
    rows = {r["serial"]: r for r in body["data"]}
    assert set(rows) == {*A_DOORS["LDN01"], *A_DOORS["KUL01"], UNASSIGNED}
    assert rows[UNASSIGNED]["site_id"] is None and rows[UNASSIGNED]["channel"] is None
    door = rows[A_DOORS["LDN01"][0]]
    assert door["status"] == "online" and door["site"] == "LDN01"
    # Seeded: the last 3 days by hour, one hour in 7 missing.
    assert 0 < sum(door["coverage"]) < 3 * 24 and set(door["coverage"]) <= {0.0, 1.0}
    table = list(csv.DictReader(io.StringIO(app_client.get("/portal/counters.csv").text)))
    assert {r["serial"] for r in table} == set(rows) and "coverage" not in table[0]
