"""Counters: CRUD, unassigned counters (from ingest) and assigning them, lines."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from footfall.storage.engine import write_tx
from footfall.storage.tables import counter
from tests.api.helpers import Tenant, add_line, post

SITE = {"code": "S1", "name": "Site one", "timezone": "Europe/London"}


def _unassigned(engine: Engine, tenant: Tenant, serial: str) -> int:
    """A counter as ingest creates it when an unknown serial sends data."""
    now = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    with write_tx(engine) as conn:
        return conn.execute(insert(counter).values(
            company_id=tenant.company_id, serial=serial, active=True, first_seen_at=now,
            last_seen_at=now, created_at=now,
        ).returning(counter.c.id)).scalar_one()


def test_counter_round_trip(client: TestClient, a: Tenant) -> None:
    site = post(client, a, "/sites", SITE)
    created = post(client, a, "/counters",
                   {"serial": "000000006afce315", "name": "Front door", "site_id": site["id"]})
    assert created["assigned"] is True and created["site_id"] == site["id"]
    assert created["last_seen_at"] is None and created["last_check_at"] is None
    assert created["active"] is True
    url = f"/api/v1/counters/{created['id']}"
    assert client.get(url, headers=a.headers).json() == created
    patched = client.patch(url, json={"name": "Back door", "host": "10.0.0.7", "port": 80,
                                      "active": False}, headers=a.headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Back door" and patched.json()["active"] is False
    assert client.get("/api/v1/counters", headers=a.headers).json() == [patched.json()]
    listed = client.get("/api/v1/counters", params={"site_id": site["id"]}, headers=a.headers)
    assert [c["id"] for c in listed.json()] == [created["id"]]
    assert client.delete(url, headers=a.headers).status_code == 204
    assert client.get(url, headers=a.headers).status_code == 404


def test_duplicate_serial_is_409(client: TestClient, a: Tenant) -> None:
    post(client, a, "/counters", {"serial": "abc", "name": "x", "site_id": None})
    again = client.post("/api/v1/counters", json={"serial": "abc", "name": "y"}, headers=a.headers)
    assert again.status_code == 409 and "serial" in again.json()["detail"]


def test_unassigned_counter_is_listed_and_assigned(client: TestClient, engine: Engine, a: Tenant,
                                                   restated: list[int]) -> None:
    site = post(client, a, "/sites", SITE)
    registered = post(client, a, "/counters",
                      {"serial": "reg1", "name": "R", "site_id": site["id"]})
    orphan = _unassigned(engine, a, "000000006afce315")
    listed = client.get("/api/v1/counters", params={"unassigned": "true"}, headers=a.headers)
    assert [(c["id"], c["assigned"]) for c in listed.json()] == [(orphan, False)]
    assert listed.json()[0]["last_seen_at"].startswith("2025-03-01T09:30:00")
    assigned_only = client.get("/api/v1/counters", params={"unassigned": "false"},
                               headers=a.headers)
    assert [c["id"] for c in assigned_only.json()] == [registered["id"]]

    clash = client.post("/api/v1/counters", json={"serial": "000000006afce315", "name": "Door",
                                                  "site_id": site["id"]}, headers=a.headers)
    assert clash.status_code == 409
    detail = clash.json()["detail"]
    assert "unassigned" in detail and f"PATCH /api/v1/counters/{orphan}" in detail

    restated.clear()
    response = client.patch(f"/api/v1/counters/{orphan}", json={"site_id": site["id"]},
                            headers=a.headers)
    assert response.status_code == 200, response.text
    assert response.json()["assigned"] is True and response.json()["site_id"] == site["id"]
    assert restated == [orphan]
    client.patch(f"/api/v1/counters/{orphan}", json={"name": "Door"}, headers=a.headers)
    assert restated == [orphan]  # a rename does not restate
    empty = client.get("/api/v1/counters", params={"unassigned": "true"}, headers=a.headers)
    assert empty.json() == []


def test_assigning_to_a_missing_site_is_404(client: TestClient, a: Tenant) -> None:
    created = post(client, a, "/counters", {"serial": "c1", "name": "C", "site_id": None})
    response = client.patch(f"/api/v1/counters/{created['id']}", json={"site_id": 999},
                            headers=a.headers)
    assert response.status_code == 404 and response.json()["field"] == "site_id"


def test_lines_list_and_edit(client: TestClient, engine: Engine, a: Tenant,
                             restated: list[int]) -> None:
    created = post(client, a, "/counters", {"serial": "c1", "name": "C", "site_id": None})
    second = add_line(engine, created["id"], 2)
    first = add_line(engine, created["id"], 1)
    base = f"/api/v1/counters/{created['id']}/lines"
    lines = client.get(base, headers=a.headers).json()
    assert [(x["id"], x["roi_id"], x["kind"], x["direction"]) for x in lines] == [
        (first, 1, "entrance", "normal"), (second, 2, "entrance", "normal")]
    restated.clear()
    renamed = client.patch(f"{base}/{second}", json={"name": "Pavement"}, headers=a.headers)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Pavement"
    assert restated == []
    edited = client.patch(f"{base}/{second}", json={"kind": "outside", "direction": "reversed"},
                          headers=a.headers)
    assert edited.status_code == 200, edited.text
    assert edited.json()["kind"] == "outside" and edited.json()["direction"] == "reversed"
    assert restated == [created["id"]]
    assert client.get(f"{base}/{second}", headers=a.headers).json() == edited.json()
    bad = client.patch(f"{base}/{second}", json={"kind": "door"}, headers=a.headers)
    assert bad.status_code == 422 and "kind" in bad.text
    other = post(client, a, "/counters", {"serial": "c2", "name": "C2", "site_id": None})
    wrong_parent = f"/api/v1/counters/{other['id']}/lines/{second}"
    assert client.get(wrong_parent, headers=a.headers).status_code == 404
