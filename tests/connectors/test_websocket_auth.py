"""Which company a connection speaks for: Basic logins, API tokens, the default; refusals are 401."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from websockets.exceptions import InvalidStatus

from footfall.connectors.websocket import WebSocketConfig, WebSocketLogin
from footfall.security.passwords import hash_password
from footfall.storage.engine import read_tx
from footfall.storage.tables import counter
from tests.api.helpers import Tenant, make_tenant
from tests.connectors.ws_harness import HubServer, event_message, exchange_sync


def basic(user: str, password: str) -> dict[str, str]:
    """The handshake header of HTTP Basic auth."""
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def company_of(engine: Engine, serial: str) -> int:
    with read_tx(engine) as conn:
        return int(conn.execute(select(counter.c.company_id).where(counter.c.serial == serial)).scalar_one())


@pytest.fixture
def tenants(sqlite_engine: Engine) -> tuple[Tenant, Tenant]:
    return make_tenant(sqlite_engine, "Company A"), make_tenant(sqlite_engine, "Company B")


def push(hub: HubServer, serial: str, url: str | None = None, **options: object) -> list[str]:
    return exchange_sync(url or hub.ws_url, [json.dumps(event_message(1, serial=serial))], **options)


def test_connections_map_to_companies(sqlite_engine: Engine, tmp_path: Path,
                                      tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    config = WebSocketConfig(default_company="Company A", logins=(
        WebSocketLogin(username="store-17", password_hash=hash_password("s3cret"), company="Company B"),))
    with HubServer(sqlite_engine, tmp_path, config) as hub:
        assert push(hub, "00000000000000a1") == ["OK"]  # no credentials: the default company
        assert push(hub, "00000000000000b1", additional_headers=basic("store-17", "s3cret")) == ["OK"]
        assert push(hub, "00000000000000b1", additional_headers=basic("store-17", "s3cret")) == ["OK"]
        assert push(hub, "00000000000000a2", additional_headers=basic("anyone", a.token)) == ["OK"]
        assert push(hub, "00000000000000b2", f"{hub.ws_url}?token={b.token}") == ["OK"]
        assert push(hub, "00000000000000b3",
                    additional_headers={"Authorization": f"Bearer {b.token}"}) == ["OK"]
    owners = {s: company_of(sqlite_engine, s) for s in ("00000000000000a1", "00000000000000a2",
                                                         "00000000000000b1", "00000000000000b2",
                                                         "00000000000000b3")}
    assert owners == {"00000000000000a1": a.company_id, "00000000000000a2": a.company_id,
                      "00000000000000b1": b.company_id, "00000000000000b2": b.company_id,
                      "00000000000000b3": b.company_id}


@pytest.mark.parametrize("headers", [basic("store-17", "wrong"), basic("nobody", "s3cret"),
                                     {"Authorization": "Bearer ff_not-a-token"},
                                     {"Authorization": "Digest abc"}, {}])
def test_wrong_or_missing_credentials_are_refused_with_401(
        sqlite_engine: Engine, tmp_path: Path, tenants: tuple[Tenant, Tenant],
        headers: dict[str, str]) -> None:
    config = WebSocketConfig(auth="required", logins=(
        WebSocketLogin(username="store-17", password_hash=hash_password("s3cret"), company="Company B"),))
    with HubServer(sqlite_engine, tmp_path, config) as hub:
        with pytest.raises(InvalidStatus) as refused:
            push(hub, "00000000000000c1", additional_headers=headers)
        assert refused.value.response.status_code == 401
        assert b"Basic" in (refused.value.response.headers.get("WWW-Authenticate") or "").encode()
        # The hub is still there for a counter with the right login.
        assert push(hub, "00000000000000c1", additional_headers=basic("store-17", "s3cret")) == ["OK"]


def test_without_a_default_several_companies_need_credentials(
        sqlite_engine: Engine, tmp_path: Path, tenants: tuple[Tenant, Tenant]) -> None:
    with HubServer(sqlite_engine, tmp_path) as hub:
        with pytest.raises(InvalidStatus) as refused:
            push(hub, "00000000000000d1")
        assert refused.value.response.status_code == 401
        assert b"several companies" in refused.value.response.body


@pytest.fixture
def only_company(sqlite_engine: Engine) -> Iterator[Tenant]:
    yield make_tenant(sqlite_engine, "Solo")


def test_a_single_company_takes_unauthenticated_connections(
        sqlite_engine: Engine, tmp_path: Path, only_company: Tenant) -> None:
    with HubServer(sqlite_engine, tmp_path) as hub:
        assert push(hub, "00000000000000e1") == ["OK"]
    assert company_of(sqlite_engine, "00000000000000e1") == only_company.company_id
