"""Helpers of the API tests: tenants with tokens, lines as ingest makes them, POST shortcuts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from footfall.estate.companies import create_company
from footfall.estate.tokens import create_token
from footfall.storage.engine import write_tx
from footfall.storage.tables import line

BODY_LIMIT = 4096


@dataclass(frozen=True)
class Tenant:
    """A company and a live token of it."""

    company_id: int
    token_id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """The bearer header of this tenant's token."""
        return {"Authorization": f"Bearer {self.token}"}


def make_tenant(engine: Engine, name: str) -> Tenant:
    """A new company with one API token, made through the estate functions."""
    with write_tx(engine) as conn:
        company = create_company(conn, name)
        row, plaintext = create_token(conn, company["id"], f"{name} token")
    return Tenant(company_id=company["id"], token_id=row["id"], token=plaintext)


def add_line(engine: Engine, counter_id: int, roi_id: int) -> int:
    """A line as ingest creates it on first sight of a RoiId: an entrance, normal direction."""
    with write_tx(engine) as conn:
        return conn.execute(insert(line).values(
            counter_id=counter_id, roi_id=roi_id, kind="entrance", direction="normal",
        ).returning(line.c.id)).scalar_one()


def post(client: TestClient, tenant: Tenant, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST a body that must be created (201); the created object."""
    response = client.post(f"/api/v1{path}", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()
