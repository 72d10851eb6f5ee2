"""Tenancy: a company's token never sees, changes or deletes another company's objects."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.api.helpers import Tenant, add_line, post


def test_company_a_cannot_touch_company_b(client: TestClient, engine: Engine, a: Tenant,
                                          b: Tenant) -> None:
    site = post(client, b, "/sites", {"code": "B1", "name": "B", "timezone": "UTC"})
    counter = post(client, b, "/counters", {"serial": "b-1", "name": "B", "site_id": site["id"]})
    line = add_line(engine, counter["id"], 1)
    group = post(client, b, "/site-groups", {"name": "B group", "site_ids": [site["id"]]})
    area = post(client, b, "/areas", {"site_id": site["id"], "name": "B area",
                                      "lines": [{"line_id": line}]})
    token = post(client, b, "/tokens", {"name": "B extra"})

    for path in ("/sites", "/counters", "/site-groups", "/areas"):
        assert client.get(f"/api/v1{path}", headers=a.headers).json() == [], path
    assert [t["name"] for t in client.get("/api/v1/tokens", headers=a.headers).json()] == [
        "Company A token"]

    objects = {
        f"/sites/{site['id']}": {"name": "stolen"},
        f"/counters/{counter['id']}": {"name": "stolen"},
        f"/site-groups/{group['id']}": {"name": "stolen"},
        f"/areas/{area['id']}": {"name": "stolen"},
        f"/counters/{counter['id']}/lines/{line}": {"name": "stolen"},
    }
    for path, change in objects.items():
        url = f"/api/v1{path}"
        assert client.get(url, headers=a.headers).status_code == 404, path
        assert client.patch(url, json=change, headers=a.headers).status_code == 404, path
        if not path.endswith(f"/lines/{line}"):
            assert client.delete(url, headers=a.headers).status_code == 404, path
    assert client.get("/api/v1/sites/B1", headers=a.headers).status_code == 404
    assert client.get(f"/api/v1/counters/{counter['id']}/lines",
                      headers=a.headers).status_code == 404
    assert client.get(f"/api/v1/tokens/{token['id']}", headers=a.headers).status_code == 404
    assert client.delete(f"/api/v1/tokens/{token['id']}", headers=a.headers).status_code == 404
    assert client.get("/api/v1/sites", headers={"Authorization": f"Bearer {token['token']}"}
                      ).json()[0]["id"] == site["id"]

    # References to B's objects inside A's bodies are as unknown as missing ones.
    a_site = post(client, a, "/sites", {"code": "A1", "name": "A", "timezone": "UTC"})
    stolen_group = client.post("/api/v1/site-groups", json={"name": "G", "site_ids": [site["id"]]},
                               headers=a.headers)
    missing_group = client.post("/api/v1/site-groups", json={"name": "G", "site_ids": [99999]},
                                headers=a.headers)
    assert stolen_group.status_code == missing_group.status_code == 404
    assert stolen_group.json()["detail"].replace(str(site["id"]), "N") == \
        missing_group.json()["detail"].replace("99999", "N")
    a_counter = post(client, a, "/counters", {"serial": "a-1", "name": "A", "site_id": None})
    assert client.patch(f"/api/v1/counters/{a_counter['id']}", json={"site_id": site["id"]},
                        headers=a.headers).status_code == 404
    assert client.post("/api/v1/counters", json={"serial": "a-2", "name": "A",
                                                 "site_id": site["id"]},
                       headers=a.headers).status_code == 404
    assert client.post("/api/v1/areas", json={"site_id": a_site["id"], "name": "X",
                                              "lines": [{"line_id": line}]},
                       headers=a.headers).status_code == 404
    # The same serial may exist in both companies.
    assert post(client, a, "/counters", {"serial": "b-1", "name": "A", "site_id": None})

    # Everything of B is still there and unchanged.
    after = client.get(f"/api/v1/sites/{site['id']}", headers=b.headers).json()
    assert after == site
    assert client.get(f"/api/v1/site-groups/{group['id']}", headers=b.headers).json() == group
    assert client.get(f"/api/v1/areas/{area['id']}", headers=b.headers).json() == area
    assert client.get(f"/api/v1/tokens/{token['id']}", headers=b.headers).json()["revoked_at"] \
        is None
