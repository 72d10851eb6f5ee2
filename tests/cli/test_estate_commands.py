"""Estate commands: companies, tokens, sites, counters; one-line errors with exit status 1."""

from __future__ import annotations

from fastapi.testclient import TestClient

from footfall.api.app import create_app
from footfall.settings import load
from tests.cli.conftest import Hub


def _no_traceback(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_token_printed_alone_on_last_line_authenticates(hub: Hub) -> None:
    assert hub.run("company", "create", "Acme").exit_code == 0
    result = hub.run("token", "create", "--company", "Acme", "--name", "bi")
    assert result.exit_code == 0, result.output
    token = result.stdout.rstrip("\n").splitlines()[-1]
    assert token.startswith("ff_") and " " not in token
    with TestClient(create_app(load())) as client:
        ok = client.get("/api/v1/sites", headers={"Authorization": f"Bearer {token}"})
        wrong = client.get("/api/v1/sites", headers={"Authorization": f"Bearer {token}x"})
    assert ok.status_code == 200 and ok.json() == []
    assert wrong.status_code == 401


def test_site_add_with_bad_time_zone_names_the_zone(hub: Hub) -> None:
    hub.run("company", "create", "Acme")
    result = hub.run("site", "add", "--company", "Acme", "--code", "X1", "--name", "X",
                     "--timezone", "Mars/Olympus_Mons")
    _no_traceback(result)
    assert "Mars/Olympus_Mons" in result.stderr


def test_unknown_company_is_one_clear_line(hub: Hub) -> None:
    result = hub.run("token", "create", "--company", "Nobody")
    _no_traceback(result)
    assert "no company named 'Nobody'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_setting_is_refused_with_its_name(hub: Hub, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FOOTFALL_VERIFY_GRACE_S", "soon")
    result = hub.run("company", "create", "Acme")
    _no_traceback(result)
    assert "FOOTFALL_VERIFY_GRACE_S" in result.stderr


def test_site_add_with_opening_hours_and_counter_listing(hub: Hub) -> None:
    hub.run("company", "create", "Acme")
    added = hub.run("site", "add", "--company", "Acme", "--code", "LDN", "--name", "London",
                    "--timezone", "Europe/London", "--hours", "mon-fri 09:00-18:00; sat 10:00-16:00")
    assert added.exit_code == 0, added.output
    with TestClient(create_app(load())) as client:
        token = hub.run("token", "create", "--company", "Acme").stdout.splitlines()[-1]
        site = client.get("/api/v1/sites/LDN", headers={"Authorization": f"Bearer {token}"}).json()
    assert site["opening_hours"]["fri"] == [["09:00", "18:00"]]
    assert "sun" not in site["opening_hours"]
    assert hub.run("counter", "add", "--company", "Acme", "--serial", "00000000000000a1",
                   "--name", "Door", "--site", "LDN").exit_code == 0
    listing = hub.run("counters", "--company", "Acme")
    assert listing.exit_code == 0
    row = next(line for line in listing.stdout.splitlines() if "00000000000000a1" in line)
    assert "Door" in row and "LDN" in row and "yes" in row


def test_counter_add_assigns_a_counter_that_sent_data_first(hub: Hub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    hub.run("company", "create", "Acme")
    hub.run("site", "add", "--company", "Acme", "--code", "S1", "--name", "S", "--timezone", "UTC")
    events = tmp_path / "events.jsonl"
    events.write_text('{"CameraSerial": "00000000000000b2", "EventStartTime": 1592363801, '
                      '"MetricId": 1, "RoiId": 1}\n')
    assert "unassigned 1" in hub.run("ingest", str(events), "--company", "Acme").stdout
    again = hub.run("counter", "add", "--company", "Acme", "--serial", "00000000000000b2")
    _no_traceback(again)
    assert "--site" in again.stderr
    assigned = hub.run("counter", "add", "--company", "Acme", "--serial", "00000000000000b2",
                       "--site", "S1")
    assert assigned.exit_code == 0 and "Assigned" in assigned.stdout
    listing = hub.run("counters", "--company", "Acme").stdout
    assert "S1" in next(line for line in listing.splitlines() if "00000000000000b2" in line)
