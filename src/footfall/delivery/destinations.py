"""Send a delivered file where its delivery says: a remote folder, or e-mail recipients.

Failures come back as `DestinationError` (a remote or mail error), which the runner retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from footfall.delivery.model import Delivery, Destination
from footfall.security.secrets import SecretBox, SecretError
from footfall.transfer import mail, remote
from footfall.transfer.mail import Attachment, MailError, MailServer
from footfall.transfer.remote import RemoteFolder, TransferError

# Largest file sent as an attachment: most mail servers refuse more than 25 MB.
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MIME = {"csv": "text/csv", "txt": "text/tab-separated-values", "json": "application/json",
        "xml": "application/xml",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class DestinationError(Exception):
    """A file could not be delivered; the message says where and why (never a password)."""


@dataclass(frozen=True)
class Mailer:
    """How the hub sends mail: its SMTP server (None: into the outbox folder)."""

    server: MailServer | None
    outbox: Path

    async def send(self, to: list[str], subject: str, body: str,
                   attachments: list[Attachment] | None = None) -> str:
        """Send one message; DestinationError when it cannot."""
        try:
            return await mail.send_mail(self.server, self.outbox, to, subject, body, attachments)
        except MailError as error:
            raise DestinationError(str(error)) from None


def remote_folder(target: Delivery, box: SecretBox) -> RemoteFolder:
    """The delivery's remote folder with its password unsealed (kept in memory only)."""
    try:
        password = box.unseal(target.password_sealed) if target.password_sealed else ""
    except SecretError as error:
        raise DestinationError(f"{target.describe_destination()}: {error}") from None
    try:
        return RemoteFolder(protocol=target.destination.value,  # type: ignore[arg-type]
                            host=target.host or "", port=target.port,
                            username=target.username or "anonymous", password=password,
                            directory=target.directory or "/", passive=target.passive,
                            verify_tls=target.verify_tls)
    except TransferError as error:
        raise DestinationError(str(error)) from None


async def send_file(target: Delivery, box: SecretBox, mailer: Mailer, path: Path, name: str,
                    subject: str) -> str:
    """Deliver the file at `path` as `name`; where it went."""
    if target.destination is Destination.EMAIL:
        size = path.stat().st_size
        if size > MAX_ATTACHMENT_BYTES:
            raise DestinationError(f"{name} is {size} bytes, more than the {MAX_ATTACHMENT_BYTES} "
                                   "an e-mail attachment may hold; deliver it to FTP/SFTP instead")
        attachment = Attachment(name, path.read_bytes(), MIME.get(target.format, "application/octet-stream"))
        body = f"{subject}\n\nThe file {name} is attached.\n"
        await mailer.send(list(target.recipients), subject, body, [attachment])
        return target.describe_destination()
    folder = remote_folder(target, box)
    try:
        await remote.put(folder, name, path)
    except TransferError as error:
        raise DestinationError(str(error)) from None
    return str(folder)


async def probe(target: Delivery, box: SecretBox, mailer: Mailer) -> str:
    """Test the destination: sign in and list a remote folder, or send a test e-mail."""
    if target.destination is Destination.EMAIL:
        subject = f"footfall: test of delivery {target.name!r}"
        await mailer.send(list(target.recipients), subject,
                          "This is a test message: the delivery's e-mail destination works.\n")
        return f"test e-mail sent to {', '.join(target.recipients)}"
    try:
        return await remote.probe(remote_folder(target, box))
    except TransferError as error:
        raise DestinationError(str(error)) from None
