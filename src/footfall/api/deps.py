"""Dependencies of the routes, as `Annotated` aliases: engine, settings, ingest core, principal,
and the role a token needs to change settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine

from footfall.estate.common import utcnow
from footfall.ingest.core import IngestCore
from footfall.security.tokens import needs_touch, outranks, touch_token, verify_token
from footfall.settings import Settings
from footfall.storage.engine import read_tx, write_tx

# Neither scheme fails on its own: `get_principal` decides, so the error is ours and clear.
_bearer = HTTPBearer(auto_error=False, description="an API token: `Authorization: Bearer ff_…`")
_query_token = APIKeyQuery(name="access_token", auto_error=False,
                           description="the API token as a query parameter, on GET requests only")
_QUERY_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the company whose rows the request may see, the token used and its role."""

    company_id: int
    token_id: int
    role: str


def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    return request.app.state.engine


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    return request.app.state.settings


def get_ingest(request: Request) -> IngestCore:
    """The app's one ingest core."""
    return request.app.state.ingest


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
IngestDep = Annotated[IngestCore, Depends(get_ingest)]


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=message,
                         headers={"WWW-Authenticate": "Bearer"})


def get_principal(
    request: Request,
    engine: EngineDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    query_token: Annotated[str | None, Depends(_query_token)],
) -> Principal:
    """The caller of a bearer token (header, or `access_token` on GET); 401 otherwise."""
    if request.headers.get("authorization") and bearer is None:
        raise _unauthorized("Authorization header must be 'Bearer <token>'")
    if bearer is not None:
        token = bearer.credentials
    elif query_token is not None:
        if request.method not in _QUERY_METHODS:
            raise _unauthorized("the access_token query parameter is accepted on GET requests "
                                "only; send the header 'Authorization: Bearer <token>'")
        token = query_token
    else:
        raise _unauthorized("missing API token: send the header 'Authorization: Bearer <token>'")
    with read_tx(engine) as conn:
        owner = verify_token(conn, token)
    if owner is None:
        raise _unauthorized("invalid or revoked API token")
    now = utcnow()
    if needs_touch(owner, now):
        with write_tx(engine) as conn:
            touch_token(conn, owner.token_id, now)
    return Principal(company_id=owner.company_id, token_id=owner.token_id, role=owner.role)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def writes_need(minimum: str) -> Any:
    """A router dependency: reads are open to every token, changes need a token of `minimum` role."""

    def check(request: Request, principal: CurrentPrincipal) -> None:
        if request.method in _READS or outranks(principal.role, minimum):
            return
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=(
            f"this API token has the {principal.role} role: it may read, but "
            f"{request.method} {request.url.path} changes settings and needs "
            f"{'an admin token' if minimum == 'admin' else f'a {minimum} or admin token'}"))

    return Depends(check)


# Sites, groups, areas, counters, lines, deliveries and sales settings: managers and admins.
EstateWrites = writes_need("manager")
# API tokens: admins only (as the portal's token page).
TokenWrites = writes_need("admin")
