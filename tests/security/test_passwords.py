"""Password hashing: argon2id, salted, verified, never matching a wrong or malformed hash."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from footfall.security.passwords import hash_password, needs_rehash, verify_password


def test_hash_is_argon2id_and_salted() -> None:
    first, second = hash_password("s3cret!"), hash_password("s3cret!")
    assert first.startswith("$argon2id$")
    assert first != second
    assert "s3cret!" not in first


def test_verify() -> None:
    stored = hash_password("correct horse")
    assert verify_password(stored, "correct horse")
    assert not verify_password(stored, "correct horse ")
    assert not verify_password("not-a-hash", "correct horse")


def test_needs_rehash_for_weaker_parameters() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("pw")
    assert verify_password(weak, "pw")
    assert needs_rehash(weak)
    assert not needs_rehash(hash_password("pw"))


def test_empty_password_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        hash_password("")
