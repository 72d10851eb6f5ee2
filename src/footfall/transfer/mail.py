"""Sending the hub's e-mails (deliveries, failure notices) through SMTP, or into a folder.

With no mail server configured (the demo, DESIGN §6) each message is written as an `.eml`
file into an outbox folder, so nothing is lost and a user can open it in any mail reader.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from footfall.settings import Settings

Security = Literal["none", "starttls", "ssl"]
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


class MailError(Exception):
    """A message could not be sent; the message names the server, never the password."""


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message."""

    name: str
    content: bytes
    mimetype: str = "application/octet-stream"


@dataclass(frozen=True)
class MailServer:
    """An SMTP server and how to talk to it."""

    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)
    security: Security = "starttls"
    sender: str = "footfall@localhost"
    timeout_s: float = 30.0

    @classmethod
    def from_url(cls, url: str, sender: str = "footfall@localhost") -> MailServer:
        """Parse `smtp://user:password@host:port?security=starttls|ssl|none&from=addr`."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise MailError(f"mail server URL must start with smtp:// or smtps://, not {parts.scheme!r}://")
        if not parts.hostname:
            raise MailError("mail server URL has no host")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        security = query.get("security", "ssl" if parts.scheme == "smtps" else "starttls")
        if security not in _DEFAULT_PORTS:
            raise MailError(f"security={security!r} is not one of none, starttls, ssl")
        try:
            port = parts.port or _DEFAULT_PORTS[security]
        except ValueError:
            raise MailError("mail server URL has an invalid port") from None
        return cls(host=parts.hostname, port=port, username=unquote(parts.username or ""),
                   password=unquote(parts.password or ""), security=security,  # type: ignore[arg-type]
                   sender=query.get("from", sender))

    def __str__(self) -> str:
        return f"smtp://{self.host}:{self.port}"


def mail_server(settings: Settings) -> MailServer | None:
    """The configured SMTP server, or None: mail then goes to the outbox folder."""
    if not settings.smtp_url:
        return None
    return MailServer.from_url(settings.smtp_url, settings.mail_from)


def outbox_dir(settings: Settings) -> Path:
    """Where messages go when no SMTP server is configured."""
    return settings.data_dir / "outbox"


def build_message(sender: str, to: list[str], subject: str, body: str,
                  attachments: list[Attachment]) -> EmailMessage:
    """A standard message with a plain-text body and the files attached."""
    if not to:
        raise MailError("a message needs at least one recipient")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="footfall")
    message.set_content(body)
    for item in attachments:
        maintype, _, subtype = item.mimetype.partition("/")
        message.add_attachment(item.content, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=item.name)
    return message


async def send_mail(server: MailServer | None, outbox: Path, to: list[str], subject: str, body: str,
                    attachments: list[Attachment] | None = None) -> str:
    """Send one message (or write it to `outbox` when `server` is None); returns where it went."""
    sender = server.sender if server is not None else "footfall@localhost"
    message = build_message(sender, to, subject, body, list(attachments or ()))
    if server is None:
        outbox.mkdir(parents=True, exist_ok=True)
        path = outbox / f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(message))
        return str(path)
    try:
        await aiosmtplib.send(
            message, hostname=server.host, port=server.port,
            username=server.username or None, password=server.password or None,
            use_tls=server.security == "ssl", start_tls=server.security == "starttls",
            timeout=server.timeout_s,
        )
    except (aiosmtplib.SMTPException, OSError) as error:
        raise MailError(f"{server}: sending to {', '.join(to)} failed: {error}") from None
    return str(server)
