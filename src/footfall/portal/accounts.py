"""Portal accounts: users with the portal's roles, their page limits, and signing in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from footfall.estate.common import Row, fetch_owned
from footfall.estate.errors import Invalid, NotFound
from footfall.estate.users import authenticate_user, create_user
from footfall.portal.lockout import ACCOUNT, ADDRESS, LockoutPolicy, clear, current_lock, record_failure
from footfall.portal.pages import ROLES, check_pages
from footfall.portal.sessions import open_session
from footfall.security.passwords import hash_password, verify_password
from footfall.storage.tables import user
from footfall.storage.tables_portal import portal_page_access

WRONG = "E-mail or password is wrong."


def create_portal_user(conn: Connection, company_id: int, email: str, password: str,
                       role: str) -> Row:
    """Create a user with one of the portal's roles (admin, manager, viewer)."""
    if role not in ROLES:
        raise Invalid(f"role {role!r} is not one of {', '.join(ROLES)}", field="role")
    # The estate checks e-mail and password and hashes with argon2id.
    return create_user(conn, company_id, email, password, role)


def find_user_id(conn: Connection, company_id: int, email: str) -> int:
    """The id of the company's user with this e-mail."""
    found = conn.execute(select(user.c.id).where(user.c.company_id == company_id,
                                                 user.c.email == email.strip().lower())).scalar()
    if found is None:
        raise NotFound(f"email {email!r}: no such user in this company", field="email")
    return int(found)


def limit_pages(conn: Connection, company_id: int, user_id: int, pages: Iterable[str]) -> list[str]:
    """Limit a user to these pages (within their role); no pages: every page of the role."""
    fetch_owned(conn, user, company_id, user_id, "user")
    try:
        keys = sorted(set(check_pages(pages)))
    except ValueError as error:
        raise Invalid(str(error), field="pages") from None
    conn.execute(delete(portal_page_access).where(portal_page_access.c.user_id == user_id))
    if keys:
        conn.execute(insert(portal_page_access), [{"user_id": user_id, "page": k} for k in keys])
    return keys


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of a sign-in: a session token, or the message to show and its HTTP status."""

    token: str | None
    message: str = ""
    status: int = 200


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return hash_password("footfall: no such account")


def sign_in(conn: Connection, email: str, password: str, client: str, policy: LockoutPolicy,
            now: datetime) -> SignIn:
    """Check a sign-in against lock-outs and the password; open a session when it holds."""
    account = email.strip().lower()[:320]
    subjects = {ACCOUNT: account, ADDRESS: client}
    lock = current_lock(conn, subjects, now)
    if lock is not None:
        return SignIn(None, lock.message(now), 429)
    known = conn.execute(select(user.c.id).where(user.c.email == account)).scalar()
    try:
        if known is None:
            verify_password(_decoy_hash(), password)  # same work as for a real account
            raise NotFound(WRONG)
        row = authenticate_user(conn, account, password)
    except NotFound:
        lock = record_failure(conn, subjects, policy, now)
        if lock is not None:
            return SignIn(None, lock.message(now), 429)
        return SignIn(None, WRONG, 401)
    clear(conn, ACCOUNT, account)
    return SignIn(open_session(conn, int(row["id"]), client, now))
