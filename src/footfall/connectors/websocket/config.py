"""Typed settings of the WebSocket server: where it listens, limits, and who may connect as whom."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from footfall.domain.event_batch import MAX_MESSAGE_CHARS

DEFAULT_PATH = "/ws"
DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024


class WebSocketConfigError(ValueError):
    """A WebSocket config that cannot be used; the message names the field."""


class WebSocketLogin(BaseModel):
    """A Basic-auth login for counters, mapped to one company; only the argon2 hash is kept."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    username: str = Field(min_length=1, max_length=200)
    password_hash: str = Field(description="argon2id hash (footfall.security.passwords.hash_password)")
    company: int | str = Field(description="the company's id or name")

    @field_validator("password_hash")
    @classmethod
    def _argon2(cls, value: str) -> str:
        if not value.startswith("$argon2"):
            raise ValueError("must be an argon2 hash ($argon2id$...), never a plain password")
        return value


class WebSocketConfig(BaseModel):
    """The `/ws` endpoint counters push `ffc-eventrawdata` to, on the hub's own port."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(default=DEFAULT_PATH, description="URL path of the endpoint")
    max_message_bytes: int = Field(default=DEFAULT_MAX_MESSAGE_BYTES, ge=1024, le=MAX_MESSAGE_CHARS,
                                   description="larger frames are refused: close code 1009 (at most "
                                   "64 KiB: the ingest core reads no longer message)")
    auth: Literal["optional", "required"] = Field(
        default="optional", description="optional: a connection without credentials belongs to the "
        "default company; required: it is refused with 401")
    default_company: int | str | None = Field(
        default=None, description="id or name of the company of connections without credentials; "
        "unset: the only company, else the demo company")
    logins: tuple[WebSocketLogin, ...] = Field(default=(), description="Basic-auth logins for counters")
    max_in_flight: int = Field(default=64, ge=1, le=4096,
                               description="unanswered messages per connection before reading pauses")
    coverage_every_s: int = Field(default=60, ge=5, le=3600,
                                  description="how often an open session is recorded as coverage")
    ping_interval_s: float | None = Field(default=20.0, gt=0, description="keepalive ping; a counter "
                                          "that does not answer within the same time is disconnected")

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or any(c in value for c in "?# "):
            raise ValueError(f"{value!r} must be a URL path starting with '/'")
        return value

    @field_validator("logins")
    @classmethod
    def _unique(cls, logins: tuple[WebSocketLogin, ...]) -> tuple[WebSocketLogin, ...]:
        names = [login.username for login in logins]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"usernames must be unique, repeated: {', '.join(repeated)}")
        return logins


def load_config(path: str | Path) -> WebSocketConfig:
    """Read a TOML file into a config; every problem names its field (no network touched)."""
    try:
        with open(path, "rb") as handle:
            table = tomllib.load(handle)
    except OSError as error:
        raise WebSocketConfigError(f"{path}: cannot read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise WebSocketConfigError(f"{path}: not TOML: {error}") from None
    try:
        return WebSocketConfig.model_validate(table)
    except ValidationError as error:
        lines = []
        for e in error.errors():
            field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"]).lstrip(".")
            why = "unknown key" if e["type"] == "extra_forbidden" else e["msg"].removeprefix("Value error, ")
            lines.append(f"{path}: {field}: {why}")
        raise WebSocketConfigError("\n".join(lines)) from None
