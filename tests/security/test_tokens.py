"""API tokens: random, stored as a digest, verified by digest, revocable; both backends."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.estate.common import utcnow
from footfall.estate.companies import create_company
from footfall.estate.tokens import create_token, list_tokens, revoke_token
from footfall.security.tokens import (
    display_prefix,
    generate_token,
    hash_token,
    needs_touch,
    verify_token,
)
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import api_token


def test_generated_tokens_are_prefixed_random_and_long() -> None:
    tokens = {generate_token() for _ in range(100)}
    assert len(tokens) == 100
    for token in tokens:
        assert token.startswith("ff_") and len(token) >= 3 + 43
    token = next(iter(tokens))
    assert hash_token(token) == hashlib.sha256(token.encode()).hexdigest()
    assert display_prefix(token) == token[:8]


def test_token_stored_as_digest_only(engine: Engine) -> None:
    with write_tx(engine) as conn:
        company = create_company(conn, "Acme")
        row, plaintext = create_token(conn, company["id"], "BI")
    assert "token_hash" not in row and plaintext not in repr(row)
    with read_tx(engine) as conn:
        stored = conn.execute(select(api_token)).mappings().one()
        listed = list_tokens(conn, company["id"])
    assert all(plaintext not in str(value) for value in stored.values())
    assert stored["token_hash"] == hash_token(plaintext)
    assert stored["prefix"] == plaintext[:8]
    assert "token_hash" not in listed[0]


def test_verify_and_revoke(engine: Engine) -> None:
    with write_tx(engine) as conn:
        company = create_company(conn, "Acme")
        row, plaintext = create_token(conn, company["id"], "BI")
    with read_tx(engine) as conn:
        owner = verify_token(conn, plaintext)
        assert owner is not None and owner.company_id == company["id"]
        assert owner.token_id == row["id"] and needs_touch(owner, utcnow())
        assert verify_token(conn, plaintext + "x") is None
        assert verify_token(conn, "not-a-token") is None
    with write_tx(engine) as conn:
        first = revoke_token(conn, company["id"], row["id"])["revoked_at"]
        again = revoke_token(conn, company["id"], row["id"])["revoked_at"]
    assert first is not None and first == again
    with read_tx(engine) as conn:
        assert verify_token(conn, plaintext) is None
