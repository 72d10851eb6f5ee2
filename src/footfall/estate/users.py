"""Portal users of a company; passwords are kept as argon2id hashes only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from footfall.estate.common import Row, check_fields, fetch_owned, require_text, utcnow
from footfall.estate.errors import Conflict, Invalid, NotFound
from footfall.security.passwords import hash_password, needs_rehash, verify_password
from footfall.storage.tables import user

ROLES = ("admin", "manager", "viewer")
_PUBLIC = [c for c in user.c if c.name != "password_hash"]


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise Invalid(f"role {role!r} is not one of {', '.join(ROLES)}", field="role")
    return role


def _check_email(conn: Connection, email: str, user_id: int | None = None) -> str:
    email = require_text(email, "email", 320).lower()
    if "@" not in email:
        raise Invalid(f"email {email!r} is not an e-mail address", field="email")
    taken = conn.execute(select(user.c.id).where(user.c.email == email)).scalar()
    if taken is not None and taken != user_id:
        raise Conflict(f"email: a user with e-mail {email!r} already exists", field="email")
    return email


def create_user(conn: Connection, company_id: int, email: str, password: str,
                role: str = "viewer") -> Row:
    """Create a user; the password is hashed with argon2id and never returned."""
    if not password:
        raise Invalid("password must not be empty", field="password")
    values = {
        "company_id": company_id, "email": _check_email(conn, email), "role": _check_role(role),
        "password_hash": hash_password(password), "created_at": utcnow(),
    }
    user_id = conn.execute(insert(user).values(values).returning(user.c.id)).scalar_one()
    return get_user(conn, company_id, user_id)


def get_user(conn: Connection, company_id: int, user_id: int) -> Row:
    """One user of the company, without the password hash."""
    fetch_owned(conn, user, company_id, user_id, "user")
    row = conn.execute(select(*_PUBLIC).where(user.c.id == user_id)).mappings().one()
    return dict(row)


def list_users(conn: Connection, company_id: int) -> list[Row]:
    """Every user of the company, without password hashes."""
    query = select(*_PUBLIC).where(user.c.company_id == company_id).order_by(user.c.id)
    return [dict(r) for r in conn.execute(query).mappings()]


def update_user(conn: Connection, company_id: int, user_id: int,
                changes: Mapping[str, Any]) -> Row:
    """Change a user's e-mail, role or password."""
    check_fields(changes, ("email", "role", "password"), "user")
    fetch_owned(conn, user, company_id, user_id, "user")
    values: dict[str, Any] = {}
    if "email" in changes:
        values["email"] = _check_email(conn, changes["email"], user_id)
    if "role" in changes:
        values["role"] = _check_role(changes["role"])
    if "password" in changes:
        if not changes["password"]:
            raise Invalid("password must not be empty", field="password")
        values["password_hash"] = hash_password(changes["password"])
    if values:
        conn.execute(update(user).where(user.c.id == user_id).values(values))
    return get_user(conn, company_id, user_id)


def delete_user(conn: Connection, company_id: int, user_id: int) -> None:
    """Delete a user of the company."""
    fetch_owned(conn, user, company_id, user_id, "user")
    conn.execute(delete(user).where(user.c.id == user_id))


def authenticate_user(conn: Connection, email: str, password: str) -> Row:
    """The user with this e-mail and password (re-hashing an outdated hash), else NotFound."""
    row = conn.execute(select(user).where(user.c.email == email.strip().lower())).mappings().first()
    if row is None or not verify_password(row["password_hash"], password):
        raise NotFound("email or password is wrong", field="email")
    if needs_rehash(row["password_hash"]):
        conn.execute(update(user).where(user.c.id == row["id"])
                     .values(password_hash=hash_password(password)))
    return {k: v for k, v in row.items() if k != "password_hash"}
