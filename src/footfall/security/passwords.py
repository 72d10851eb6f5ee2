"""Password hashing with argon2id; only the hash is ever stored."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    # argon2-cffi's defaults follow RFC 9106's recommended argon2id parameters.
    return PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash (`$argon2id$…`) of `password`, salted."""
    if not password:
        raise ValueError("password must not be empty")
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches `password_hash`; a malformed hash never matches."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's and should be redone."""
    return _hasher().check_needs_rehash(password_hash)
