"""`/tokens`: the company's API tokens; the secret is returned once, at creation."""

from __future__ import annotations

from fastapi import APIRouter, status

from footfall.api.deps import CurrentPrincipal, EngineDep, TokenWrites
from footfall.api.schemas.tokens import TokenCreate, TokenCreated, TokenPublic
from footfall.estate import tokens
from footfall.storage.engine import read_tx, write_tx

router = APIRouter(prefix="/tokens", tags=["tokens"], dependencies=[TokenWrites])


@router.get("")
def list_tokens(principal: CurrentPrincipal, engine: EngineDep) -> list[TokenPublic]:
    """Every token of the company, revoked ones included, without secrets."""
    with read_tx(engine) as conn:
        rows = tokens.list_tokens(conn, principal.company_id)
    return [TokenPublic.model_validate(row) for row in rows]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_token(body: TokenCreate, principal: CurrentPrincipal,
                 engine: EngineDep) -> TokenCreated:
    """Create a token (role at most the caller's, which it defaults to); the response holds its
    secret, which is never shown again."""
    with write_tx(engine) as conn:
        row, plaintext = tokens.create_token(conn, principal.company_id, body.name, body.role,
                                             principal.role)
    return TokenCreated.model_validate({**row, "token": plaintext})


@router.get("/{token_id}")
def get_token(token_id: int, principal: CurrentPrincipal, engine: EngineDep) -> TokenPublic:
    """One token, without its secret."""
    with read_tx(engine) as conn:
        row = tokens.get_token(conn, principal.company_id, token_id)
    return TokenPublic.model_validate(row)


@router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(token_id: int, principal: CurrentPrincipal, engine: EngineDep) -> None:
    """Revoke a token: it stops working at once (it stays listed, with `revoked_at`)."""
    with write_tx(engine) as conn:
        tokens.revoke_token(conn, principal.company_id, token_id)
