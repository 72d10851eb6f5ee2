"""Site schemas."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from footfall.api.schemas.common import InputModel, PublicModel, UtcDatetime

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ClockTime = Annotated[str, StringConstraints(pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")]
OpeningHours = dict[Weekday, list[tuple[ClockTime, ClockTime]]]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TimeZone = Annotated[str, Field(examples=["Europe/Paris"], description="IANA time zone")]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
NonNegative = Annotated[float, Field(ge=0)]


class SiteFields(InputModel):
    """The optional descriptive fields of a site."""

    region: str | None = None
    city: str | None = None
    country: str | None = None
    store_type: str | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    floor_size: NonNegative | None = None
    opening_hours: OpeningHours | None = Field(
        None, description='weekday → [["09:00", "18:00"], …]; missing weekdays are closed')
    closed_dates: list[date] | None = None
    capacity: Annotated[int, Field(ge=0)] | None = None


class SiteCreate(SiteFields):
    """A new site: code (unique in the company), name and IANA time zone are required."""

    code: Code
    name: Name
    timezone: TimeZone


class SiteUpdate(SiteFields):
    """A change to a site: only the fields sent are changed."""

    code: Code | None = None
    name: Name | None = None
    timezone: TimeZone | None = None


class SitePublic(PublicModel):
    """A site as the API returns it."""

    id: int
    code: str
    name: str
    timezone: str
    region: str | None
    city: str | None
    country: str | None
    store_type: str | None
    latitude: float | None
    longitude: float | None
    floor_size: float | None
    opening_hours: dict[str, list[list[str]]] | None
    closed_dates: list[date] | None
    capacity: int | None
    created_at: UtcDatetime
