"""Automated import from a real FTP and SFTP server on loopback, with the failure e-mail
through a real SMTP server (aiosmtpd); the background service picks the files up itself."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.api.app import create_app
from footfall.settings import Settings
from footfall.storage.engine import read_tx
from footfall.storage.tables_sales import sales_schedule
from tests.api.helpers import Tenant
from tests.sales.helpers import BAD_ROWS, sample_text, with_bad_row
from tests.servers import Mailbox, ftp_server, sftp_server, smtp_server


def wait_until(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll `check` until it returns something truthy (fails after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
    return result


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on loopback."""
    with smtp_server() as box:
        yield box


@pytest.fixture
def hub(engine: Engine, tmp_path: Path, mailbox: Mailbox) -> Iterator[TestClient]:
    """The app (background services running) sending mail to the loopback SMTP server."""
    settings = Settings(data_dir=tmp_path / "data", smtp_url=mailbox.url, mail_from="hub@example.com")
    with TestClient(create_app(settings, engine)) as client:
        yield client


def drop_files(directory: Path) -> tuple[int, str]:
    """A good and a broken sales file in `directory`; (the bad line, the bad value)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "good.csv").write_bytes(sample_text().encode())
    data, line = with_bad_row(BAD_ROWS[5][0])  # a fractional quantity
    (directory / "broken.csv").write_bytes(data)
    (directory / "notes.txt").write_text("not a sales file")
    return line, "2.5"


def history(client: TestClient, tenant: Tenant) -> list[dict[str, Any]]:
    return client.get("/api/v1/sales/imports", headers=tenant.headers).json()


def check_outcome(client: TestClient, tenant: Tenant, root: Path, mailbox: Mailbox,
                  line: int, value: str) -> None:
    """Both files logged, the good one stored, both archived, the failure mailed with its log."""
    imports = {h["file_name"]: h for h in wait_until(lambda: len(history(client, tenant)) >= 2 and
                                                     history(client, tenant))}
    assert set(imports) == {"good.csv", "broken.csv"}
    assert imports["good.csv"]["status"] == "imported" and imports["good.csv"]["source"] == "schedule"
    assert imports["broken.csv"]["status"] == "failed" and imports["broken.csv"]["rows_imported"] == 0
    assert sorted(p.name for p in root.iterdir()) == sorted([
        f"good.csv.imported-{imports['good.csv']['id']}",
        f"broken.csv.failed-{imports['broken.csv']['id']}", "notes.txt"])
    [message] = mailbox.wait_for(1)
    assert "sales import failed" in message["Subject"]
    assert message["To"] == "ops@example.com"
    parts = {p.get_filename(): p.get_payload(decode=True) for p in message.walk() if p.get_filename()}
    log = parts["broken.csv.log.csv"].decode()
    assert f"{line},TotalTransactionQty,{value},fractional quantity" in log


def test_ftp_pickup_by_the_background_service(hub: TestClient, a: Tenant, tmp_path: Path,
                                              mailbox: Mailbox, engine: Engine) -> None:
    with ftp_server(tmp_path / "ftp") as ftp:
        line, value = drop_files(ftp.root / "inbox")
        created = hub.post("/api/v1/sales/schedules", headers=a.headers, json={
            "name": "pos", "protocol": "ftp", "host": ftp.host, "port": ftp.port,
            "username": ftp.user, "password": ftp.password, "directory": "/inbox",
            "notify_email": "ops@example.com", "every_s": 3600})
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["password_set"] is True and "password" not in body
        assert ftp.password not in created.text
        check_outcome(hub, a, ftp.root / "inbox", mailbox, line, value)
        with read_tx(engine) as conn:
            sealed = conn.execute(select(sales_schedule.c.password_sealed)).scalar_one()
        assert ftp.password not in sealed
        status = wait_until(lambda: hub.get(f"/api/v1/sales/schedules/{body['id']}",
                                            headers=a.headers).json()["last_status"])
        assert status == "failed"
        assert hub.get(f"/api/v1/sales/schedules/{body['id']}", headers=a.headers).json()["next_run_ts"] \
            > body["next_run_ts"]


def test_sftp_pickup_test_button_and_run_now(hub: TestClient, a: Tenant, tmp_path: Path,
                                             mailbox: Mailbox) -> None:
    with sftp_server(tmp_path / "sftp") as sftp:
        line, value = drop_files(sftp.root / "inbox")
        created = hub.post("/api/v1/sales/schedules", headers=a.headers, json={
            "name": "pos", "protocol": "sftp", "host": sftp.host, "port": sftp.port,
            "username": sftp.user, "password": sftp.password, "directory": "/inbox",
            "notify_email": "ops@example.com", "enabled": False}).json()
        tested = hub.post(f"/api/v1/sales/schedules/{created['id']}/test", headers=a.headers).json()
        # broken.csv sorts first: the test names its error and stores nothing.
        assert tested["ok"] is False and "fractional quantity" in tested["message"]
        assert history(hub, a) == []
        run = hub.post(f"/api/v1/sales/schedules/{created['id']}/run", headers=a.headers).json()
        assert run["ok"] is False and len(run["files"]) == 2
        check_outcome(hub, a, sftp.root / "inbox", mailbox, line, value)


def test_an_unreachable_source_is_mailed_without_the_password(hub: TestClient, a: Tenant, tmp_path: Path,
                                                              mailbox: Mailbox) -> None:
    with ftp_server(tmp_path / "ftp") as ftp:
        created = hub.post("/api/v1/sales/schedules", headers=a.headers, json={
            "name": "pos", "protocol": "ftp", "host": ftp.host, "port": ftp.port,
            "username": ftp.user, "password": "wrong-pw-123", "directory": "/",
            "notify_email": "ops@example.com", "enabled": False}).json()
        tested = hub.post(f"/api/v1/sales/schedules/{created['id']}/test", headers=a.headers).json()
        assert tested["ok"] is False and ftp.host in tested["message"]
        run = hub.post(f"/api/v1/sales/schedules/{created['id']}/run", headers=a.headers).json()
        assert run["error"] and "wrong-pw-123" not in run["error"]
    [message] = mailbox.wait_for(1)
    assert "could not be read" in message.get_payload() and "wrong-pw-123" not in message.as_string()


def test_a_local_folder_moves_files_to_its_archive(hub: TestClient, a: Tenant, b: Tenant,
                                                   tmp_path: Path) -> None:
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    (inbox / "day.csv").write_bytes(sample_text().encode())
    created = hub.post("/api/v1/sales/schedules", headers=a.headers, json={
        "name": "local", "directory": str(inbox), "archive_directory": str(archive),
        "enabled": False}).json()
    tested = hub.post(f"/api/v1/sales/schedules/{created['id']}/test", headers=a.headers).json()
    assert tested["ok"] is True and "would import" in tested["message"]
    run = hub.post(f"/api/v1/sales/schedules/{created['id']}/run", headers=a.headers).json()
    assert run["ok"] is True
    assert [p.name for p in archive.iterdir()] == [f"day.csv.imported-{run['files'][0]['import_id']}"]
    assert hub.get(f"/api/v1/sales/schedules/{created['id']}", headers=b.headers).status_code == 404
    assert hub.post(f"/api/v1/sales/schedules/{created['id']}/run", headers=b.headers).status_code == 404
    bad = hub.post("/api/v1/sales/schedules", headers=a.headers, json={
        "name": "x", "protocol": "sftp", "directory": "/"})
    assert bad.status_code == 422 and bad.json()["field"] == "host"
