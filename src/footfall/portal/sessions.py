"""Server-side portal sessions: the cookie holds a signed random token, the row its hash.

Signing lets a forged or truncated cookie be refused before any database read; the row is
what makes signing out and revocation immediate.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from itsdangerous import BadSignature, Signer
from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from footfall.estate.common import as_utc
from footfall.settings import Settings
from footfall.storage.tables import company, user
from footfall.storage.tables_portal import portal_page_access, portal_session

COOKIE = "footfall_session"
LIFETIME = timedelta(hours=12)
KEY_FILE = "portal-session.key"


@dataclass(frozen=True, slots=True)
class PortalUser:
    """Who is signed in: the session, the user, their company, role and page limits."""

    session_id: int
    user_id: int
    company_id: int
    company_name: str
    email: str
    role: str
    csrf_token: str
    limited_to: frozenset[str]


def signing_key(settings: Settings) -> bytes:
    """The cookie signing key: from FOOTFALL_SECRET_KEY, else a 0600 key file in the data dir."""
    if settings.secret_key:
        return hashlib.sha256(b"footfall portal session\0" + settings.secret_key.encode()).digest()
    path = Path(settings.data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker made it first
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def signer(key: bytes) -> Signer:
    """The signer of session cookies."""
    return Signer(key, salt="footfall.portal.session")


def unsign(key: bytes, cookie: str) -> str | None:
    """The token inside a cookie value, or None when the signature is wrong."""
    try:
        return signer(key).unsign(cookie).decode()
    except BadSignature:
        return None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(conn: Connection, user_id: int, client: str | None, now: datetime) -> str:
    """Start a session for the user; returns the plaintext token (it is stored hashed)."""
    token = secrets.token_urlsafe(32)
    conn.execute(delete(portal_session).where(
        portal_session.c.user_id == user_id,
        or_(portal_session.c.expires_at < now, portal_session.c.revoked_at.is_not(None))))
    conn.execute(insert(portal_session).values(
        user_id=user_id, token_hash=_digest(token), csrf_token=secrets.token_urlsafe(32),
        client=(client or "")[:100], created_at=now, expires_at=now + LIFETIME))
    return token


def find_session(conn: Connection, token: str, now: datetime) -> PortalUser | None:
    """The live session of a token (not expired, not revoked) with its user, else None."""
    row = conn.execute(
        select(portal_session.c.id, portal_session.c.csrf_token, portal_session.c.expires_at,
               user.c.id.label("user_id"), user.c.email, user.c.role,
               company.c.id.label("company_id"), company.c.name.label("company_name"))
        .join(user, user.c.id == portal_session.c.user_id)
        .join(company, company.c.id == user.c.company_id)
        .where(portal_session.c.token_hash == _digest(token), portal_session.c.revoked_at.is_(None))
    ).first()
    if row is None or as_utc(row.expires_at) <= now:  # type: ignore[operator]
        return None
    limits = conn.execute(select(portal_page_access.c.page)
                          .where(portal_page_access.c.user_id == row.user_id)).scalars()
    return PortalUser(row.id, row.user_id, row.company_id, row.company_name, row.email,
                      row.role, row.csrf_token, frozenset(limits))


def close_session(conn: Connection, session_id: int, now: datetime) -> None:
    """End one session (sign out)."""
    conn.execute(update(portal_session).where(portal_session.c.id == session_id)
                 .values(revoked_at=now))


def revoke_user_sessions(conn: Connection, company_id: int, user_id: int, now: datetime) -> int:
    """End every live session of a user of the company; returns how many."""
    owned = select(user.c.id).where(user.c.id == user_id, user.c.company_id == company_id)
    result = conn.execute(update(portal_session).where(and_(
        portal_session.c.user_id.in_(owned), portal_session.c.revoked_at.is_(None)))
        .values(revoked_at=now))
    return result.rowcount or 0


def live_sessions(conn: Connection, company_id: int, now: datetime) -> dict[int, int]:
    """Live sessions per user id of the company."""
    counts: dict[int, int] = {}
    for user_id, expires in conn.execute(
        select(portal_session.c.user_id, portal_session.c.expires_at)
        .join(user, user.c.id == portal_session.c.user_id)
        .where(user.c.company_id == company_id, portal_session.c.revoked_at.is_(None))
    ):
        if as_utc(expires) > now:  # type: ignore[operator]
            counts[user_id] = counts.get(user_id, 0) + 1
    return counts
