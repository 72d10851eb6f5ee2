"""Which company a counter's WebSocket connection belongs to: Basic login, API token or the default."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from footfall.connectors.websocket.config import WebSocketConfig, WebSocketLogin
from footfall.estate.common import utcnow
from footfall.security.passwords import verify_password
from footfall.security.tokens import TOKEN_PREFIX, needs_touch, touch_token, verify_token
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import company

DEMO_COMPANY = "Demo Retail"  # footfall.demo.layout.COMPANY, without importing the demo
_CACHE_LIMIT = 4096


class AuthRefused(Exception):
    """The handshake is refused with 401; the message says why (never which part was wrong)."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a connection presented: Basic user and password, or a bare API token."""

    username: str | None
    secret: str


def credentials(headers: list[tuple[bytes, bytes]], query_string: bytes) -> Credentials | None:
    """Read `Authorization: Basic|Bearer` or `?token=` from a handshake; None if absent."""
    for name, value in headers:
        if name.lower() != b"authorization":
            continue
        scheme, _, rest = value.decode("latin-1").strip().partition(" ")
        if scheme.lower() == "bearer" and rest.strip():
            return Credentials(None, rest.strip())
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(rest.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise AuthRefused("the Basic credentials are not base64 of user:password") from None
            user, colon, password = decoded.partition(":")
            if not colon:
                raise AuthRefused("the Basic credentials have no ':' between user and password")
            return Credentials(user, password)
        raise AuthRefused(f"unsupported Authorization scheme {scheme!r} (Basic or Bearer)")
    tokens = parse_qs(query_string.decode("latin-1")).get("token")
    return Credentials(None, tokens[0]) if tokens else None


class Authenticator:
    """Maps credentials to a company id; blocking (database, argon2): call it from a thread."""

    def __init__(self, config: WebSocketConfig, engine: Engine) -> None:
        self._config, self._engine = config, engine
        self._logins: dict[str, WebSocketLogin] = {login.username: login for login in config.logins}
        # Argon2 is slow on purpose: a reconnecting fleet must not pay it on every handshake.
        self._key = secrets.token_bytes(32)
        self._verified: dict[tuple[str, bytes], int] = {}

    def company_for(self, presented: Credentials | None) -> int:
        """The company id the connection speaks for, or AuthRefused."""
        if presented is None:
            if self._config.auth == "required":
                raise AuthRefused("this hub requires credentials: Basic auth or an API token")
            return self._default_company()
        login = self._logins.get(presented.username or "")
        if login is not None:
            return self._login_company(login, presented.secret)
        if presented.secret.startswith(TOKEN_PREFIX):
            return self._token_company(presented.secret)
        raise AuthRefused("wrong username or password")

    def _login_company(self, login: WebSocketLogin, password: str) -> int:
        key = (login.username, hmac.digest(self._key, password.encode("utf-8"), hashlib.sha256))
        found = self._verified.get(key)
        if found is not None:
            return found
        if not verify_password(login.password_hash, password):
            raise AuthRefused("wrong username or password")
        with read_tx(self._engine) as conn:
            company_id = _company_id(conn, login.company)
        if company_id is None:
            raise AuthRefused(f"login {login.username!r} names no existing company")
        if len(self._verified) >= _CACHE_LIMIT:
            self._verified.clear()
        self._verified[key] = company_id
        return company_id

    def _token_company(self, token: str) -> int:
        with read_tx(self._engine) as conn:
            owner = verify_token(conn, token)
        if owner is None:
            raise AuthRefused("invalid or revoked API token")
        now = utcnow()
        if needs_touch(owner, now):
            with write_tx(self._engine) as conn:
                touch_token(conn, owner.token_id, now)
        return owner.company_id

    def _default_company(self) -> int:
        wanted = self._config.default_company
        with read_tx(self._engine) as conn:
            if wanted is not None:
                found = _company_id(conn, wanted)
                if found is None:
                    raise AuthRefused(f"the default company {wanted!r} does not exist")
                return found
            ids = conn.execute(select(company.c.id).order_by(company.c.id).limit(2)).scalars().all()
            if len(ids) == 1:
                return ids[0]
            demo = _company_id(conn, DEMO_COMPANY)
        if demo is None:
            raise AuthRefused("credentials required: this hub has several companies and no default_company")
        return demo


def _company_id(conn: Connection, ident: int | str) -> int | None:
    """A company's id from its id or name."""
    match = company.c.id == ident if isinstance(ident, int) else company.c.name == ident
    return conn.execute(select(company.c.id).where(match)).scalar_one_or_none()
