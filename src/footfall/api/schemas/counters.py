"""Counter schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, computed_field

from footfall.api.schemas.common import InputModel, PublicModel, UtcDatetime

Serial = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Port = Annotated[int, Field(ge=1, le=65535)]


class CounterFields(InputModel):
    """The optional fields of a counter."""

    company_serial: str | None = None
    host: str | None = None
    port: Port | None = None
    channel: str | None = None
    active: bool | None = None


class CounterCreate(CounterFields):
    """A new counter; a serial that already sent data exists unassigned: assign that one."""

    serial: Serial
    name: str | None = None
    site_id: int | None = None


class CounterUpdate(CounterFields):
    """A change to a counter; `{"site_id": …}` assigns it to a site, null unassigns it."""

    name: str | None = None
    site_id: int | None = None


class CounterPublic(PublicModel):
    """A counter as the API returns it, with its health timestamps."""

    id: int
    serial: str
    company_serial: str | None
    name: str | None
    host: str | None
    port: int | None
    channel: str | None
    site_id: int | None
    active: bool
    first_seen_at: UtcDatetime | None
    last_seen_at: UtcDatetime | None
    last_check_at: UtcDatetime | None
    created_at: UtcDatetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def assigned(self) -> bool:
        """Whether the counter is placed at a site (its data counts for that site)."""
        return self.site_id is not None
