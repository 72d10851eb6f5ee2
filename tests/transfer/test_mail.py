"""E-mail: a real SMTP server on loopback receives the attachment; no server → outbox file."""

from __future__ import annotations

import asyncio
from email import message_from_bytes
from pathlib import Path

import pytest

from footfall.settings import Settings
from footfall.transfer.mail import Attachment, MailError, MailServer, mail_server, outbox_dir, send_mail
from tests.servers import free_port, smtp_server


def test_attachment_arrives_at_a_real_smtp_server(tmp_path: Path) -> None:
    with smtp_server() as box:
        server = MailServer.from_url(box.url + "&from=hub@example.org")
        csv = b"site,in\r\n=cmd,1\r\nmain,2\r\n"
        where = asyncio.run(send_mail(server, tmp_path, ["ops@example.org"], "Daily counts",
                                      "Attached.", [Attachment("counts.csv", csv, "text/csv")]))
        assert where == f"smtp://127.0.0.1:{box.port}"
        message = box.wait_for(1)[0]
    assert message["Subject"] == "Daily counts" and message["From"] == "hub@example.org"
    parts = [p for p in message.walk() if p.get_filename()]
    assert [p.get_filename() for p in parts] == ["counts.csv"]
    assert parts[0].get_payload(decode=True) == csv


def test_without_a_server_mail_goes_to_the_outbox(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert mail_server(settings) is None
    path = Path(asyncio.run(send_mail(None, outbox_dir(settings), ["a@b.c"], "Failed", "Why")))
    assert path.parent == tmp_path / "outbox"
    assert message_from_bytes(path.read_bytes())["Subject"] == "Failed"


def test_url_parsing_and_errors() -> None:
    server = MailServer.from_url("smtp://u%40x:p%3Aw@mail.example.org?security=ssl", "me@x")
    assert (server.host, server.port, server.username, server.password, server.security,
            server.sender) == ("mail.example.org", 465, "u@x", "p:w", "ssl", "me@x")
    assert "p:w" not in repr(server) and "p:w" not in str(server)
    assert MailServer.from_url("smtp://h").port == 587
    with pytest.raises(MailError, match="smtp://"):
        MailServer.from_url("http://h")
    with pytest.raises(MailError, match="security"):
        MailServer.from_url("smtp://h?security=maybe")
    assert mail_server(Settings(smtp_url="smtp://h:2525?security=none", mail_from="f@x")) == MailServer(
        "h", 2525, security="none", sender="f@x")


def test_unreachable_server_is_a_mail_error_without_password(tmp_path: Path) -> None:
    server = MailServer("127.0.0.1", free_port(), "user", "pw-secret-1", "none", timeout_s=3)
    with pytest.raises(MailError) as caught:
        asyncio.run(send_mail(server, tmp_path, ["x@y.z"], "s", "b"))
    assert "127.0.0.1" in str(caught.value) and "pw-secret-1" not in str(caught.value)
    with pytest.raises(MailError, match="recipient"):
        asyncio.run(send_mail(None, tmp_path, [], "s", "b"))
