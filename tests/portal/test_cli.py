"""`footfall user create` and `footfall user pages`: the first admin comes from the command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from footfall.cli.main import app
from footfall.estate.users import authenticate_user
from footfall.storage.engine import make_engine, read_tx
from footfall.storage.tables_portal import portal_page_access


class Cli:
    """Runs `footfall …` against the test's own data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir, self.runner = data_dir, CliRunner()

    def run(self, *args: str, input: str | None = None) -> Result:
        """Invoke the CLI with these arguments (and typed input)."""
        return self.runner.invoke(app, list(args), input=input)


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The CLI over SQLite in a temporary FOOTFALL_DATA_DIR (other hub settings cleared)."""
    for name in list(os.environ):
        if name.startswith("FOOTFALL_") and not name.startswith("FOOTFALL_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FOOTFALL_DATA_DIR", str(tmp_path / "data"))
    return Cli(tmp_path / "data")


def test_create_the_first_admin_and_limit_a_user(hub: Cli) -> None:
    assert hub.run("company", "create", "Acme").exit_code == 0
    made = hub.run("user", "create", "--company", "Acme", "--email", "Boss@Acme.example",
                   "--role", "admin", input="s3cret pass\ns3cret pass\n")
    assert made.exit_code == 0, made.output
    assert "Created admin boss@acme.example" in made.output and "s3cret" not in made.output
    manager = hub.run("user", "create", "--company", "Acme", "--email", "m@acme.example",
                      "--role", "manager", "--password", "another pass")
    assert manager.exit_code == 0, manager.output
    limited = hub.run("user", "pages", "--company", "Acme", "--email", "m@acme.example",
                      "--pages", "dashboard,sites")
    assert limited.exit_code == 0 and "limited to dashboard, sites" in limited.output
    engine = make_engine(f"sqlite:///{hub.data_dir / 'footfall.db'}")
    try:
        with read_tx(engine) as conn:
            assert authenticate_user(conn, "boss@acme.example", "s3cret pass")["role"] == "admin"
            assert authenticate_user(conn, "m@acme.example", "another pass")["role"] == "manager"
            assert set(conn.execute(select(portal_page_access.c.page)).scalars()) == {"dashboard", "sites"}
    finally:
        engine.dispose()


def test_user_errors_are_named(hub: Cli) -> None:
    hub.run("company", "create", "Acme")
    bad_role = hub.run("user", "create", "--company", "Acme", "--email", "x@acme.example",
                       "--role", "owner", "--password", "p")
    assert bad_role.exit_code == 1 and "role 'owner' is not one of admin, manager, viewer" in bad_role.output
    no_company = hub.run("user", "create", "--company", "Nope", "--email", "x@acme.example",
                         "--password", "p")
    assert no_company.exit_code == 1 and "no company named 'Nope'" in no_company.output
    bad_page = hub.run("user", "create", "--company", "Acme", "--email", "v@acme.example", "--password", "p")
    assert bad_page.exit_code == 0
    refused = hub.run("user", "pages", "--company", "Acme", "--email", "v@acme.example", "--pages", "reports")
    assert refused.exit_code == 1 and "unknown page 'reports'" in refused.output
