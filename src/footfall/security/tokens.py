"""API token secrets: generated once, stored only as a SHA-256 digest plus a display prefix.

Each token carries a role (admin, manager, viewer), as portal users do: a viewer token reads
but may not change the estate, and nobody hands out a token above their own role.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from footfall.storage.tables import api_token

TOKEN_PREFIX = "ff_"
DISPLAY_CHARS = 8
# Touching last_used_at on every request would make each read a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Highest first; the index is the rank.
TOKEN_ROLES = ("admin", "manager", "viewer")


class RoleRefused(ValueError):
    """A token role that is unknown, or above what its creator may hand out."""


def outranks(role: str, minimum: str) -> bool:
    """Whether `role` is `minimum` or higher (admin > manager > viewer)."""
    return TOKEN_ROLES.index(role) <= TOKEN_ROLES.index(minimum)


def grantable(creator_role: str, asked: str | None) -> str:
    """The role of a new token: `asked` (default: the creator's own), never above the creator's."""
    role = asked or creator_role
    if role not in TOKEN_ROLES:
        raise RoleRefused(f"role {role!r} is not one of {', '.join(TOKEN_ROLES)}")
    if not outranks(creator_role, role):
        raise RoleRefused(f"role {role!r} is above your own ({creator_role}): a new token "
                          f"may have at most the role of whoever creates it")
    return role


@dataclass(frozen=True, slots=True)
class TokenOwner:
    """Who a valid bearer token belongs to."""

    company_id: int
    token_id: int
    last_used_at: datetime | None
    role: str = "admin"


def generate_token() -> str:
    """A new plaintext token: `ff_` + 256 random bits, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored in place of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    """The first characters of a token, safe to show in lists so users can tell tokens apart."""
    return token[:DISPLAY_CHARS]


def verify_token(conn: Connection, token: str) -> TokenOwner | None:
    """The owner of a live (not revoked) token, or None; looked up by digest, never by plaintext."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(token)
    row = conn.execute(
        select(api_token.c.id, api_token.c.company_id, api_token.c.token_hash,
               api_token.c.revoked_at, api_token.c.last_used_at, api_token.c.role)
        .where(api_token.c.token_hash == digest)
    ).first()
    # The index lookup compares digests of a secret, not the secret; still compare in constant time.
    if row is None or not hmac.compare_digest(row.token_hash, digest) or row.revoked_at is not None:
        return None
    return TokenOwner(company_id=row.company_id, token_id=row.id, last_used_at=row.last_used_at,
                      role=row.role)


def needs_touch(owner: TokenOwner, now: datetime) -> bool:
    """Whether `last_used_at` is stale enough to be worth a write."""
    if owner.last_used_at is None:
        return True
    last = owner.last_used_at
    if last.tzinfo is None:  # SQLite hands back naive UTC datetimes
        last = last.replace(tzinfo=UTC)
    return now - last >= LAST_USED_RESOLUTION


def touch_token(conn: Connection, token_id: int, now: datetime) -> None:
    """Record that a token was just used."""
    conn.execute(update(api_token).where(api_token.c.id == token_id).values(last_used_at=now))


def revoke_token_id(conn: Connection, token_id: int, now: datetime) -> bool:
    """Revoke a token by id (idempotent); False when no live token had that id."""
    result = conn.execute(
        update(api_token)
        .where(api_token.c.id == token_id, api_token.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount > 0
