"""Deliveries end to end against real servers on loopback: SMTP, FTP, FTPS, SFTP.

Each file received is parsed back and must equal the API's /counts rows for its period.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import Tenant, post
from tests.delivery.conftest import api_rows, build_estate
from tests.export.parse import READERS
from tests.servers import Mailbox, free_port, ftp_server, sftp_server

COLUMNS = ["start", "end", "in", "out", "staff_in", "staff_out", "outside_traffic", "turn_in_rate",
           "occupancy", "aggregation_status", "missing_counters", "verification_status",
           "verification_reasons", "last_revised"]


def delivery(client: TestClient, tenant: Tenant, site: str, **where: Any) -> dict[str, Any]:
    """A daily hourly CSV delivery of one site, quick retries."""
    body = {"name": f"daily {where['destination']}", "level": "site", "ids": [site],
            "interval": "hour", "format": "csv", "columns": COLUMNS, "frequency": "daily",
            "at": "06:00", "timezone": "Europe/London", "retries": 2, "retry_delay_s": 0.01,
            "file_name": "footfall_{site}_{date:%Y%m%d}.{ext}", **where}
    return post(client, tenant, "/deliveries", body)


def run_now(client: TestClient, tenant: Tenant, delivery_id: int) -> dict[str, Any]:
    """Run a delivery now; its one run."""
    response = client.post(f"/api/v1/deliveries/{delivery_id}/run", headers=tenant.headers)
    assert response.status_code == 200, response.text
    [run] = response.json()
    return run


def same_rows(data: bytes, client: TestClient, tenant: Tenant, site: str, run: dict[str, Any]) -> None:
    """The delivered CSV equals the API's rows for the run's period."""
    first, last = date.fromisoformat(run["period_first"]), date.fromisoformat(run["period_last"])
    expected = api_rows(client, tenant, "site", site, "hour", first, last)
    received = READERS["csv"](data)
    assert len(received) == len(expected) >= 23
    assert received == [{k: row[k] for k in COLUMNS} for row in expected]
    assert sum(r["in"] for r in received) > 0


@contextmanager
def remote(kind: str, root: Path) -> Iterator[tuple[str, int, str, str]]:
    """A real server of `kind`: (host, port, user, password)."""
    if kind == "sftp":
        with sftp_server(root) as server:
            yield server.host, server.port, server.user, server.password
        return
    tls = {"ftp": "none", "ftp_active": "none", "ftps": "explicit", "ftps_implicit": "implicit"}[kind]
    with ftp_server(root, tls=tls) as server:  # type: ignore[arg-type]
        yield server.host, server.port, server.user, server.password


@pytest.mark.parametrize("kind", ["ftp", "ftp_active", "ftps", "ftps_implicit", "sftp"])
def test_remote_folder_receives_the_rows_of_the_api(client: TestClient, a: Tenant, tmp_path: Path,
                                                     kind: str) -> None:
    estate = build_estate(client, a)
    root = tmp_path / "remote"
    with remote(kind, root) as (host, port, user, password):
        created = delivery(client, a, estate.site, destination=kind.removesuffix("_active"),
                           host=host, port=port, username=user, password=password,
                           directory="/" if kind != "sftp" else ".", passive=kind != "ftp_active",
                           verify_tls=False)
        assert created["password_set"] is True and "password" not in created
        run = run_now(client, a, created["id"])
        assert run["status"] == "delivered", run["error"]
        assert run["attempts"] == 1
        [received] = sorted(root.iterdir())
    assert received.name == f"footfall_{estate.site}_{run['period_first'].replace('-', '')}.csv"
    assert run["file_name"] == received.name and run["bytes"] == received.stat().st_size
    same_rows(received.read_bytes(), client, a, estate.site, run)


def test_mail_arrives_with_the_file_attached(client: TestClient, a: Tenant, mailbox: Mailbox) -> None:
    estate = build_estate(client, a)
    created = delivery(client, a, estate.site, destination="email",
                       recipients=["analyst@example.com", "ops@example.com"])
    run = run_now(client, a, created["id"])
    assert run["status"] == "delivered", run["error"]
    [message] = mailbox.wait_for(1)
    assert "analyst@example.com" in message["To"] and "ops@example.com" in message["To"]
    [attachment] = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_filename() == run["file_name"]
    assert attachment.get_content_type() == "text/csv"
    same_rows(attachment.get_payload(decode=True), client, a, estate.site, run)


def test_destination_down_is_retried_then_the_failure_mail_says_why(
        client: TestClient, a: Tenant, mailbox: Mailbox) -> None:
    estate = build_estate(client, a)
    closed = free_port()  # nothing listens there
    created = delivery(client, a, estate.site, destination="sftp", host="127.0.0.1", port=closed,
                       username="drop", password="pw-never-shown", failure_email="oncall@example.com")
    run = run_now(client, a, created["id"])
    assert run["status"] == "failed"
    assert run["attempts"] == 3  # the first try and two retries
    assert f"127.0.0.1:{closed}" in run["error"] and "attempt 3 of 3" in run["error"]
    assert "failure e-mail sent to oncall@example.com" in run["error"]
    [notice] = mailbox.wait_for(1)
    assert notice["To"] == "oncall@example.com" and "failed" in notice["Subject"]
    body = notice.get_payload(decode=True).decode()
    assert f"127.0.0.1:{closed}" in body and "Attempts: 3" in body
    assert "pw-never-shown" not in body + run["error"]
    history = client.get(f"/api/v1/deliveries/{created['id']}/runs", headers=a.headers).json()
    assert [(h["id"], h["status"], h["error"]) for h in history] == [(run["id"], "failed", run["error"])]


def test_test_destination_signs_in_or_says_why(client: TestClient, a: Tenant, tmp_path: Path) -> None:
    estate = build_estate(client, a)
    with sftp_server(tmp_path / "sftp") as server:
        good = delivery(client, a, estate.site, destination="sftp", host=server.host, port=server.port,
                        username=server.user, password=server.password, directory=".")
        bad = post(client, a, "/deliveries", {**{k: good[k] for k in ("ids", "host", "port", "username")},
                                              "name": "wrong password", "destination": "sftp",
                                              "password": "not-it"})
        ok = client.post(f"/api/v1/deliveries/{good['id']}/test", headers=a.headers).json()
        refused = client.post(f"/api/v1/deliveries/{bad['id']}/test", headers=a.headers).json()
    assert ok["ok"] is True and "signed in as drop" in ok["detail"]
    assert refused["ok"] is False and f"{server.host}:{server.port}" in refused["detail"]
    assert "not-it" not in refused["detail"]


def test_unknown_item_fails_at_once_without_retries(client: TestClient, a: Tenant,
                                                    mailbox: Mailbox) -> None:
    created = delivery(client, a, "NOPE", destination="email", recipients=["analyst@example.com"],
                       failure_email="oncall@example.com")
    run = run_now(client, a, created["id"])
    assert (run["status"], run["attempts"]) == ("failed", 0)
    assert "could not be built" in run["error"] and "'NOPE'" in run["error"]
    [notice] = mailbox.wait_for(1)
    assert notice["To"] == "oncall@example.com"  # the analyst got nothing, on-call was told


def _hour_before_last_run(now: datetime) -> datetime:
    """The start of the hour an hourly delivery due at minute 5 sent last, as of `now`."""
    last_run = now - timedelta(minutes=5)
    return last_run.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)


def test_an_hourly_delivery_sends_the_hour_it_covers(client: TestClient, a: Tenant, mailbox: Mailbox) -> None:
    estate = build_estate(client, a)
    created = delivery(client, a, estate.site, destination="email", recipients=["analyst@example.com"],
                       frequency="hourly", at="00:05", file_name="footfall_{site}_{start:%Y%m%d%H}.{ext}")
    before = datetime.now(UTC)
    run = run_now(client, a, created["id"])
    after = datetime.now(UTC)
    assert run["status"] == "delivered", run["error"]
    [message] = mailbox.wait_for(1)
    [attachment] = [part for part in message.walk() if part.get_filename()]
    rows = READERS["csv"](attachment.get_payload(decode=True))
    assert len(rows) == 1, [(r["start"], r["end"]) for r in rows]
    [row] = rows
    # Run now repeats the last due run (at minute 5 of an hour): it sends the hour that had
    # ended by then, not the whole day around it.
    sent = datetime.fromisoformat(row["start"])
    assert sent in {_hour_before_last_run(before), _hour_before_last_run(after)}
    first, last = date.fromisoformat(run["period_first"]), date.fromisoformat(run["period_last"])
    expected = api_rows(client, a, "site", estate.site, "hour", first, last)
    assert row in [{k: r[k] for k in COLUMNS} for r in expected]
