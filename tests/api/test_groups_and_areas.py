"""Site groups and areas: CRUD and membership rules."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.api.helpers import Tenant, add_line, post


def _site(client: TestClient, tenant: Tenant, code: str) -> int:
    return post(client, tenant, "/sites", {"code": code, "name": code, "timezone": "UTC"})["id"]


def test_site_group_round_trip(client: TestClient, a: Tenant) -> None:
    one, two, three = (_site(client, a, code) for code in ("S1", "S2", "S3"))
    group = post(client, a, "/site-groups", {"name": "North", "site_ids": [two, one, two]})
    assert group["site_ids"] == sorted([one, two])
    url = f"/api/v1/site-groups/{group['id']}"
    assert client.get(url, headers=a.headers).json() == group
    patched = client.patch(url, json={"name": "North-East", "site_ids": [three]},
                           headers=a.headers)
    assert patched.status_code == 200
    assert patched.json()["name"] == "North-East" and patched.json()["site_ids"] == [three]
    assert client.get("/api/v1/site-groups", headers=a.headers).json() == [patched.json()]
    dup = client.post("/api/v1/site-groups", json={"name": "North-East"}, headers=a.headers)
    assert dup.status_code == 409 and "name" in dup.json()["detail"]
    missing = client.post("/api/v1/site-groups", json={"name": "X", "site_ids": [one, 999]},
                          headers=a.headers)
    assert missing.status_code == 404 and missing.json()["field"] == "site_ids[1]"
    assert client.delete(url, headers=a.headers).status_code == 204
    assert client.get(url, headers=a.headers).status_code == 404
    assert client.get(f"/api/v1/sites/{three}", headers=a.headers).status_code == 200


def test_area_round_trip(client: TestClient, engine: Engine, a: Tenant) -> None:
    site, elsewhere = _site(client, a, "S1"), _site(client, a, "S2")
    here = post(client, a, "/counters", {"serial": "c1", "name": "C1", "site_id": site})
    there = post(client, a, "/counters", {"serial": "c2", "name": "C2", "site_id": elsewhere})
    l1, l2 = add_line(engine, here["id"], 1), add_line(engine, here["id"], 2)
    foreign = add_line(engine, there["id"], 1)
    area = post(client, a, "/areas", {"site_id": site, "name": "First floor",
                                      "lines": [{"line_id": l1, "direction": "normal"},
                                                {"line_id": l2, "direction": "reversed"}]})
    assert area["lines"] == [{"line_id": l1, "direction": "normal"},
                             {"line_id": l2, "direction": "reversed"}]
    url = f"/api/v1/areas/{area['id']}"
    assert client.get(url, headers=a.headers).json() == area
    patched = client.patch(url, json={"name": "Floor 1", "lines": [{"line_id": l2}]},
                           headers=a.headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["lines"] == [{"line_id": l2, "direction": "normal"}]
    assert client.get("/api/v1/areas", params={"site_id": site}, headers=a.headers).json() == [
        patched.json()]
    others = client.get("/api/v1/areas", params={"site_id": elsewhere}, headers=a.headers)
    assert others.json() == []
    wrong_site = client.patch(url, json={"lines": [{"line_id": foreign}]}, headers=a.headers)
    assert wrong_site.status_code == 422 and wrong_site.json()["field"] == "lines[0].line_id"
    dup = client.post("/api/v1/areas", json={"site_id": site, "name": "Floor 1"},
                      headers=a.headers)
    assert dup.status_code == 409
    bad_key = client.post("/api/v1/areas", json={"site_id": site, "name": "Z",
                                                 "lines": [{"line_id": l1, "dir": "normal"}]},
                          headers=a.headers)
    assert bad_key.status_code == 422 and "dir" in bad_key.text
    assert client.delete(url, headers=a.headers).status_code == 204
    assert client.get(url, headers=a.headers).status_code == 404


def test_moving_a_counter_drops_it_from_its_old_areas(client: TestClient, engine: Engine,
                                                      a: Tenant) -> None:
    site, elsewhere = _site(client, a, "S1"), _site(client, a, "S2")
    counter = post(client, a, "/counters", {"serial": "c1", "name": "C1", "site_id": site})
    line = add_line(engine, counter["id"], 1)
    area = post(client, a, "/areas", {"site_id": site, "name": "Floor",
                                      "lines": [{"line_id": line}]})
    client.patch(f"/api/v1/counters/{counter['id']}", json={"site_id": elsewhere},
                 headers=a.headers)
    assert client.get(f"/api/v1/areas/{area['id']}", headers=a.headers).json()["lines"] == []
