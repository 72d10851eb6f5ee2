"""Bearer tokens: missing, wrong, revoked, query parameter on GET only, shown once."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.storage.engine import read_tx
from footfall.storage.tables import api_token
from tests.api.helpers import Tenant, post


def _assert_401(response: object) -> None:
    assert response.status_code == 401, response.text  # type: ignore[attr-defined]
    assert response.headers["www-authenticate"] == "Bearer"  # type: ignore[attr-defined]
    assert response.json()["detail"]  # type: ignore[attr-defined]


def test_missing_token(client: TestClient) -> None:
    response = client.get("/api/v1/sites")
    _assert_401(response)
    assert "Authorization: Bearer" in response.json()["detail"]


def test_wrong_and_malformed_tokens(client: TestClient, a: Tenant) -> None:
    _assert_401(client.get("/api/v1/sites", headers={"Authorization": "Bearer ff_wrong"}))
    _assert_401(client.get("/api/v1/sites", headers={"Authorization": f"Bearer {a.token}x"}))
    _assert_401(client.get("/api/v1/sites", headers={"Authorization": f"Basic {a.token}"}))
    _assert_401(client.get("/api/v1/sites", headers={"Authorization": a.token}))
    assert client.get("/api/v1/sites", headers=a.headers).status_code == 200


def test_access_token_query_parameter_on_get_only(client: TestClient, a: Tenant) -> None:
    assert client.get("/api/v1/sites", params={"access_token": a.token}).status_code == 200
    _assert_401(client.get("/api/v1/sites", params={"access_token": "ff_nope"}))
    refused = client.post("/api/v1/sites", params={"access_token": a.token},
                          json={"code": "S1", "name": "One", "timezone": "UTC"})
    _assert_401(refused)
    assert "GET requests only" in refused.json()["detail"]
    assert client.get("/api/v1/sites", headers=a.headers).json() == []


def test_token_shown_once_and_stored_hashed(client: TestClient, engine: Engine, a: Tenant) -> None:
    created = post(client, a, "/tokens", {"name": "Power BI"})
    secret = created["token"]
    assert secret.startswith("ff_") and created["prefix"] == secret[:8]
    listing = client.get("/api/v1/tokens", headers=a.headers)
    one = client.get(f"/api/v1/tokens/{created['id']}", headers=a.headers)
    for response in (listing, one):
        assert response.status_code == 200
        assert secret not in response.text and "token_hash" not in response.text
    assert {t["name"] for t in listing.json()} == {"Company A token", "Power BI"}
    assert "token" not in one.json()
    with read_tx(engine) as conn:
        rows = conn.execute(select(api_token)).mappings().all()
    stored = " ".join(str(value) for row in rows for value in row.values())
    assert secret not in stored and a.token not in stored
    # The new token works, and using it is recorded.
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/sites", headers=headers).status_code == 200
    used = client.get(f"/api/v1/tokens/{created['id']}", headers=headers).json()
    assert used["last_used_at"] is not None and used["revoked_at"] is None


def test_revoked_token_is_refused(client: TestClient, a: Tenant) -> None:
    created = post(client, a, "/tokens", {"name": "temporary"})
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/sites", headers=headers).status_code == 200
    assert client.delete(f"/api/v1/tokens/{created['id']}", headers=a.headers).status_code == 204
    _assert_401(client.get("/api/v1/sites", headers=headers))
    listed = client.get(f"/api/v1/tokens/{created['id']}", headers=a.headers).json()
    assert listed["revoked_at"] is not None
    # Revoking one token leaves the others working.
    assert client.get("/api/v1/sites", headers=a.headers).status_code == 200


def test_health_needs_no_token(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_openapi_documents_bearer(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/v1/sites" in spec["paths"] and "/healthz" in spec["paths"]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
