"""Sales fixtures: an app over each backend, two companies with the sample's sites."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from footfall.api.app import create_app
from footfall.estate.sites import create_site
from footfall.settings import Settings
from footfall.storage.engine import write_tx
from tests.api.helpers import Tenant, make_tenant

SITE_ZONES = {"KUL01": "Asia/Kuala_Lumpur", "LDN01": "Europe/London"}


def add_sites(engine: Engine, company_id: int, zones: dict[str, str] = SITE_ZONES) -> dict[str, int]:
    """The sample's sites in a company; code → site id."""
    with write_tx(engine) as conn:
        return {code: create_site(conn, company_id, code, code, tz)["id"] for code, tz in zones.items()}


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    """A test client of an app over the migrated `engine` fixture (both backends)."""
    settings = Settings(data_dir=tmp_path, max_body_bytes=1024 * 1024)
    with TestClient(create_app(settings, engine)) as test_client:
        yield test_client


@pytest.fixture
def a(engine: Engine) -> Tenant:
    """Company A, with the sample's sites."""
    tenant = make_tenant(engine, "Company A")
    add_sites(engine, tenant.company_id)
    return tenant


@pytest.fixture
def b(engine: Engine) -> Tenant:
    """Company B, with sites of the same codes (tenancy must still keep them apart)."""
    tenant = make_tenant(engine, "Company B")
    add_sites(engine, tenant.company_id)
    return tenant
