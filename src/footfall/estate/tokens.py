"""API tokens of a company: created (plaintext shown once), listed without secrets, revoked."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from footfall.estate.common import Row, fetch_owned, require_text, utcnow
from footfall.estate.errors import Invalid
from footfall.security.tokens import (
    RoleRefused,
    display_prefix,
    generate_token,
    grantable,
    hash_token,
    revoke_token_id,
)
from footfall.storage.tables import api_token

# Everything but the digest: the digest is not a secret, but nobody needs it.
_PUBLIC = [c for c in api_token.c if c.name != "token_hash"]


def create_token(conn: Connection, company_id: int, name: str, role: str | None = None,
                 creator_role: str = "admin") -> tuple[Row, str]:
    """Create a token (role at most `creator_role`, which it defaults to); returns its public row
    and the plaintext, which is never available again."""
    try:
        role = grantable(creator_role, role)
    except RoleRefused as error:
        raise Invalid(str(error), field="role") from None
    plaintext = generate_token()
    values = {
        "company_id": company_id, "name": require_text(name, "name", 200), "role": role,
        "token_hash": hash_token(plaintext), "prefix": display_prefix(plaintext),
        "created_at": utcnow(),
    }
    token_id = conn.execute(insert(api_token).values(values).returning(api_token.c.id)).scalar_one()
    return get_token(conn, company_id, token_id), plaintext


def get_token(conn: Connection, company_id: int, token_id: int) -> Row:
    """One token of the company, without its digest."""
    fetch_owned(conn, api_token, company_id, token_id, "token")
    return dict(conn.execute(select(*_PUBLIC).where(api_token.c.id == token_id)).mappings().one())


def list_tokens(conn: Connection, company_id: int) -> list[Row]:
    """Every token of the company (revoked ones included), without digests."""
    query = select(*_PUBLIC).where(api_token.c.company_id == company_id).order_by(api_token.c.id)
    return [dict(r) for r in conn.execute(query).mappings()]


def revoke_token(conn: Connection, company_id: int, token_id: int) -> Row:
    """Revoke a token of the company; revoking twice keeps the first revocation time."""
    fetch_owned(conn, api_token, company_id, token_id, "token")
    revoke_token_id(conn, token_id, utcnow())
    return get_token(conn, company_id, token_id)
