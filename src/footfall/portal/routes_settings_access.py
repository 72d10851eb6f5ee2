"""Settings › users (role, page access, password, delete) and API tokens (create, list, revoke).

Admins only. A token's secret is on the page once, in the answer to its creation (not
cached), and never again: lists and twins show its first characters, role and last use.
A token made here has at most its creator's role.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection

from footfall.estate import tokens
from footfall.estate.common import Row
from footfall.estate.errors import EstateError, NotFound
from footfall.portal.accounts import create_portal_user
from footfall.portal.auth import Form, PortalError, engine_of, page
from footfall.portal.pages import PAGES, ROLES
from footfall.portal.render import render, twin, twin_links
from footfall.portal.sessions import PortalUser
from footfall.portal.settings_crud import (
    DONE,
    Change,
    Resource,
    check_twin,
    mount,
    public,
    redirect,
    status_of,
    write_item,
)
from footfall.portal.settings_forms import as_typed
from footfall.portal.settings_users import (
    change_access,
    check_password,
    remove_user,
    reset_password,
    user_with_pages,
    users_with_pages,
)
from footfall.security.tokens import TOKEN_ROLES, outranks
from footfall.storage.engine import read_tx, write_tx

router = APIRouter()


def _create_user(c: Change, form: dict[str, str]) -> Row:
    return create_portal_user(c.conn, c.me.company_id, form.get("email", ""),
                              check_password(form.get("password", "")), form.get("role", ""))


def _user_extras(_conn: Connection, _me: PortalUser, _row: Row | None) -> dict[str, Any]:
    return {"roles": ROLES, "pages": [p for p in PAGES if p.path]}


USERS = Resource(
    "users", "/settings/users", "user", ("settings_users.html", "settings_user.html"),
    ["id", "email", "role", "pages", "created_at"],
    rows=users_with_pages, one=user_with_pages,
    show=lambda row: {"email": row["email"], "role": row["role"],
                      **{f"page_{k}": "on" for k in row["pages"]}},
    create=_create_user,
    update=lambda c, row, form: change_access(c.conn, c.me, row, form.get("role", ""),
                                              [k[5:] for k in form if k.startswith("page_")]),
    delete=lambda c, row: remove_user(c.conn, c.me, row),
    extras=_user_extras, blank={"role": "viewer"},
)
mount(router, USERS)


@router.post("/settings/users/{item_id:int}/password", include_in_schema=False)
def set_password(request: Request, item_id: int, form: Form,
                 me: PortalUser = Depends(page(USERS.page))) -> Response:
    """Give a user a new password (their other sessions end)."""
    return write_item(request, USERS, me, item_id, form,
                      lambda c, row: reset_password(c.conn, c.me, row, form.get("password", "")),
                      "password_set")


TOKENS = "/settings/tokens"
TOKEN_COLUMNS = ["id", "name", "prefix", "role", "created_at", "last_used_at", "revoked_at"]
Admin = Depends(page("tokens"))


def _tokens_page(request: Request, me: PortalUser, values: Mapping[str, str], error: str = "",
                 status: int = 200, created: Mapping[str, Any] | None = None,
                 done: str | None = None) -> Response:
    with read_tx(engine_of(request)) as conn:
        rows = tokens.list_tokens(conn, me.company_id)
    response = render(request, "settings_tokens.html", me, "settings", status, rows=rows, values=values,
                      error=error, created=created, roles=[r for r in TOKEN_ROLES if outranks(me.role, r)],
                      notice=DONE[done].format(noun="API token") if done in DONE else "",
                      twins=twin_links(request))
    if created is not None:  # the one answer holding the secret: no cache may keep it
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get(TOKENS, include_in_schema=False)
def tokens_page(request: Request, me: PortalUser = Admin, done: str | None = None) -> Response:
    """The company's API tokens (never their secrets) and the form to create one."""
    return _tokens_page(request, me, {"role": "viewer"}, done=done)


@router.get(TOKENS + ".{fmt}", include_in_schema=False)
def tokens_data(request: Request, fmt: str, me: PortalUser = Admin) -> Response:
    """The token list as JSON or CSV: names, prefixes, roles, use; no secret, no digest."""
    check_twin(fmt)
    with read_tx(engine_of(request)) as conn:
        rows = [public(r) for r in tokens.list_tokens(conn, me.company_id)]
    return twin(fmt, {"data": rows}, rows, TOKEN_COLUMNS, "tokens")


@router.post(TOKENS, include_in_schema=False)
def create_token(request: Request, form: Form, me: PortalUser = Admin) -> Response:
    """Create a token (role at most yours) and show its secret this once."""
    try:
        with write_tx(engine_of(request)) as conn:
            row, plaintext = tokens.create_token(conn, me.company_id, form.get("name", ""),
                                                 form.get("role") or None, me.role)
    except EstateError as error:
        return _tokens_page(request, me, as_typed(form), error.message, status_of(error))
    return _tokens_page(request, me, {"role": "viewer"}, created={**row, "token": plaintext})


@router.post(TOKENS + "/{token_id:int}/revoke", include_in_schema=False)
def revoke_token(request: Request, token_id: int, _form: Form, me: PortalUser = Admin) -> Response:
    """Revoke a token: it stops working at once and stays listed."""
    try:
        with write_tx(engine_of(request)) as conn:
            tokens.revoke_token(conn, me.company_id, token_id)
    except NotFound as error:
        raise PortalError(404, error.message) from None
    return redirect(f"{TOKENS}?done=revoked")
