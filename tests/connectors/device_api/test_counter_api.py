"""The device API settings on the counter resource: sealed password, refused addresses, pull health."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.connectors.device_api import store
from footfall.security.secrets import secret_box
from footfall.settings import Settings
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables_device_api import device_api_login
from tests.api.helpers import Tenant, post

PULLED = {
    "serial": "00000000000000a1",
    "channel": "device_api",
    "host": "192.168.2.123",
    "port": 8080,
    "username": "admin",
    "password": "Sup3r-s3cret!",
    "data_type": "xml",
    "resolution": "second",
    "resolution_step": 30,
}


def test_the_password_is_sealed_and_never_returned(
    client: TestClient, engine: Engine, tmp_path: Path, a: Tenant, b: Tenant
) -> None:
    created = client.post("/api/v1/counters", json=PULLED, headers=a.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert "Sup3r-s3cret!" not in created.text and "password" not in body
    assert body["password_set"] is True
    assert {
        k: body[k]
        for k in (
            "channel",
            "host",
            "port",
            "username",
            "data_type",
            "resolution",
            "resolution_step",
            "poll_interval_s",
        )
    } == {
        "channel": "device_api",
        "host": "192.168.2.123",
        "port": 8080,
        "username": "admin",
        "data_type": "xml",
        "resolution": "second",
        "resolution_step": 30,
        "poll_interval_s": 3600,
    }
    assert body["pulls"] == []
    url = f"/api/v1/counters/{body['id']}"
    assert client.get(url, headers=a.headers).json() == body
    with read_tx(engine) as conn:
        sealed = conn.execute(select(device_api_login.c.password_sealed)).scalar_one()
    assert "Sup3r" not in sealed
    assert secret_box(Settings(data_dir=tmp_path)).unseal(sealed) == "Sup3r-s3cret!"
    # Another company sees nothing of it.
    assert client.get(url, headers=b.headers).status_code == 404
    assert client.get("/api/v1/counters", headers=b.headers).json() == []
    assert client.patch(url, json={"password": "x"}, headers=b.headers).status_code == 404

    changed = client.patch(url, json={"password": "n3w-one", "resolution": "minute"}, headers=a.headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["password_set"] is True and "n3w-one" not in changed.text
    with read_tx(engine) as conn:
        sealed = conn.execute(select(device_api_login.c.password_sealed)).scalar_one()
    assert secret_box(Settings(data_dir=tmp_path)).unseal(sealed) == "n3w-one"
    cleared = client.patch(url, json={"password": None}, headers=a.headers)
    assert cleared.json()["password_set"] is False


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("169.254.169.254", "link-local"),
        ("100.100.100.200", "Alibaba"),
        ("fe80::1", "IPv6 link-local"),
        ("[fd00:ec2::254]", "AWS"),
        ("::ffff:169.254.169.254", "link-local"),
    ],
)
def test_metadata_and_link_local_hosts_are_refused(
    client: TestClient, a: Tenant, host: str, why: str
) -> None:
    response = client.post("/api/v1/counters", json={**PULLED, "host": host}, headers=a.headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "host" and why in response.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"host": None}, "host"),
        ({"data_type": "yaml"}, "data_type"),
        ({"resolution": "day"}, "resolution"),
        ({"resolution_step": 7}, "resolution_step"),
        ({"poll_interval_s": 5}, "poll_interval_s"),
        ({"password": ""}, "password"),
    ],
)
def test_bad_settings_are_named(client: TestClient, a: Tenant, change: dict[str, object], field: str) -> None:
    response = client.post("/api/v1/counters", json={**PULLED, **change}, headers=a.headers)
    assert response.status_code == 422, response.text
    assert field in response.text


def test_pull_health_is_shown_per_channel(client: TestClient, engine: Engine, a: Tenant) -> None:
    created = post(client, a, "/counters", PULLED)
    now = datetime(2025, 11, 21, 6, tzinfo=UTC)
    with write_tx(engine) as conn:
        store.record_attempt(conn, created["id"], now)
        store.advance(conn, created["id"], 1763700000)
        store.record_success(conn, created["id"], now)
        store.record_failure(conn, created["id"], now, "no answer from 192.168.2.123:8080 within 10 s")
    pulls = client.get(f"/api/v1/counters/{created['id']}", headers=a.headers).json()["pulls"]
    assert pulls == [
        {
            "channel": "device_api",
            "watermark_ts": 1763700000,
            "last_attempt_at": "2025-11-21T06:00:00Z",
            "last_success_at": "2025-11-21T06:00:00Z",
            "last_error": "no answer from 192.168.2.123:8080 within 10 s",
            "last_error_at": "2025-11-21T06:00:00Z",
            "failures": 1,
        }
    ]
