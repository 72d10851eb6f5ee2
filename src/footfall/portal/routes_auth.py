"""Signing in and out: a CSRF-checked form, lock-out, the session cookie."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from footfall.estate.common import utcnow
from footfall.portal.accounts import sign_in
from footfall.portal.auth import (
    CSRF_FIELD,
    Form,
    PortalError,
    SignInRequired,
    Viewer,
    client_address,
    current_user,
    engine_of,
    same_token,
)
from footfall.portal.render import render
from footfall.portal.sessions import COOKIE, LIFETIME, PortalUser, close_session, signer
from footfall.storage.engine import write_tx

router = APIRouter()
PRE_COOKIE = "footfall_signin"  # the sign-in form's own CSRF token (double submit)
HOME = "/portal/dashboard"


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a portal path only (never another site)."""
    if target and target.startswith("/portal/") and not target.startswith("//") and "\\" not in target:
        return target
    return HOME


def _cookie_options(request: Request) -> dict[str, object]:
    return {"httponly": True, "samesite": "lax", "path": "/portal",
            "secure": request.url.scheme == "https"}


def _optional_user(request: Request) -> PortalUser | None:
    try:
        return current_user(request)
    except SignInRequired:
        return None


def _form_page(request: Request, message: str = "", status: int = 200, email: str = "",
               next_url: str = HOME) -> Response:
    token = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "sign_in.html", None, "sign_in", status, message=message,
                      email=email, next_url=next_url, csrf=token)
    response.set_cookie(PRE_COOKIE, token, **_cookie_options(request))  # type: ignore[arg-type]
    return response


@router.get("/sign-in", include_in_schema=False)
def sign_in_form(request: Request, me: Annotated[PortalUser | None, Depends(_optional_user)],
                 next: str | None = None) -> Response:
    """The sign-in form (already signed in: straight on)."""
    if me is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _form_page(request, next_url=safe_next(next))


@router.post("/sign-in", include_in_schema=False)
async def sign_in_post(request: Request) -> Response:
    """Check the e-mail and password (with lock-out); set the session cookie on success."""
    form = await request.form()
    expected = request.cookies.get(PRE_COOKIE, "")
    if not expected or not same_token(form.get(CSRF_FIELD), expected):
        raise PortalError(403, "This sign-in form has expired or did not come from this portal "
                               "(missing or wrong CSRF token). Reload the page and try again.")
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    next_url = safe_next(str(form.get("next", "")))
    app = request.app

    def attempt():  # type: ignore[no-untyped-def]
        with write_tx(engine_of(request)) as conn:
            return sign_in(conn, email, password, client_address(request),
                           app.state.portal_lockout, utcnow())

    outcome = await run_in_threadpool(attempt)
    if outcome.token is None:
        return _form_page(request, outcome.message, outcome.status, email, next_url)
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(COOKIE, signer(app.state.portal_key).sign(outcome.token).decode(),
                        max_age=int(LIFETIME.total_seconds()), **_cookie_options(request))  # type: ignore[arg-type]
    return response


@router.post("/sign-out", include_in_schema=False)
def sign_out(request: Request, me: Viewer, _form: Form) -> Response:
    """End this session; the cookie is useless from now on, even if kept."""
    with write_tx(engine_of(request)) as conn:
        close_session(conn, me.session_id, utcnow())
    response = RedirectResponse("/portal/sign-in", status_code=303)
    response.delete_cookie(COOKIE, path="/portal")
    return response
