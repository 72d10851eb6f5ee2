"""Real servers on loopback for tests: FTP / FTPS (explicit, implicit), SFTP and SMTP.

Each is a context manager that starts the server on a free port, yields what a client
needs, and stops it. Shared by every test that moves files or mail.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any, Literal

import asyncssh
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
from pyftpdlib.servers import ThreadedFTPServer

USER, PASSWORD = "drop", "s3cret-pw"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for servers that cannot bind port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A fresh self-signed certificate and key for 127.0.0.1 (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class _ImplicitTLSHandler(TLS_FTPHandler):
    """TLS from the first byte (implicit FTPS, port 990 style): greet once the handshake is done."""

    def handle(self) -> None:
        self.secure_connection(self.ssl_context)

    def handle_ssl_established(self) -> None:
        self._pbsz = True
        super().handle()


@dataclass
class FtpServer:
    """A running pyftpdlib server: where it is, and its account's home directory."""

    host: str
    port: int
    root: Path
    user: str = USER
    password: str = PASSWORD


@contextmanager
def ftp_server(root: Path, tls: Literal["none", "explicit", "implicit"] = "none") -> Iterator[FtpServer]:
    """pyftpdlib on 127.0.0.1 with one read-write account whose home is `root`."""
    root.mkdir(parents=True, exist_ok=True)
    authorizer = DummyAuthorizer()
    authorizer.add_user(USER, PASSWORD, str(root), perm="elradfmwMT")
    handler: Any
    if tls == "none":
        handler = type("Handler", (FTPHandler,), {})
    else:
        base = TLS_FTPHandler if tls == "explicit" else _ImplicitTLSHandler
        cert, key = self_signed_cert(root.parent)
        handler = type("Handler", (base,), {"certfile": str(cert), "keyfile": str(key),
                                            "tls_control_required": True, "tls_data_required": True})
    handler.authorizer = authorizer
    handler.passive_ports = None
    server = ThreadedFTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.1}, daemon=True)
    thread.start()
    try:
        yield FtpServer("127.0.0.1", server.address[1], root)
    finally:
        server.close_all()
        thread.join(timeout=5)


@dataclass
class SftpServer:
    """A running asyncssh SFTP server rooted at `root`."""

    host: str
    port: int
    root: Path
    user: str = USER
    password: str = PASSWORD


class _PasswordServer(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == USER and password == PASSWORD


@contextmanager
def sftp_server(root: Path) -> Iterator[SftpServer]:
    """asyncssh SFTP on 127.0.0.1 in its own thread and loop; paths are chrooted to `root`."""
    root.mkdir(parents=True, exist_ok=True)
    loop = asyncio.new_event_loop()
    ready: dict[str, Any] = {}

    async def start() -> None:
        key = asyncssh.generate_private_key("ssh-ed25519")
        ready["server"] = await asyncssh.listen(
            "127.0.0.1", 0, server_host_keys=[key], server_factory=_PasswordServer,
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=str(root)))

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    server = ready["server"]
    port = server.sockets[0].getsockname()[1]
    try:
        yield SftpServer("127.0.0.1", port, root)
    finally:
        async def stop() -> None:
            server.close()
            await server.wait_closed()
        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()


@dataclass
class Mailbox:
    """Messages an SMTP server on loopback received."""

    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        """The FOOTFALL_SMTP_URL that points at this server (no TLS)."""
        return f"smtp://{self.host}:{self.port}?security=none"

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[Message]:
        """Block until `count` messages arrived (or fail after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} message(s), got {len(self.messages)}")
            self.arrived.wait(0.05)
            self.arrived.clear()
        return self.messages


class _Collect:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.box.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        self.box.arrived.set()
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """aiosmtpd on 127.0.0.1 that keeps every message it receives."""
    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(_Collect(box), hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
