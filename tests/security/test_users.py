"""Users: stored with an argon2id hash, authenticated, re-hashed when outdated; both backends."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from footfall.estate.companies import create_company
from footfall.estate.errors import Conflict, Invalid, NotFound
from footfall.estate.users import (
    authenticate_user,
    create_user,
    delete_user,
    list_users,
    update_user,
)
from footfall.storage.engine import write_tx
from footfall.storage.tables import user


def test_user_life_cycle(engine: Engine) -> None:
    with write_tx(engine) as conn:
        acme = create_company(conn, "Acme")["id"]
        other = create_company(conn, "Other")["id"]
        created = create_user(conn, acme, "Ana@Example.com", "pw-1", role="admin")
        assert "password_hash" not in created and created["email"] == "ana@example.com"
        stored = conn.execute(select(user.c.password_hash)).scalar_one()
        assert stored.startswith("$argon2id$") and "pw-1" not in stored
        assert authenticate_user(conn, "ana@example.com", "pw-1")["id"] == created["id"]
        with pytest.raises(NotFound):
            authenticate_user(conn, "ana@example.com", "pw-2")
        with pytest.raises(Conflict, match="email"):
            create_user(conn, other, "ana@example.com", "x")
        with pytest.raises(Invalid, match="role"):
            create_user(conn, acme, "bob@example.com", "x", role="root")
        assert list_users(conn, other) == []
        with pytest.raises(NotFound):
            update_user(conn, other, created["id"], {"role": "viewer"})
        changed = update_user(conn, acme, created["id"], {"password": "pw-2", "role": "viewer"})
        assert changed["role"] == "viewer"
        assert authenticate_user(conn, "ana@example.com", "pw-2")["id"] == created["id"]
        with pytest.raises(NotFound):
            delete_user(conn, other, created["id"])
        delete_user(conn, acme, created["id"])
        assert list_users(conn, acme) == []


def test_outdated_hash_is_upgraded_on_login(engine: Engine) -> None:
    with write_tx(engine) as conn:
        acme = create_company(conn, "Acme")["id"]
        created = create_user(conn, acme, "ana@example.com", "pw")
        weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("pw")
        conn.execute(update(user).where(user.c.id == created["id"]).values(password_hash=weak))
        authenticate_user(conn, "ana@example.com", "pw")
        assert conn.execute(select(user.c.password_hash)).scalar_one() != weak
