"""The deliveries API: CRUD, validation naming the field, sealed passwords, tenancy, claims."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from footfall.delivery import runs
from footfall.delivery.runs import Claim
from footfall.security.secrets import SecretBox
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables_delivery import delivery, delivery_run
from tests.api.helpers import Tenant, post
from tests.delivery.conftest import KEY

SFTP = {"name": "nightly", "ids": ["LDN01"], "destination": "sftp", "host": "files.example.com",
        "username": "drop", "password": "hunter2-secret"}


def test_password_is_sealed_at_rest_and_never_returned(client: TestClient, a: Tenant,
                                                       engine: Engine) -> None:
    created = post(client, a, "/deliveries", SFTP)
    assert created["password_set"] is True
    fetched = client.get(f"/api/v1/deliveries/{created['id']}", headers=a.headers)
    listed = client.get("/api/v1/deliveries", headers=a.headers)
    for text in (str(created), fetched.text, listed.text):
        assert "hunter2-secret" not in text and "password_sealed" not in text
    with read_tx(engine) as conn:
        sealed = conn.execute(select(delivery.c.password_sealed)).scalar_one()
    assert "hunter2" not in sealed and SecretBox(KEY).unseal(sealed) == "hunter2-secret"
    # Changing another field keeps the password; sending an empty one clears it.
    kept = client.patch(f"/api/v1/deliveries/{created['id']}", json={"directory": "/in"},
                        headers=a.headers).json()
    assert kept["password_set"] is True and kept["directory"] == "/in"
    cleared = client.patch(f"/api/v1/deliveries/{created['id']}", json={"password": ""},
                           headers=a.headers).json()
    assert cleared["password_set"] is False


def test_defaults_and_schedule_fields_round_trip(client: TestClient, a: Tenant) -> None:
    created = post(client, a, "/deliveries", {**SFTP, "frequency": "weekly", "weekday": "wed",
                                              "at": "07:15", "timezone": "Europe/Paris"})
    assert (created["frequency"], created["weekday"], created["at"], created["timezone"]) == \
        ("weekly", "wed", "07:15", "Europe/Paris")
    assert (created["kind"], created["format"], created["retries"], created["passive"]) == \
        ("export", "csv", 3, True)
    daily = post(client, a, "/deliveries", {**SFTP, "name": "per counter", "kind": "counter_daily",
                                            "ids": "all"})
    assert (daily["level"], daily["interval"], daily["at"]) == ("counter", "minute", "02:30")


def test_bad_fields_are_refused_naming_the_field(client: TestClient, a: Tenant) -> None:
    cases = [
        ({"timezone": "Mars/Base"}, "timezone", "Mars/Base"),
        ({"columns": ["in", "bogus"]}, "columns", "bogus"),
        ({"file_name": "x_{nope}.csv"}, "file_name", "nope"),
        ({"file_name": "x_{date.__class__}.csv"}, "file_name", "date.__class__"),
        ({"destination": "email", "recipients": []}, "recipients", "at least one"),
        ({"destination": "email", "recipients": ["not-an-address"]}, "recipients", "not-an-address"),
        ({"failure_email": "nobody"}, "failure_email", "nobody"),
        ({"host": None}, "host", "host"),
        ({"kind": "counter_daily", "level": "site"}, "level", "counter level"),
        ({"dateformat": "yyyy-QQ"}, "dateformat", "QQ"),
    ]
    for change, field, words in cases:
        response = client.post("/api/v1/deliveries", json={**SFTP, **change}, headers=a.headers)
        assert response.status_code == 422, (change, response.text)
        assert field in response.text and words in response.text, (change, response.text)
    post(client, a, "/deliveries", SFTP)
    again = client.post("/api/v1/deliveries", json=SFTP, headers=a.headers)
    assert again.status_code == 409 and "nightly" in again.text
    unknown = client.post("/api/v1/deliveries", json={**SFTP, "colour": "red"}, headers=a.headers)
    assert unknown.status_code == 422 and "colour" in unknown.text


def test_another_company_sees_nothing(client: TestClient, a: Tenant, b: Tenant) -> None:
    created = post(client, a, "/deliveries", SFTP)
    path = f"/api/v1/deliveries/{created['id']}"
    assert client.get("/api/v1/deliveries", headers=b.headers).json() == []
    for method, suffix in [("get", ""), ("patch", ""), ("delete", ""), ("post", "/run"),
                           ("post", "/test"), ("get", "/runs")]:
        kwargs = {"json": {"name": "mine"}} if method == "patch" else {}
        response = getattr(client, method)(path + suffix, headers=b.headers, **kwargs)
        assert response.status_code == 404, (method, suffix, response.text)
    # B may use the same name: names are unique per company.
    assert post(client, b, "/deliveries", SFTP)["name"] == "nightly"
    assert client.get(path, headers=a.headers).json()["name"] == "nightly"
    assert client.delete(path, headers=a.headers).status_code == 204
    assert client.get(path, headers=a.headers).status_code == 404


def test_changed_schedule_starts_again_now(client: TestClient, a: Tenant) -> None:
    created = post(client, a, "/deliveries", SFTP)
    same = client.patch(f"/api/v1/deliveries/{created['id']}", json={"at": "06:00", "host": "h2"},
                        headers=a.headers).json()
    assert same["schedule_since"] == created["schedule_since"]
    moved = client.patch(f"/api/v1/deliveries/{created['id']}", json={"at": "08:00"},
                         headers=a.headers).json()
    assert moved["schedule_since"] > created["schedule_since"]


def test_an_occurrence_is_claimed_once(client: TestClient, a: Tenant, engine: Engine) -> None:
    created = post(client, a, "/deliveries", SFTP)
    what = Claim("daily:2024-03-04", "schedule", date(2024, 3, 4), date(2024, 3, 4))
    now = datetime.now(UTC)
    with write_tx(engine) as conn:
        first = runs.claim(conn, created["id"], what, now)
    with write_tx(engine) as conn:
        second = runs.claim(conn, created["id"], what, now)
    assert first is not None and second is None
    with read_tx(engine) as conn:
        assert conn.execute(select(delivery_run.c.id)).scalars().all() == [first]


def test_migration_builds_the_tables_of_the_metadata(engine: Engine) -> None:
    found = inspect(engine)
    for table in (delivery, delivery_run):
        assert {c["name"] for c in found.get_columns(table.name)} == set(table.c.keys())
    uniques = {u["name"] for u in found.get_unique_constraints("delivery_run")}
    assert "uq_delivery_run_occurrence" in uniques
    assert {c["name"] for c in found.get_columns("delivered_day")} == {
        "delivery_id", "counter_id", "day", "revision_us", "run_id", "delivered_at"}
