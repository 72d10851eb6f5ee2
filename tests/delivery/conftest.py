"""Delivery fixtures: a hub app whose mail goes to a loopback SMTP server, an estate with data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from footfall.api.app import create_app
from footfall.domain.timegrid import local_midnight_ts
from footfall.domain.verification import Policy
from footfall.settings import Settings
from tests.api.conftest import a, b
from tests.api.helpers import Tenant, post
from tests.servers import Mailbox, smtp_server

__all__ = ["a", "b", "client", "hub_settings", "mailbox"]

KEY = Fernet.generate_key().decode()
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """An SMTP server on loopback that keeps what it receives."""
    with smtp_server() as box:
        yield box


@pytest.fixture
def hub_settings(tmp_path: Path, mailbox: Mailbox) -> Settings:
    """Hub settings: mail to the loopback server, a fixed secret key, no verification grace."""
    return Settings(data_dir=tmp_path / "hub", smtp_url=mailbox.url, secret_key=KEY,
                    policy=Policy(grace_s=0))


@pytest.fixture
def client(engine: Engine, hub_settings: Settings) -> Iterator[TestClient]:
    """The hub app over the `engine` fixture (both backends) with those settings."""
    with TestClient(create_app(hub_settings, engine)) as test_client:
        yield test_client


@dataclass(frozen=True)
class Estate:
    """A London site with two counters and two local days of hourly counts."""

    site: str
    serials: list[str]
    days: list[date]


def yesterday(tz: ZoneInfo = LONDON) -> date:
    """Yesterday in `tz` (the period a daily delivery run now covers)."""
    return datetime.now(tz).date() - timedelta(days=1)


def hour_counts(serial: str, day: date, scale: int) -> list[dict[str, Any]]:
    """Reported hourly counts of one counter over one London day, 08:00 to 18:00."""
    base = local_midnight_ts(day, LONDON)
    return [{"serial": serial, "line": 1, "start": base + hour * 3600, "length": 3600,
             "in": scale * hour, "out": scale * hour - 1, "staff_in": hour % 3, "staff_out": hour % 2,
             "source": "device_api"} for hour in range(8, 18)]


def build_estate(client: TestClient, tenant: Tenant, code: str = "LDN01") -> Estate:
    """One site, two counters, counts for yesterday and the day before (London time)."""
    site = post(client, tenant, "/sites", {"code": code, "name": "London Bridge",
                                           "timezone": "Europe/London"})
    serials = [f"{code.lower()}c{tenant.company_id}d{door}" for door in range(2)]
    for serial in serials:
        post(client, tenant, "/counters", {"serial": serial, "site_id": site["id"]})
    days = [yesterday() - timedelta(days=1), yesterday()]
    counts = [c for i, s in enumerate(serials) for d in days for c in hour_counts(s, d, i + 1)]
    response = client.post("/api/v1/ingest/counts", json=counts, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return Estate(code, serials, days)


def api_rows(client: TestClient, tenant: Tenant, level: str, ident: str, interval: str,
             first: date, last: date) -> list[dict[str, Any]]:
    """The API's /counts rows for the same selection and dates."""
    response = client.get("/api/v1/counts", headers=tenant.headers, params={
        "level": level, "id": ident, "interval": interval, "from": first.isoformat(),
        "to": last.isoformat()})
    assert response.status_code == 200, response.text
    return response.json()["data"]
