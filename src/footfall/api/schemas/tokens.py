"""API token schemas."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from footfall.api.schemas.common import InputModel, PublicModel, UtcDatetime

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Role = Literal["admin", "manager", "viewer"]


class TokenCreate(InputModel):
    """A new API token, named so its owner can tell it apart later."""

    name: Name
    role: Role | None = Field(default=None, description="admin, manager or viewer (a viewer token "
                              "reads only); at most, and by default, the calling token's role")


class TokenPublic(PublicModel):
    """A token as listed: never its secret, only its first characters."""

    id: int
    name: str
    prefix: str
    role: str
    created_at: UtcDatetime
    last_used_at: UtcDatetime | None
    revoked_at: UtcDatetime | None


class TokenCreated(TokenPublic):
    """A token just created: the only response that carries its secret."""

    token: str = Field(description="the bearer token; shown once, store it now")
