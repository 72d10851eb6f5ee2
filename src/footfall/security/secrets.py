"""Credentials sealed at rest: a counter's or a destination's password is stored encrypted.

One Fernet key (AES-128-CBC + HMAC-SHA256) per hub: `FOOTFALL_SECRET_KEY` when several
hub processes share a database, else a key file created once in the data directory with
owner-only permissions. A sealed value that does not open (wrong key, tampered) is an
error naming no secret, never a silent empty string.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from footfall.settings import Settings

KEY_FILE = "secret.key"


class SecretError(ValueError):
    """A sealed secret cannot be opened, or the key is not a valid key."""


class SecretBox:
    """Seals and unseals short secrets with one key."""

    def __init__(self, key: bytes | str) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise SecretError("the secret key is not a 32-byte url-safe base64 Fernet key "
                              "(make one with: python -c 'from cryptography.fernet import Fernet; "
                              "print(Fernet.generate_key().decode())')") from None

    @classmethod
    def generate(cls) -> SecretBox:
        """A box with a fresh random key (tests, first start)."""
        return cls(Fernet.generate_key())

    def seal(self, plain: str) -> str:
        """The encrypted, authenticated form of `plain`, as ASCII text for a database column."""
        return self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def unseal(self, sealed: str) -> str:
        """The plain secret; SecretError when it was sealed with another key or altered."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            raise SecretError("a stored secret cannot be opened with this hub's key "
                              "(was FOOTFALL_SECRET_KEY changed?); enter the password again") from None

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"


def _key_file(data_dir: Path) -> bytes:
    path = data_dir / KEY_FILE
    if path.exists():
        return path.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    # O_EXCL: two processes starting at once must not each write their own key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key


def secret_box(settings: Settings) -> SecretBox:
    """The hub's box: FOOTFALL_SECRET_KEY, else the data directory's key file (made on first use)."""
    if settings.secret_key:
        return SecretBox(settings.secret_key.encode("ascii"))
    return SecretBox(_key_file(settings.data_dir))
