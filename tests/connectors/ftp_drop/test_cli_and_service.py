"""`footfall drop account/source …`, the drop as a hub background service, and FTPS."""

from __future__ import annotations

import asyncio
import datetime as dt
import ftplib
import io
import ipaddress
import os
import ssl
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from footfall.api.background import services
from footfall.cli.main import app
from footfall.connectors.ftp_drop.config import FileFormat
from footfall.connectors.ftp_drop.connector import FileDrop
from footfall.connectors.ftp_drop.store import add_account
from footfall.ingest.core import IngestCore
from footfall.security.secrets import SecretBox
from footfall.settings import Settings
from footfall.simulator.devices.daily_file import render_daily_file
from footfall.storage.engine import make_engine, read_tx, write_tx
from footfall.storage.tables_file_drop import drop_account, drop_source
from tests.connectors.ftp_drop.simhub import fleet_estate
from tests.connectors.ftp_drop.test_sources import DAY, FLEET, NAME, SERIAL


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in list(os.environ):
        if name.startswith("FOOTFALL_") and not name.startswith("FOOTFALL_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FOOTFALL_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(app, ["company", "create", "Acme"]).exit_code == 0
    return runner


def test_drop_accounts_are_added_listed_and_removed_with_only_a_hash_stored(cli: CliRunner,
                                                                            tmp_path: Path) -> None:
    added = cli.invoke(app, ["drop", "account", "add", "--company", "Acme", "--username", "door-1",
                             "--password-stdin", "--date-format", "%d/%m/%Y"], input="long-password-1\n")
    assert added.exit_code == 0, added.output
    assert "door-1" in added.output and str(tmp_path / "data" / "drop") in added.output
    listed = cli.invoke(app, ["drop", "account", "list", "--company", "Acme"])
    assert "door-1" in listed.output and "%d/%m/%Y" in listed.output and "long-password" not in listed.output
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'footfall.db'}")
    with read_tx(engine) as conn:
        stored = conn.execute(select(drop_account.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "long-password-1" not in stored
    twice = cli.invoke(app, ["drop", "account", "add", "--company", "Acme", "--username", "door-1",
                             "--password-stdin"], input="long-password-2\n")
    assert twice.exit_code == 1 and "taken" in twice.output
    short = cli.invoke(app, ["drop", "account", "add", "--company", "Acme", "--username", "door-2",
                             "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 8" in short.output
    remove = ["drop", "account", "remove", "--company", "Acme", "--username", "door-1"]
    assert cli.invoke(app, remove).exit_code == 0
    gone = cli.invoke(app, remove)
    assert gone.exit_code == 1 and "no drop account" in gone.output
    engine.dispose()


def test_a_remote_source_keeps_its_password_sealed(cli: CliRunner, tmp_path: Path) -> None:
    added = cli.invoke(app, ["drop", "source", "add", "--company", "Acme", "--name", "partner",
                             "--remote", "sftp://pickup@files.example:2222/out", "--password-stdin"],
                       input="remote-secret\n")
    assert added.exit_code == 0, added.output
    bad = cli.invoke(app, ["drop", "source", "add", "--company", "Acme", "--name", "x",
                           "--remote", "gopher://h/x", "--password-stdin"], input="p\n")
    assert bad.exit_code == 1 and "protocol" in bad.output
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'footfall.db'}")
    with read_tx(engine) as conn:
        row = conn.execute(select(drop_source)).mappings().one()
    engine.dispose()
    assert row["settings"]["host"] == "files.example" and row["settings"]["port"] == 2222
    assert "remote-secret" not in str(row["settings"]) and "remote-secret" not in row["password_sealed"]
    listed = cli.invoke(app, ["drop", "source", "list", "--company", "Acme"])
    assert "partner" in listed.output and "remote-secret" not in listed.output


def test_the_drop_is_a_background_service_off_by_default(engine: Engine, tmp_path: Path) -> None:
    factory = dict(services())["ftp_drop"]
    core = IngestCore(engine)

    async def scenario() -> None:
        settings = Settings(data_dir=tmp_path / "data")
        async with factory(settings, engine, core) as running:
            assert isinstance(running, FileDrop) and running.server is None  # FOOTFALL_DROP_PORT unset
        port = _free_port()
        async with factory(replace(settings, drop_port=port), engine, core) as running:
            assert running.server is not None and running.server.port == port
            with ftplib.FTP() as ftp:
                ftp.connect("127.0.0.1", port, timeout=10)
                assert "footfall drop" in ftp.getwelcome()

    try:
        asyncio.run(scenario())
    finally:
        core.close()


def _free_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _self_signed(path: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return path


def test_ftps_with_a_self_signed_certificate(engine: Engine, tmp_path: Path) -> None:
    company_id = fleet_estate(engine, FLEET)
    with write_tx(engine) as conn:
        add_account(conn, company_id, "secure", "secure-pass-1", FileFormat())
    certfile = _self_signed(tmp_path / "drop.pem")
    core = IngestCore(engine)
    drop = FileDrop(engine, core, tmp_path / "data", SecretBox.generate(), ftp_port=0, certfile=certfile,
                    look_every_s=None)

    async def scenario() -> None:
        await drop.start()
        assert drop.server is not None
        try:
            def upload() -> None:
                context = ssl.create_default_context(cafile=str(certfile))
                with ftplib.FTP_TLS(context=context) as ftp:
                    ftp.connect("127.0.0.1", drop.server.port, timeout=10)
                    ftp.login("secure", "secure-pass-1")
                    ftp.prot_p()
                    ftp.storbinary(f"STOR {NAME}", io.BytesIO(render_daily_file(FLEET, SERIAL, DAY)))
                with ftplib.FTP() as plain:  # a plain login is refused: TLS is required
                    plain.connect("127.0.0.1", drop.server.port, timeout=10)
                    with pytest.raises(ftplib.error_perm):
                        plain.login("secure", "secure-pass-1")
            await asyncio.to_thread(upload)
            async with asyncio.timeout(20):
                while not drop.outcomes:
                    await asyncio.sleep(0.02)
            assert drop.outcomes[0].status == "done"
        finally:
            await drop.stop()
            core.close()

    asyncio.run(scenario())
