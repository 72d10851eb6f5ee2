"""Users as the settings pages change them: role, page access, password, deletion.

Two rules the estate does not know: a company always keeps an admin (the last one cannot
be demoted or deleted), and an admin cannot take the Users page away from themselves.
Writes go through `estate.users` and `portal.accounts`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from footfall.estate.common import Row, utcnow
from footfall.estate.errors import Conflict, Invalid
from footfall.estate.users import delete_user, get_user, list_users, update_user
from footfall.portal.accounts import limit_pages
from footfall.portal.pages import ROLES, allowed_pages
from footfall.portal.sessions import PortalUser, revoke_user_sessions
from footfall.storage.tables_portal import portal_page_access

MIN_PASSWORD = 8


def page_limits(conn: Connection, user_ids: Collection[int]) -> dict[int, list[str]]:
    """The pages each user is limited to (no entry: every page of their role)."""
    limits: dict[int, list[str]] = {}
    query = (select(portal_page_access.c.user_id, portal_page_access.c.page)
             .where(portal_page_access.c.user_id.in_(list(user_ids))).order_by(portal_page_access.c.page))
    for user_id, key in conn.execute(query):
        limits.setdefault(user_id, []).append(key)
    return limits


def users_with_pages(conn: Connection, company_id: int) -> list[Row]:
    """The company's users with their page limits (never a password hash)."""
    users = list_users(conn, company_id)
    limits = page_limits(conn, [u["id"] for u in users])
    return [{**u, "pages": limits.get(u["id"], [])} for u in users]


def user_with_pages(conn: Connection, company_id: int, user_id: int) -> Row:
    """One user of the company with their page limits."""
    row = get_user(conn, company_id, user_id)
    return {**row, "pages": page_limits(conn, [user_id]).get(user_id, [])}


def check_password(password: str) -> str:
    """A new portal password: at least MIN_PASSWORD characters."""
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"password must be at least {MIN_PASSWORD} characters", field="password")
    return password


def _keep_an_admin(conn: Connection, company_id: int, user_id: int, doing: str) -> None:
    admins = [u["id"] for u in list_users(conn, company_id) if u["role"] == "admin"]
    if admins == [user_id]:
        raise Conflict(f"role: this is the company's last admin; make another user admin before "
                       f"{doing} this one", field="role")


def change_access(conn: Connection, me: PortalUser, current: Row, role: str,
                  pages: Iterable[str]) -> Row:
    """Set a user's role and the pages they may open (every page of the role: no limit)."""
    if role not in ROLES:
        raise Invalid(f"role {role!r} is not one of {', '.join(ROLES)}", field="role")
    if current["role"] == "admin" and role != "admin":
        _keep_an_admin(conn, me.company_id, current["id"], "demoting")
    ceiling = allowed_pages(role)
    keys = sorted(set(pages) & ceiling)
    if current["id"] == me.user_id and keys and "users" not in keys:
        raise Invalid("pages: you cannot take the Users page away from yourself", field="pages")
    row = update_user(conn, me.company_id, current["id"], {"role": role})
    row["pages"] = limit_pages(conn, me.company_id, current["id"], [] if set(keys) == ceiling else keys)
    return row


def reset_password(conn: Connection, me: PortalUser, current: Row, password: str) -> Any:
    """Give a user a new password; their sessions elsewhere end (yours stays when it is yours)."""
    update_user(conn, me.company_id, current["id"], {"password": check_password(password)})
    if current["id"] != me.user_id:
        revoke_user_sessions(conn, me.company_id, current["id"], utcnow())


def remove_user(conn: Connection, me: PortalUser, current: Row) -> None:
    """Delete a user of the company, unless they are its last admin."""
    if current["role"] == "admin":
        _keep_an_admin(conn, me.company_id, current["id"], "deleting")
    delete_user(conn, me.company_id, current["id"])
