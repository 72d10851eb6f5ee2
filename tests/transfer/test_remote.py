"""Remote folders against real servers on loopback: FTP, FTPS explicit and implicit, SFTP."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from footfall.transfer.remote import (
    RemoteFolder,
    TransferError,
    fetch,
    list_names,
    probe,
    put,
    remove,
    rename,
)
from tests.servers import PASSWORD, USER, ftp_server, sftp_server


@pytest.fixture(params=["ftp", "ftps", "ftps_implicit", "sftp"])
def folder(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[RemoteFolder, Path]]:
    """A remote folder of each protocol, and the local directory the server writes into."""
    root = tmp_path / "server" / "home"
    if request.param == "sftp":
        with sftp_server(root) as server:
            yield RemoteFolder("sftp", server.host, server.port, USER, PASSWORD, directory="/"), root
        return
    tls = {"ftp": "none", "ftps": "explicit", "ftps_implicit": "implicit"}[request.param]
    with ftp_server(root, tls=tls) as server:  # type: ignore[arg-type]
        yield RemoteFolder(request.param, server.host, server.port, USER, PASSWORD,
                           directory="/", verify_tls=False), root


def test_put_list_fetch_rename_remove(folder: tuple[RemoteFolder, Path], tmp_path: Path) -> None:
    remote, root = folder
    source = tmp_path / "out.csv"
    source.write_bytes(b"a,b\r\n1,2\r\n" * 1000)
    asyncio.run(put(remote, "day.csv", source))
    assert (root / "day.csv").read_bytes() == source.read_bytes()
    (root / "sub").mkdir()
    assert asyncio.run(list_names(remote)) == ["day.csv"]
    back = tmp_path / "back.csv"
    asyncio.run(fetch(remote, "day.csv", back))
    assert back.read_bytes() == source.read_bytes()
    asyncio.run(rename(remote, "day.csv", "day.csv.done"))
    assert sorted(p.name for p in root.iterdir()) == ["day.csv.done", "sub"]
    asyncio.run(remove(remote, "day.csv.done"))
    assert "1 file" not in asyncio.run(probe(remote)) and "0 file(s)" in asyncio.run(probe(remote))


def test_wrong_password_names_server_not_secret(folder: tuple[RemoteFolder, Path]) -> None:
    remote, _ = folder
    wrong = RemoteFolder(remote.protocol, remote.host, remote.port, USER, "not-the-pw-9",
                         directory="/", verify_tls=False)
    with pytest.raises(TransferError) as caught:
        asyncio.run(list_names(wrong))
    message = str(caught.value)
    assert f"{remote.host}:{remote.port}" in message and "listing failed" in message
    assert "not-the-pw-9" not in message and "not-the-pw-9" not in repr(wrong)


def test_missing_file_and_bad_names_are_clear(folder: tuple[RemoteFolder, Path], tmp_path: Path) -> None:
    remote, _ = folder
    with pytest.raises(TransferError, match=r"fetching nope\.csv failed"):
        asyncio.run(fetch(remote, "nope.csv", tmp_path / "x"))
    with pytest.raises(TransferError, match="not a plain file name"):
        asyncio.run(fetch(remote, "../etc/passwd", tmp_path / "x"))


def test_nothing_listening_is_a_transfer_error() -> None:
    with pytest.raises(TransferError, match=r"127\.0\.0\.1:1"):
        asyncio.run(list_names(RemoteFolder("ftp", "127.0.0.1", 1, timeout_s=2)))


def test_ftps_verifies_certificates_by_default(tmp_path: Path) -> None:
    with ftp_server(tmp_path / "home", tls="explicit") as server:
        strict = RemoteFolder("ftps", server.host, server.port, USER, PASSWORD)
        with pytest.raises(TransferError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
            asyncio.run(list_names(strict))
