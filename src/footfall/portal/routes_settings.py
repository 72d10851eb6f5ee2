"""Settings: the landing page (admins and managers) and the company page (admins only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from footfall.estate.common import utcnow
from footfall.estate.users import list_users
from footfall.portal.auth import Form, PortalError, engine_of, page, pages_of, require
from footfall.portal.pages import PAGES
from footfall.portal.render import TWINS, render, twin, twin_links
from footfall.portal.sessions import PortalUser, live_sessions, revoke_user_sessions
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables_portal import portal_page_access

router = APIRouter()
Staff = Annotated[PortalUser, Depends(page("settings"))]
Admin = Annotated[PortalUser, Depends(page("company"))]
USER_COLUMNS = ["id", "email", "role", "pages", "live_sessions", "created_at"]


@router.get("/settings")
def settings_page(request: Request, me: Staff) -> Response:
    """The settings sections this user may open (sections of later releases are not listed)."""
    allowed = pages_of(me)
    sections = [p for p in PAGES if p.section == "settings" and p.key != "settings"
                and p.path and p.key in allowed]
    return render(request, "settings.html", me, "settings", sections=sections)


def company_users(request: Request, me: PortalUser) -> list[dict[str, Any]]:
    """The company's users with their page limits and live sessions (never a password hash)."""
    with read_tx(engine_of(request)) as conn:
        users = list_users(conn, me.company_id)
        sessions = live_sessions(conn, me.company_id, utcnow())
        limits: dict[int, list[str]] = {}
        for user_id, key in conn.execute(
            select(portal_page_access.c.user_id, portal_page_access.c.page)
            .where(portal_page_access.c.user_id.in_([u["id"] for u in users]))):
            limits.setdefault(user_id, []).append(key)
    return [{"id": u["id"], "email": u["email"], "role": u["role"],
             "pages": sorted(limits.get(u["id"], [])), "live_sessions": sessions.get(u["id"], 0),
             "created_at": u["created_at"].isoformat()} for u in users]


@router.get("/settings/company")
def company_page(request: Request, me: Admin, revoked: str | None = None) -> Response:
    """The company: its users, their roles, page limits and live sessions."""
    return render(request, "company.html", me, "company", users=company_users(request, me),
                  revoked=revoked, twins=twin_links(request))


@router.get("/settings/company.{fmt}")
def company_data(request: Request, me: Admin, fmt: str) -> Response:
    """The company page's users as JSON or CSV."""
    if fmt not in TWINS:
        raise PortalError(404, f"no .{fmt} twin: use .json or .csv")
    rows = company_users(request, me)
    return twin(fmt, {"company": me.company_name, "users": rows}, rows, USER_COLUMNS, "company-users")


@router.post("/settings/company/users/{user_id}/sign-out")
def revoke_sessions(request: Request, me: Admin, _form: Form, user_id: int) -> Response:
    """Sign a user of the company out everywhere (every session of theirs ends now)."""
    require(me, "revoke_sessions")
    with write_tx(engine_of(request)) as conn:
        count = revoke_user_sessions(conn, me.company_id, user_id, utcnow())
    return RedirectResponse(f"/portal/settings/company?revoked={count}", status_code=303)
