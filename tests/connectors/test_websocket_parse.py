"""The WebSocket connector's pure parts: messages, serials, replies, and its config file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from footfall.connectors.websocket.config import WebSocketConfig, WebSocketConfigError, load_config
from footfall.connectors.websocket.parse import (
    OK,
    message_serial,
    oversized,
    refusal,
    serial_in_text,
    too_big,
)
from footfall.security.passwords import hash_password
from tests.connectors.ws_harness import SERIAL, check_message, event_message


def test_messages_over_the_byte_limit_are_named() -> None:
    assert oversized("é" * 600, 1024) == "message is over the 1024-byte limit"  # 1,200 bytes in UTF-8
    assert oversized("é" * 500, 1024) is None and oversized("x" * 1024, 1024) is None


def test_serials_are_found_in_good_and_broken_messages() -> None:
    assert message_serial(json.dumps(event_message(1))) == SERIAL
    assert message_serial(repr(event_message(1))) == SERIAL  # the seeds' literal quoting
    assert message_serial(json.dumps(check_message("000000006AFCE315"))) == SERIAL
    assert message_serial(json.dumps({"CameraSerial": SERIAL, "RoiId": 1})) == SERIAL
    assert message_serial(json.dumps(["not", "a", "message"])) is None
    assert message_serial(json.dumps(event_message(1))[:300]) == SERIAL  # cut short
    assert serial_in_text(repr(event_message(1))[:300]) == SERIAL
    assert serial_in_text('{"Topic": "ffc-eventrawdata", "Da') is None


def test_refusals_are_one_short_line_never_ok() -> None:
    reply = refusal("line one\nline two " + "x" * 500)
    assert reply.startswith("ERROR: line one line two") and "\n" not in reply and len(reply) < 220
    assert refusal("") != OK
    assert too_big(1009, 65536) is not None and too_big(1000, 65536) is None


def test_config_file_is_validated_with_the_field_named(tmp_path: Path) -> None:
    good = tmp_path / "ws.toml"
    digest = hash_password("s3cret")
    good.write_text(f'auth = "required"\nmax_message_bytes = 32768\n[[logins]]\nusername = "store-17"\n'
                    f'password_hash = "{digest}"\ncompany = "Acme"\n')
    config = load_config(good)
    assert config.auth == "required" and config.logins[0].company == "Acme"
    bad = tmp_path / "bad.toml"
    bad.write_text('max_message_bytes = 10\ncolour = "red"\n'
                   'logins = [{username = "a", password_hash = "plain", company = 1}]\n')
    with pytest.raises(WebSocketConfigError) as error:
        load_config(bad)
    text = str(error.value)
    assert "max_message_bytes" in text and "logins[0].password_hash" in text and "colour: unknown key" in text
    with pytest.raises(WebSocketConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    assert WebSocketConfig().path == "/ws"
