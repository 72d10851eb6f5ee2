"""Who is asking: the session behind the cookie, page access by role, CSRF on every form."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.engine import Engine

from footfall.estate.common import utcnow
from footfall.portal.pages import ACTIONS, BY_KEY, allowed_pages
from footfall.portal.sessions import COOKIE, PortalUser, find_session, unsign
from footfall.storage.engine import read_tx

CSRF_FIELD = "csrf_token"


class PortalError(Exception):
    """A portal request refused: the HTTP status and a message for the person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class SignInRequired(PortalError):
    """No live session: pages redirect to the sign-in form, data twins answer 401."""

    def __init__(self) -> None:
        super().__init__(401, "Sign in to continue.")


def engine_of(request: Request) -> Engine:
    """The hub's engine."""
    return request.app.state.engine


def client_address(request: Request) -> str:
    """The client's network address, as the lock-out counts it."""
    return request.client.host if request.client else "unknown"


def current_user(request: Request) -> PortalUser:
    """The signed-in user of this request, else SignInRequired."""
    cookie = request.cookies.get(COOKIE)
    token = unsign(request.app.state.portal_key, cookie) if cookie else None
    if token is None:
        raise SignInRequired()
    with read_tx(engine_of(request)) as conn:
        found = find_session(conn, token, utcnow())
    if found is None:
        raise SignInRequired()
    return found


Viewer = Annotated[PortalUser, Depends(current_user)]


def pages_of(me: PortalUser) -> frozenset[str]:
    """The page keys this user may open."""
    return allowed_pages(me.role, me.limited_to)


def page(key: str) -> Callable[..., PortalUser]:
    """A dependency: the signed-in user, who must be allowed to open page `key` (else 403)."""
    title = BY_KEY[key].title

    def check(me: Viewer) -> PortalUser:
        if key not in pages_of(me):
            raise PortalError(403, f"Your account ({me.role}) may not open the {title} page.")
        return me

    return check


def may(me: PortalUser, action: str) -> bool:
    """Whether the user's role allows an action (assigning a counter, revoking sessions…)."""
    return me.role in ACTIONS[action]


def require(me: PortalUser, action: str) -> None:
    """Refuse (403) an action the user's role does not allow."""
    if not may(me, action):
        raise PortalError(403, f"Your account ({me.role}) may not do this "
                               f"({action.replace('_', ' ')}).")


def same_token(given: Any, expected: str) -> bool:
    """Constant-time comparison of a submitted CSRF token with the expected one."""
    return isinstance(given, str) and bool(given) and hmac.compare_digest(given, expected)


async def checked_form(request: Request, me: Viewer) -> dict[str, str]:
    """The posted form of a signed-in user; 403 unless it carries the session's CSRF token."""
    form = await request.form()
    if not same_token(form.get(CSRF_FIELD), me.csrf_token):
        raise PortalError(403, "This form has expired or did not come from this portal "
                               "(missing or wrong CSRF token). Reload the page and try again.")
    return {k: v for k, v in form.items() if isinstance(v, str)}


Form = Annotated[dict[str, str], Depends(checked_form)]
