"""Site group schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from footfall.api.schemas.common import InputModel, PublicModel, UtcDatetime

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SiteGroupCreate(InputModel):
    """A new site group: a name and the ids of its sites."""

    name: Name
    site_ids: list[int] = Field(default_factory=list)


class SiteGroupUpdate(InputModel):
    """A change to a site group: a new name and/or a replacement list of sites."""

    name: Name | None = None
    site_ids: list[int] | None = None


class SiteGroupPublic(PublicModel):
    """A site group as the API returns it."""

    id: int
    name: str
    site_ids: list[int]
    created_at: UtcDatetime
