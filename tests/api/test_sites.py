"""Sites: CRUD, lookup by code, validation, duplicates, time zone changes restate counters."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import Tenant, post

SITE = {"code": "0012", "name": "Main Street", "timezone": "Europe/Paris"}


def test_site_round_trip(client: TestClient, a: Tenant) -> None:
    created = post(client, a, "/sites", SITE)
    assert created["id"] > 0 and created["code"] == "0012" and created["capacity"] is None
    assert created["created_at"].endswith(("+00:00", "Z"))
    by_id = client.get(f"/api/v1/sites/{created['id']}", headers=a.headers).json()
    by_code = client.get("/api/v1/sites/0012", headers=a.headers).json()
    assert by_id == by_code == created
    changes = {"name": "Main St.", "city": "Lyon", "capacity": 120, "latitude": 45.76,
               "opening_hours": {"mon": [["09:00", "12:00"], ["14:00", "19:00"]]},
               "closed_dates": ["2025-12-25", "2025-01-01"]}
    patched = client.patch(f"/api/v1/sites/{created['id']}", json=changes, headers=a.headers)
    assert patched.status_code == 200, patched.text
    site = patched.json()
    assert site["name"] == "Main St." and site["city"] == "Lyon" and site["capacity"] == 120
    assert site["opening_hours"] == {"mon": [["09:00", "12:00"], ["14:00", "19:00"]]}
    assert site["closed_dates"] == ["2025-01-01", "2025-12-25"]
    assert site["timezone"] == "Europe/Paris"  # untouched fields stay
    assert client.get("/api/v1/sites", headers=a.headers).json() == [site]
    assert client.delete(f"/api/v1/sites/{created['id']}", headers=a.headers).status_code == 204
    assert client.get(f"/api/v1/sites/{created['id']}", headers=a.headers).status_code == 404
    assert client.get("/api/v1/sites", headers=a.headers).json() == []


def test_bad_time_zone_is_422_naming_it(client: TestClient, a: Tenant) -> None:
    response = client.post("/api/v1/sites", json={**SITE, "timezone": "Mars/Olympus"},
                           headers=a.headers)
    assert response.status_code == 422
    assert response.json()["field"] == "timezone"
    assert "timezone" in response.json()["detail"] and "Mars/Olympus" in response.json()["detail"]
    site = post(client, a, "/sites", SITE)
    patched = client.patch(f"/api/v1/sites/{site['id']}", json={"timezone": "Europe/Pariss"},
                           headers=a.headers)
    assert patched.status_code == 422 and "timezone" in patched.json()["detail"]


def test_duplicate_code_is_409(client: TestClient, a: Tenant, b: Tenant) -> None:
    first = post(client, a, "/sites", SITE)
    again = client.post("/api/v1/sites", json={**SITE, "name": "Other"}, headers=a.headers)
    assert again.status_code == 409
    assert "code" in again.json()["detail"] and "0012" in again.json()["detail"]
    other = post(client, a, "/sites", {**SITE, "code": "0013"})
    renamed = client.patch(f"/api/v1/sites/{other['id']}", json={"code": "0012"},
                           headers=a.headers)
    assert renamed.status_code == 409
    # Codes are unique per company, not across companies.
    assert post(client, b, "/sites", SITE)["id"] != first["id"]


def test_unknown_field_is_422_naming_it(client: TestClient, a: Tenant) -> None:
    response = client.post("/api/v1/sites", json={**SITE, "colour": "red"}, headers=a.headers)
    assert response.status_code == 422
    assert any(error["loc"][-1] == "colour" for error in response.json()["detail"])
    site = post(client, a, "/sites", SITE)
    patched = client.patch(f"/api/v1/sites/{site['id']}", json={"branch": "x"}, headers=a.headers)
    assert patched.status_code == 422
    assert "branch" in patched.text


def test_invalid_values_are_refused(client: TestClient, a: Tenant) -> None:
    site = post(client, a, "/sites", SITE)
    for body, field in [
        ({"opening_hours": {"mon": [["18:00", "09:00"]]}}, "opening_hours.mon"),
        ({"code": None}, "code"),
        ({"latitude": 91}, "latitude"),
    ]:
        response = client.patch(f"/api/v1/sites/{site['id']}", json=body, headers=a.headers)
        assert response.status_code == 422, body
        assert field in response.text, response.text


def test_time_zone_change_restates_the_site_counters(client: TestClient, a: Tenant,
                                                     restated: list[int]) -> None:
    site = post(client, a, "/sites", SITE)
    other = post(client, a, "/sites", {**SITE, "code": "0099"})
    here = post(client, a, "/counters", {"serial": "aa01", "name": "Door", "site_id": site["id"]})
    post(client, a, "/counters", {"serial": "aa02", "name": "Elsewhere", "site_id": other["id"]})
    restated.clear()
    client.patch(f"/api/v1/sites/{site['id']}", json={"name": "Renamed"}, headers=a.headers)
    assert restated == []
    client.patch(f"/api/v1/sites/{site['id']}", json={"timezone": "Europe/Paris"},
                 headers=a.headers)
    assert restated == []
    response = client.patch(f"/api/v1/sites/{site['id']}", json={"timezone": "America/New_York"},
                            headers=a.headers)
    assert response.status_code == 200 and restated == [here["id"]]


def test_deleting_a_site_unassigns_its_counters(client: TestClient, a: Tenant,
                                                restated: list[int]) -> None:
    site = post(client, a, "/sites", SITE)
    counter = post(client, a, "/counters", {"serial": "aa01", "name": "D", "site_id": site["id"]})
    restated.clear()
    assert client.delete(f"/api/v1/sites/{site['id']}", headers=a.headers).status_code == 204
    kept = client.get(f"/api/v1/counters/{counter['id']}", headers=a.headers).json()
    assert kept["site_id"] is None and kept["assigned"] is False
    assert restated == [counter["id"]]
