"""`footfall demo --no-serve`: builds the estate and prints a token that works."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from footfall.api.app import create_app
from footfall.demo.fleet import demo_fleet
from footfall.settings import Settings
from tests.cli.conftest import Hub
from tests.portal.conftest import sign_in


def test_demo_command_builds_and_prints_a_working_token(hub: Hub, tmp_path: Path) -> None:
    result = hub.run("demo", "--no-serve", "--days", "2", "--data-dir", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    token = next(line.split()[1] for line in result.stdout.splitlines() if line.startswith("Token:"))
    assert f"Bearer {token}" in result.stdout
    assert "format=csv" in result.stdout and "/live" in result.stdout
    portal = next(line for line in result.stdout.splitlines() if line.startswith("Portal:"))
    password = portal.rstrip(")").split(" / ")[1]
    assert not hub.data_dir.exists()  # --data-dir wins over FOOTFALL_DATA_DIR
    with TestClient(create_app(Settings(data_dir=tmp_path / "demo"))) as client:
        sites = client.get("/api/v1/sites", headers={"Authorization": f"Bearer {token}"})
        signed_in = sign_in(client, "admin@demo.example", password)
    assert sorted(s["code"] for s in sites.json()) == sorted(s.code for s in demo_fleet().sites)
    assert signed_in.status_code in (200, 303) and "/portal/sign-in" not in str(signed_in.url)
