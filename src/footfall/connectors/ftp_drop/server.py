"""The hub's own FTP (or FTPS) server: per-company accounts, each uploading into its home.

pyftpdlib runs in its own threads; a finished upload (`on_file_received`, or a rename of
`x.part` to its final name) is handed to the drop's asyncio loop. A broken upload
(`on_incomplete_file_received`) is deleted, so half a file is never read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyftpdlib.authorizers import AuthenticationFailed, DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import ThreadedFTPServer
from sqlalchemy.engine import Engine

from footfall.connectors.ftp_drop.config import FileFormat
from footfall.connectors.ftp_drop.inbox import Inbox
from footfall.connectors.ftp_drop.parse import wanted
from footfall.connectors.ftp_drop.store import account_home, find_account
from footfall.security.passwords import verify_password
from footfall.storage.engine import read_tx

log = logging.getLogger(__name__)
# change dir, list, retrieve, append, delete, rename, make dir, store; nothing outside the home
PERMISSIONS = "elradfmw"
Received = Callable[[Inbox, Path], None]


class AccountAuthorizer(DummyAuthorizer):  # type: ignore[misc]
    """Logins checked against `drop_account` (argon2) at each sign-in; homes under the data dir."""

    def __init__(self, engine: Engine, data_dir: Path) -> None:
        super().__init__()
        self.engine, self.data_dir = engine, data_dir
        self.inboxes: dict[str, Inbox] = {}
        self._lock = threading.Lock()

    def validate_authentication(self, username: str, password: str, handler: Any) -> None:
        """Accept a known account with its password; anything else is one generic refusal."""
        with read_tx(self.engine) as conn:
            account = find_account(conn, username)
        if account is None or not verify_password(account["password_hash"], password):
            raise AuthenticationFailed("Authentication failed.")
        home = account_home(self.data_dir, account["company_id"], username)
        home.mkdir(parents=True, exist_ok=True)
        inbox = Inbox(account["company_id"], f"account:{username}", home,
                      FileFormat.model_validate(account["file_format"]))
        with self._lock:  # pyftpdlib reads user_table for homes and permissions
            self.inboxes[username] = inbox
            self.user_table[username] = {
                "pwd": "", "home": str(home), "perm": PERMISSIONS, "operms": {},
                "msg_login": "footfall drop: upload the counter's daily files here.",
                "msg_quit": "Goodbye."}

    def has_user(self, username: str) -> bool:
        """Every name may try to sign in; the password check decides."""
        return True

    def get_home_dir(self, username: str) -> str:
        """The account's home (only after a successful sign-in)."""
        return str(self.user_table[username]["home"])


def _handler_class(authorizer: AccountAuthorizer, received: Received, certfile: Path | None) -> Any:
    if certfile is not None:
        try:
            from pyftpdlib.handlers import TLS_FTPHandler
        except ImportError:
            raise RuntimeError("FTPS needs pyOpenSSL (pip install pyopenssl)") from None
        base: Any = TLS_FTPHandler
        extra: dict[str, Any] = {"certfile": str(certfile), "tls_control_required": True,
                                 "tls_data_required": True}
    else:
        base, extra = FTPHandler, {}

    def finished(handler: Any, path: str) -> None:
        file = Path(path)
        inbox = authorizer.inboxes.get(handler.username)
        # Only the top of the home is the inbox: archive/, rejected/ and processing/ are the hub's.
        if inbox is not None and file.parent == inbox.folder and wanted(inbox.fmt, file.name):
            received(inbox, file)

    def on_file_received(handler: Any, file: str) -> None:
        finished(handler, file)

    def on_incomplete_file_received(handler: Any, file: str) -> None:
        log.info("FTP drop: incomplete upload %s by %s deleted", Path(file).name, handler.username)
        Path(file).unlink(missing_ok=True)

    def ftp_RNTO(handler: Any, path: str) -> Any:
        moved = base.ftp_RNTO(handler, path)
        if moved:
            finished(handler, moved[1])
        return moved

    return type("DropHandler", (base,), {
        "authorizer": authorizer, "banner": "footfall drop ready.", "permit_foreign_addresses": False,
        "on_file_received": on_file_received, "on_incomplete_file_received": on_incomplete_file_received,
        "ftp_RNTO": ftp_RNTO, **extra})


class DropServer:
    """The hosted FTP server, run in a thread until `close()`."""

    def __init__(self, engine: Engine, data_dir: Path, received: Received, host: str = "127.0.0.1",
                 port: int = 2121, certfile: Path | None = None,
                 passive_ports: range | None = None) -> None:
        self.authorizer = AccountAuthorizer(engine, data_dir)
        handler = _handler_class(self.authorizer, received, certfile)
        if passive_ports is not None:
            handler.passive_ports = passive_ports
        self._server = ThreadedFTPServer((host, port), handler)
        self.host, self.port = host, int(self._server.address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="footfall-ftp-drop",
                                        kwargs={"timeout": 0.2, "handle_exit": False}, daemon=True)

    def start(self) -> None:
        """Serve in the background."""
        self._thread.start()
        log.info("FTP drop: listening on %s:%d", self.host, self.port)

    def close(self) -> None:
        """Stop accepting, close every session and wait for the thread."""
        self._server.close_all()
        self._thread.join(10)
