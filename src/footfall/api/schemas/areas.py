"""Area schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from footfall.api.schemas.common import InputModel, PublicModel, UtcDatetime
from footfall.domain.records import LineDirection

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class AreaLine(InputModel):
    """A line of the area; `reversed` when the line's OUT is the way into the area."""

    line_id: int
    direction: LineDirection = LineDirection.NORMAL


class AreaCreate(InputModel):
    """A new area of a site, made of lines of that site's counters."""

    site_id: int
    name: Name
    lines: list[AreaLine] = Field(default_factory=list)


class AreaUpdate(InputModel):
    """A change to an area; `lines` replaces the whole list."""

    site_id: int | None = None
    name: Name | None = None
    lines: list[AreaLine] | None = None


class AreaLinePublic(PublicModel):
    """A line of an area as the API returns it."""

    line_id: int
    direction: LineDirection


class AreaPublic(PublicModel):
    """An area as the API returns it."""

    id: int
    site_id: int
    name: str
    lines: list[AreaLinePublic]
    created_at: UtcDatetime
