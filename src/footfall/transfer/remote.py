"""Remote folders over FTP, FTPS (explicit or implicit TLS) and SFTP: list, fetch, put, probe.

FTP runs stdlib `ftplib` in a worker thread; SFTP runs asyncssh on the event loop. Every
failure is a `TransferError` naming the server and the operation, never the password.
"""

from __future__ import annotations

import asyncio
import ftplib
import posixpath
import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

import asyncssh

Protocol = Literal["ftp", "ftps", "ftps_implicit", "sftp"]
DEFAULT_PORTS: dict[str, int] = {"ftp": 21, "ftps": 21, "ftps_implicit": 990, "sftp": 22}
T = TypeVar("T")


class TransferError(Exception):
    """A remote folder operation failed; the message says where and what, without secrets."""


@dataclass(frozen=True)
class RemoteFolder:
    """A directory on an FTP/FTPS/SFTP server and the account to reach it."""

    protocol: Protocol
    host: str
    port: int | None = None
    username: str = "anonymous"
    password: str = field(default="", repr=False)
    directory: str = "/"
    passive: bool = True
    # SFTP: a known_hosts file; None accepts any host key (say so in the destination's docs).
    known_hosts: str | None = None
    # FTPS: verify the server certificate (off for self-signed servers on a private network).
    verify_tls: bool = True
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        if self.protocol not in DEFAULT_PORTS:
            raise TransferError(f"protocol {self.protocol!r} is not one of {', '.join(DEFAULT_PORTS)}")
        if not self.host:
            raise TransferError("a remote folder needs a host")

    @property
    def effective_port(self) -> int:
        """The port to connect to (the protocol's default when none is set)."""
        return self.port or DEFAULT_PORTS[self.protocol]

    def __str__(self) -> str:
        return f"{self.protocol}://{self.host}:{self.effective_port}{self.directory}"

    def path(self, name: str) -> str:
        """The remote path of `name` in this folder (names may not climb out of it)."""
        if not name or "/" in name or name in (".", ".."):
            raise TransferError(f"{name!r} is not a plain file name")
        return posixpath.join(self.directory or "/", name)


class _ImplicitTLS(ftplib.FTP_TLS):
    """FTPS with TLS from the first byte (port 990), which ftplib lacks out of the box."""

    def connect(self, host: str = "", port: int = 0, timeout: float = -999,  # type: ignore[override]
                source_address: tuple[str, int] | None = None) -> str:
        self.host, self.port = host, port
        if timeout != -999:
            self.timeout = timeout
        raw = socket.create_connection((host, port), self.timeout)
        self.af = raw.family
        self.sock = self.context.wrap_socket(raw, server_hostname=host)
        self.file = self.sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome


def _tls_context(folder: RemoteFolder) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not folder.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _ftp_session(folder: RemoteFolder) -> ftplib.FTP:
    if folder.protocol == "ftp":
        ftp: ftplib.FTP = ftplib.FTP(timeout=folder.timeout_s)
    elif folder.protocol == "ftps":
        ftp = ftplib.FTP_TLS(context=_tls_context(folder), timeout=folder.timeout_s)
    else:
        ftp = _ImplicitTLS(context=_tls_context(folder), timeout=folder.timeout_s)
    ftp.connect(folder.host, folder.effective_port)
    if folder.protocol == "ftps":
        ftp.auth()  # type: ignore[attr-defined]
    ftp.login(folder.username, folder.password)
    if isinstance(ftp, ftplib.FTP_TLS):
        ftp.prot_p()
    ftp.set_pasv(folder.passive)
    if folder.directory:
        ftp.cwd(folder.directory)
    return ftp


async def _with_ftp(folder: RemoteFolder, operation: str, work: Callable[[ftplib.FTP], T]) -> T:
    def run() -> T:
        ftp = _ftp_session(folder)
        try:
            return work(ftp)
        finally:
            try:
                ftp.quit()
            except (ftplib.Error, OSError):
                ftp.close()

    try:
        return await asyncio.to_thread(run)
    except (ftplib.Error, OSError, EOFError, ssl.SSLError) as error:
        raise TransferError(f"{folder}: {operation} failed: {_reason(error)}") from None


async def _with_sftp(folder: RemoteFolder, operation: str,
                     work: Callable[[asyncssh.SFTPClient], Awaitable[T]]) -> T:
    try:
        async with asyncssh.connect(folder.host, folder.effective_port, username=folder.username,
                                    password=folder.password, known_hosts=folder.known_hosts,
                                    client_keys=None, connect_timeout=folder.timeout_s) as conn:
            sftp = await conn.start_sftp_client()
            try:
                return await work(sftp)
            finally:
                sftp.exit()
    except (TimeoutError, asyncssh.Error, OSError) as error:
        raise TransferError(f"{folder}: {operation} failed: {_reason(error)}") from None


def _reason(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:300]


async def list_names(folder: RemoteFolder) -> list[str]:
    """Names of the plain files in the folder, sorted."""
    if folder.protocol == "sftp":
        async def work(sftp: asyncssh.SFTPClient) -> list[str]:
            entries = await sftp.readdir(folder.directory or ".")
            return sorted(str(e.filename) for e in entries
                          if e.attrs.type == asyncssh.FILEXFER_TYPE_REGULAR)
        return await _with_sftp(folder, "listing", work)

    def listing(ftp: ftplib.FTP) -> list[str]:
        try:
            return sorted(name for name, facts in ftp.mlsd() if facts.get("type") == "file")
        except ftplib.error_perm:  # servers without MLSD
            return sorted(posixpath.basename(n) for n in ftp.nlst())
    return await _with_ftp(folder, "listing", listing)


async def fetch(folder: RemoteFolder, name: str, dest: Path) -> None:
    """Download `name` into the local file `dest`."""
    remote = folder.path(name)
    if folder.protocol == "sftp":
        async def work(sftp: asyncssh.SFTPClient) -> None:
            await sftp.get(remote, str(dest))
        await _with_sftp(folder, f"fetching {name}", work)
        return

    def download(ftp: ftplib.FTP) -> None:
        with dest.open("wb") as handle:
            ftp.retrbinary(f"RETR {remote}", handle.write)
    await _with_ftp(folder, f"fetching {name}", download)


async def put(folder: RemoteFolder, name: str, source: Path) -> None:
    """Upload the local file `source` as `name` into the folder."""
    remote = folder.path(name)
    if folder.protocol == "sftp":
        async def work(sftp: asyncssh.SFTPClient) -> None:
            await sftp.put(str(source), remote)
        await _with_sftp(folder, f"uploading {name}", work)
        return

    def upload(ftp: ftplib.FTP) -> None:
        with source.open("rb") as handle:
            ftp.storbinary(f"STOR {remote}", handle)
    await _with_ftp(folder, f"uploading {name}", upload)


async def remove(folder: RemoteFolder, name: str) -> None:
    """Delete `name` from the folder."""
    remote = folder.path(name)
    if folder.protocol == "sftp":
        async def work(sftp: asyncssh.SFTPClient) -> None:
            await sftp.remove(remote)
        await _with_sftp(folder, f"removing {name}", work)
        return
    await _with_ftp(folder, f"removing {name}", lambda ftp: ftp.delete(remote))


async def rename(folder: RemoteFolder, name: str, new_name: str) -> None:
    """Rename `name` to `new_name` within the folder (e.g. to archive a picked-up file)."""
    old, new = folder.path(name), folder.path(new_name)
    if folder.protocol == "sftp":
        async def work(sftp: asyncssh.SFTPClient) -> None:
            await sftp.rename(old, new)
        await _with_sftp(folder, f"renaming {name}", work)
        return
    await _with_ftp(folder, f"renaming {name}", lambda ftp: ftp.rename(old, new))


async def probe(folder: RemoteFolder) -> str:
    """Sign in and list the folder once: the "test destination" answer."""
    names = await list_names(folder)
    return f"{folder}: signed in as {folder.username}, {len(names)} file(s) in the folder"
