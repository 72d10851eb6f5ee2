"""`footfall deliveries list|add|run|history` over a SQLite data directory and a real SFTP server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from footfall.cli.main import app
from footfall.estate.companies import find_company
from footfall.ingest.core import IngestCore
from footfall.settings import load
from footfall.storage.engine import make_engine, read_tx
from tests.cli.conftest import Hub, hub
from tests.delivery.conftest import hour_counts, yesterday
from tests.servers import sftp_server

__all__ = ["hub"]
SERIAL = "000000006afce315"


def _estate(hub: Hub) -> None:
    for args in (("company", "create", "Acme"),
                 ("site", "add", "--company", "Acme", "--code", "LDN01", "--name", "London",
                  "--timezone", "Europe/London"),
                 ("counter", "add", "--company", "Acme", "--serial", SERIAL, "--site", "LDN01")):
        result = hub.run(*args)
        assert result.exit_code == 0, result.output
    engine = make_engine(load().url)
    core = IngestCore(engine)
    try:
        with read_tx(engine) as conn:
            acme = find_company(conn, "Acme")["id"]
        core.ingest(acme, counts=hour_counts(SERIAL, yesterday(), 2))
    finally:
        core.close()
        engine.dispose()


def test_add_list_run_history(hub: Hub, tmp_path: Path) -> None:
    _estate(hub)
    with sftp_server(tmp_path / "sftp") as server:
        to = f"sftp://{server.user}@{server.host}:{server.port}/."
        added = hub.runner.invoke(app, [
            "deliveries", "add", "--company", "Acme", "--name", "nightly", "--to", to,
            "--ids", "LDN01", "--timezone", "Europe/London", "--format", "json",
            "--file-name", "{site}_{date:%Y%m%d}.{ext}", "--password-stdin"],
            input=f"{server.password}\n")
        assert added.exit_code == 0, added.output
        assert "nightly" in added.stdout and server.password not in added.stdout
        listed = hub.run("deliveries", "list", "--company", "Acme")
        assert listed.exit_code == 0 and f"sftp://drop@127.0.0.1:{server.port}" in listed.stdout
        ran = hub.run("deliveries", "run", "nightly", "--company", "Acme")
        assert ran.exit_code == 0, ran.output
        assert "delivered" in ran.stdout
        [received] = list(server.root.iterdir())
        # "Run now" repeats the last due run: yesterday's file once today's 06:00 has passed,
        # the day before's until then.
        latest = yesterday()
        assert received.name in {f"LDN01_{day:%Y%m%d}.json" for day in (latest, latest - timedelta(days=1))}
    history = hub.run("deliveries", "history", "nightly", "--company", "Acme")
    assert history.exit_code == 0 and "delivered" in history.stdout
    assert received.name in history.stdout
    assert b'"in"' in received.read_bytes()
    # Nothing is due yet: the schedule began when the delivery was added.
    due = hub.run("deliveries", "run", "--due")
    assert due.exit_code == 0 and "nothing to run" in due.stdout


def test_mistakes_are_one_clear_line(hub: Hub) -> None:
    _estate(hub)
    in_url = hub.run("deliveries", "add", "--company", "Acme", "--name", "x", "--ids", "LDN01",
                     "--to", "sftp://drop:pw@127.0.0.1/")
    assert in_url.exit_code != 0 and "--password-stdin" in in_url.output
    zone = hub.run("deliveries", "add", "--company", "Acme", "--name", "x", "--ids", "LDN01",
                   "--to", "mailto:a@example.com", "--timezone", "Mars/Base")
    assert zone.exit_code == 1 and "Mars/Base" in zone.stderr and "Traceback" not in zone.output
    missing = hub.run("deliveries", "run", "nope", "--company", "Acme")
    assert missing.exit_code == 1 and "nope" in missing.stderr
