"""Sealed secrets: round trip, no plain text at rest, wrong key refused, key file made once."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from footfall.security.secrets import KEY_FILE, SecretBox, SecretError, secret_box
from footfall.settings import Settings


def test_seal_round_trip_hides_the_plain_text() -> None:
    box = SecretBox.generate()
    sealed = box.seal("pässword-123")
    assert "pässword" not in sealed and "123" not in sealed
    assert box.unseal(sealed) == "pässword-123"
    assert box.seal("same") != box.seal("same")  # random IV: equal secrets do not show


def test_another_key_or_tampering_is_refused_without_echoing() -> None:
    sealed = SecretBox.generate().seal("hunter2")
    with pytest.raises(SecretError, match="cannot be opened") as caught:
        SecretBox.generate().unseal(sealed)
    assert "hunter2" not in str(caught.value)
    box = SecretBox.generate()
    token = box.seal("x")
    with pytest.raises(SecretError):
        box.unseal(token[:-4] + "AAAA")


def test_bad_key_is_named() -> None:
    with pytest.raises(SecretError, match="Fernet key"):
        SecretBox(b"short")
    assert "key" in repr(SecretBox.generate()) and "=" not in repr(SecretBox.generate())


def test_key_file_is_created_once_owner_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = secret_box(settings)
    sealed = first.seal("s3cret")
    assert secret_box(settings).unseal(sealed) == "s3cret"
    mode = (tmp_path / "data" / KEY_FILE).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_configured_key_wins(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    configured = Fernet.generate_key().decode()
    sealed = SecretBox(configured).seal("v")
    assert secret_box(Settings(data_dir=tmp_path, secret_key=configured)).unseal(sealed) == "v"
    assert not (tmp_path / KEY_FILE).exists()
