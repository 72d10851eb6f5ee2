"""API tokens carry a role: a viewer token reads but may not change the estate, a manager token
may not manage tokens, nobody hands out a token above their own role; old tokens are admin
tokens after migration 0008; `footfall token create --role` (both backends)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from footfall.cli.main import app as cli
from footfall.estate.errors import Invalid
from footfall.estate.tokens import create_token
from footfall.security.tokens import verify_token
from footfall.storage.engine import make_engine, read_tx, write_tx
from footfall.storage.migrate import alembic_config
from footfall.storage.tables import api_token, metadata
from tests.api.helpers import Tenant, add_line, post

API = "/api/v1"
READS = ["/sites", "/site-groups", "/areas", "/counters", "/tokens", "/deliveries", "/sales/profiles",
         "/sales/schedules"]


def _token(engine: Engine, tenant: Tenant, role: str) -> dict[str, str]:
    with write_tx(engine) as conn:
        plaintext = create_token(conn, tenant.company_id, f"{role} token", role)[1]
    return {"Authorization": f"Bearer {plaintext}"}


def _estate(client: TestClient, tenant: Tenant, counter_id: int) -> list[Any]:
    """Everything the settings routes could change, as the admin token reads it."""
    answers = [client.get(API + path, headers=tenant.headers).json() for path in READS]
    answers.append(client.get(f"{API}/counters/{counter_id}/lines", headers=tenant.headers).json())
    for token in answers[4]:
        token.pop("last_used_at")  # using a token is not a change of settings
    return answers


@pytest.fixture
def estate(client: TestClient, a: Tenant, engine: Engine) -> dict[str, int]:
    """A site, a group, a counter with a line and an area of company A, made by its admin token."""
    site = post(client, a, "/sites", {"code": "LDN", "name": "London", "timezone": "Europe/London"})["id"]
    group = post(client, a, "/site-groups", {"name": "UK", "site_ids": [site]})["id"]
    counter = post(client, a, "/counters", {"serial": "00000000000000a1", "site_id": site})["id"]
    line = add_line(engine, counter, 1)
    area = post(client, a, "/areas", {"name": "Floor", "site_id": site, "lines": [{"line_id": line}]})["id"]
    return {"site": site, "group": group, "counter": counter, "line": line, "area": area, "token": a.token_id}


def _writes(ids: dict[str, int]) -> list[tuple[str, str, dict[str, Any]]]:
    site, group, counter, area = ids["site"], ids["group"], ids["counter"], ids["area"]
    return [
        ("POST", "/sites", {"code": "PAR", "name": "Paris", "timezone": "Europe/Paris"}),
        ("PATCH", f"/sites/{site}", {"name": "Renamed"}), ("DELETE", f"/sites/{site}", {}),
        ("POST", "/site-groups", {"name": "All"}), ("PATCH", f"/site-groups/{group}", {"name": "R"}),
        ("DELETE", f"/site-groups/{group}", {}),
        ("POST", "/areas", {"name": "Floor 2", "site_id": site}), ("PATCH", f"/areas/{area}", {"name": "R"}),
        ("DELETE", f"/areas/{area}", {}),
        ("POST", "/counters", {"serial": "00000000000000b2"}),
        ("PATCH", f"/counters/{counter}", {"password": "sneaky-password"}),
        ("DELETE", f"/counters/{counter}", {}),
        ("PATCH", f"/counters/{counter}/lines/{ids['line']}", {"kind": "outside"}),
        ("POST", "/tokens", {"name": "escalate", "role": "admin"}), ("DELETE", f"/tokens/{ids['token']}", {}),
        ("POST", "/deliveries", {}), ("POST", "/sales/profiles", {}), ("POST", "/sales/schedules", {}),
    ]


def test_a_viewer_token_reads_but_changes_nothing(client: TestClient, a: Tenant, engine: Engine,
                                                  estate: dict[str, int]) -> None:
    viewer = _token(engine, a, "viewer")
    for path in READS:
        assert client.get(API + path, headers=viewer).status_code == 200, path
    before = _estate(client, a, estate["counter"])
    for method, path, body in _writes(estate):
        answer = client.request(method, API + path, headers=viewer, json=body)
        assert answer.status_code == 403, (method, path, answer.status_code)
        detail = answer.json()["detail"]
        assert "viewer role" in detail and f"{method} {API}{path}" in detail and "it may read" in detail
    assert _estate(client, a, estate["counter"]) == before


def test_a_manager_token_changes_the_estate_but_not_tokens(client: TestClient, a: Tenant, engine: Engine,
                                                           estate: dict[str, int]) -> None:
    manager = _token(engine, a, "manager")
    made = client.post(f"{API}/sites", headers=manager,
                       json={"code": "PAR", "name": "P", "timezone": "Europe/Paris"})
    assert made.status_code == 201
    assert client.patch(f"{API}/counters/{estate['counter']}/lines/{estate['line']}", headers=manager,
                        json={"kind": "outside"}).status_code == 200
    for method, path in (("POST", "/tokens"), ("DELETE", f"/tokens/{estate['token']}")):
        answer = client.request(method, API + path, headers=manager, json={"name": "mine"})
        assert answer.status_code == 403 and "needs an admin token" in answer.json()["detail"]
    assert len(client.get(f"{API}/tokens", headers=manager).json()) == 2


def test_token_roles_when_created(client: TestClient, a: Tenant, engine: Engine) -> None:
    default = client.post(f"{API}/tokens", headers=a.headers, json={"name": "same as mine"}).json()
    assert default["role"] == "admin"
    viewer = client.post(f"{API}/tokens", headers=a.headers, json={"name": "BI", "role": "viewer"}).json()
    assert viewer["role"] == "viewer"
    with read_tx(engine) as conn:
        owner = verify_token(conn, viewer["token"])
    assert owner is not None and owner.role == "viewer"
    listed = {t["name"]: t["role"] for t in client.get(f"{API}/tokens", headers=a.headers).json()}
    assert listed == {"Company A token": "admin", "same as mine": "admin", "BI": "viewer"}
    unknown = client.post(f"{API}/tokens", headers=a.headers, json={"name": "x", "role": "owner"})
    assert unknown.status_code == 422
    with write_tx(engine) as conn, pytest.raises(Invalid) as refused:
        create_token(conn, a.company_id, "above", "admin", creator_role="manager")
    assert refused.value.field == "role" and "above your own (manager)" in refused.value.message


def test_the_api_token_table_matches_its_migration(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diffs if "api_token" in repr(d)] == []


def test_tokens_made_before_roles_become_admin_tokens(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config()
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0007")
        conn.execute(text("INSERT INTO company (name, created_at) VALUES ('Old', '2024-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO api_token (company_id, name, token_hash, prefix, created_at) "
                          "VALUES (1, 'old', :digest, 'ff_old', '2024-01-01 00:00:00')"),
                     {"digest": "0" * 64})
        command.upgrade(config, "head")
        conn.commit()
        assert conn.execute(select(api_token.c.role)).scalars().all() == ["admin"]
        command.downgrade(config, "0007")
        conn.commit()
        assert "role" not in [c["name"] for c in conn.dialect.get_columns(conn, "api_token")]
    engine.dispose()


def test_cli_token_create_with_a_role(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOOTFALL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("FOOTFALL_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["company", "create", "Acme"]).exit_code == 0
    made = runner.invoke(cli, ["token", "create", "--company", "Acme", "--role", "viewer"])
    assert made.exit_code == 0 and "Created viewer token" in made.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'footfall.db'}")
    with read_tx(engine) as conn:
        owner = verify_token(conn, made.stdout.strip().splitlines()[-1])
    engine.dispose()
    assert owner is not None and owner.role == "viewer"
    wrong = runner.invoke(cli, ["token", "create", "--company", "Acme", "--role", "owner"])
    assert wrong.exit_code == 1 and "role 'owner' is not one of admin, manager, viewer" in wrong.stderr
